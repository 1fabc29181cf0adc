// Contacts: the list and a contact's page (fields, edit, their opportunities, their
// activities with their notes — what they answered in a meeting's poll among them).
import { Page } from '../components/ui.jsx';
import { RecordList } from '../components/RecordList.jsx';
import { RecordPage, Related } from '../components/RecordPage.jsx';
import { ActivityColumns, col, opportunityColumns, personName } from '../components/columns.jsx';
import { stageNames, useLookup } from '../components/lookups.jsx';
import { NewRecord } from '../components/NewRecord.jsx';
import { VcardImport } from '../components/VcardImport.jsx';

const columns = [
	col.link('last_name', 'Name', (r) => '/contacts/' + r.id, personName, 'last_name'),
	col.account(),
	col.text('title', 'Title'),
	col.text('email', 'E-mail'),
	col.text('phone', 'Phone'),
	col.yesNo('decision_maker', 'Decides'),
	col.owner(),
];

// the subject, and the notes behind a disclosure (a poll's answers are a note)
const contactActivityColumns = [
	{ key: 'subject', label: 'Subject', render: (r) => (r.notes
		? <details class="activity-notes"><summary>{r.subject}</summary><p class="tl-notes">{r.notes}</p></details>
		: r.subject) },
	...ActivityColumns.filter((c) => c.key !== 'subject'),
];

export function Contacts() {
	return (
		<Page title="Contacts" wide actions={<><VcardImport onDone={() => location.reload()} /><NewRecord resource="contacts" singular="contact" /></>}>
			<RecordList resource="contacts" singular="contact" columns={columns} defaultSort="last_name" />
		</Page>
	);
}

export function ContactPage({ id }) {
	const stages = useLookup(stageNames);
	return (
		<RecordPage resource="contacts" singular="contact" id={id} listPath="/contacts" title={personName}>
			{(rec) => (
				<>
					<Related title="Opportunities" resource="opportunities" query={{ contact_id: rec.id, sort: '-close_date' }}
						allHref={'/opportunities?contact_id=' + rec.id} empty="This contact is on no opportunity."
						columns={opportunityColumns(stages)} />
					<Related title="Activities" resource="activities" query={{ related_type: 'contact', related_id: rec.id, sort: '-created_at' }}
						empty="No activities logged with this contact." columns={contactActivityColumns} />
				</>
			)}
		</RecordPage>
	);
}
