// The screens: one file each under pages/, so work on one does not touch another.
// `nav` puts a screen in the top navigation; `roles` limits who sees the link
// (the server decides what each role may do; this only avoids dead ends).
import { Board } from './pages/Board.jsx';
import { Opportunity } from './pages/Opportunity.jsx';
import { Opportunities } from './pages/Opportunities.jsx';
import { AccountPage, Accounts } from './pages/Accounts.jsx';
import { ContactPage, Contacts } from './pages/Contacts.jsx';
import { LeadPage, Leads } from './pages/Leads.jsx';
import { Inbox } from './pages/Inbox.jsx';
import { Dashboard } from './pages/Dashboard.jsx';
import { Forecast } from './pages/Forecast.jsx';
import { Handover } from './pages/Handover.jsx';
import { FormPage, Forms } from './pages/Forms.jsx';
import { Admin } from './pages/Admin.jsx';
import { MeetingRoom } from './pages/Room.jsx';
import { MeetingPage } from './pages/Meeting.jsx';
import { Settings } from './pages/Settings.jsx';
import { MeetingReport } from './pages/Polls.jsx';
import { Imports } from './pages/Imports.jsx';

export const routes = [
	{ path: '/board', page: Board, nav: 'Board' },
	{ path: '/opportunities', page: Opportunities, nav: 'Opportunities' },
	{ path: '/opportunities/:id', page: Opportunity },
	{ path: '/accounts', page: Accounts, nav: 'Accounts' },
	{ path: '/accounts/:id', page: AccountPage },
	{ path: '/contacts', page: Contacts, nav: 'Contacts' },
	{ path: '/contacts/:id', page: ContactPage },
	{ path: '/leads', page: Leads, nav: 'Leads' },
	{ path: '/leads/:id', page: LeadPage },
	{ path: '/inbox', page: Inbox, nav: 'Inbox' },
	{ path: '/forecast', page: Forecast, nav: 'Forecast' },
	{ path: '/dashboard', page: Dashboard, nav: 'Dashboard', roles: ['manager', 'admin'] },
	{ path: '/handover', page: Handover, nav: 'Handover', roles: ['manager', 'admin'] },
	{ path: '/forms', page: Forms, nav: 'Forms', roles: ['manager', 'admin'] },
	{ path: '/forms/:id', page: FormPage },
	{ path: '/imports', page: Imports }, // from each list's Import link (RecordList.jsx)
	{ path: '/admin', page: Admin, nav: 'Admin', roles: ['admin'] },
	{ path: '/admin/:tab', page: Admin },
	{ path: '/meetings/:id', page: MeetingPage },
	{ path: '/meetings/:id/room', page: MeetingRoom },
	{ path: '/settings', page: Settings },
	{ path: '/meetings/:id/report', page: MeetingReport },
];

export const home = '/board';
