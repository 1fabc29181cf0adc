// Table columns the record lists share: {key, label, sort?, num?, render(row)}.
// `sort` names the API's sort field; a column is sortable only when the list's
// OpenAPI sort enum has it (the pages pass those they know the server sorts by).
import { nameOf } from '../api.js';
import { date, dateTime, label as human, money } from '../format.js';
import { Link } from '../router.jsx';
import { Badge } from './ui.jsx';

export const personName = (r) => [r.first_name, r.last_name].filter(Boolean).join(' ') || '#' + r.id;

export const col = {
	link: (key, label, href, text, sort) => ({ key, label, sort, render: (r) => <Link href={href(r)}>{text(r)}</Link> }),
	text: (key, label, sort) => ({ key, label, sort, render: (r) => r[key] ?? <span class="muted">—</span> }),
	owner: () => ({ key: 'owner_id', label: 'Owner', render: (r) => nameOf('users', r.owner_id) }),
	account: () => ({ key: 'account_id', label: 'Account', render: (r) => r.account_id ? <Link href={'/accounts/' + r.account_id}>{nameOf('accounts', r.account_id)}</Link> : '—' }),
	contact: () => ({ key: 'contact_id', label: 'Contact', render: (r) => r.contact_id ? <Link href={'/contacts/' + r.contact_id}>{nameOf('contacts', r.contact_id)}</Link> : '—' }),
	date: (key, label, sort) => ({ key, label, sort, render: (r) => date(r[key]) }),
	money: (key, label, sort) => ({ key, label, sort, num: true, render: (r) => money(r[key], r.currency) }),
	num: (key, label, sort) => ({ key, label, sort, num: true, render: (r) => r[key] ?? '—' }),
	badge: (key, label, kinds, sort) => ({ key, label, sort, render: (r) => r[key] ? <Badge kind={kinds && kinds[r[key]]}>{human(r[key])}</Badge> : '—' }),
	yesNo: (key, label) => ({ key, label, render: (r) => (r[key] ? 'Yes' : 'No') }),
};

export const leadStatusKinds = { new: 'primary', working: 'warn', qualified: 'ok', disqualified: 'danger' };
export const oppStatusKinds = { open: 'primary', won: 'ok', lost: 'danger' };

// Opportunity columns, with the stage names of the pipelines (a Map key → name).
export function opportunityColumns(stages, { account = true } = {}) {
	return [
		col.link('name', 'Opportunity', (r) => '/opportunities/' + r.id, (r) => r.name, 'name'),
		...(account ? [col.account()] : []),
		{ key: 'stage', label: 'Stage', render: (r) => (stages && stages.get(r.stage)) || r.stage },
		col.money('amount', 'Amount', 'amount'),
		col.date('close_date', 'Close date', 'close_date'),
		col.badge('status', 'Status', oppStatusKinds),
		col.owner(),
	];
}

export const ActivityColumns = [
	col.text('subject', 'Subject'),
	col.badge('type', 'Type'),
	{ key: 'due_at', label: 'Due', render: (r) => (r.due_at ? dateTime(r.due_at) : '—') },
	{ key: 'done_at', label: 'Done', render: (r) => (r.done_at ? dateTime(r.done_at) : <span class="muted">open</span>) },
	col.owner(),
];
