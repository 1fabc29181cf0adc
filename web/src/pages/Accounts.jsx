// Accounts: the list (search, filters, sort, keyset pages, saved filters) and an
// account's page (fields, edit, its contacts, opportunities and activities).
import { Page } from '../components/ui.jsx';
import { RecordList } from '../components/RecordList.jsx';
import { NewRecord } from '../components/NewRecord.jsx';
import { RecordPage, Related } from '../components/RecordPage.jsx';
import { ActivityColumns, col, opportunityColumns, personName } from '../components/columns.jsx';
import { stageNames, useLookup } from '../components/lookups.jsx';

const columns = [
	col.link('name', 'Name', (r) => '/accounts/' + r.id, (r) => r.name, 'name'),
	col.text('domain', 'Domain'),
	col.text('industry', 'Industry'),
	col.text('territory', 'Territory'),
	col.num('employees', 'Employees'),
	col.owner(),
	col.date('updated_at', 'Changed', 'updated_at'),
];

export function Accounts() {
	return (
		<Page title="Accounts" wide actions={<NewRecord resource="accounts" singular="account" />}>
			<RecordList resource="accounts" singular="account" columns={columns} defaultSort="name" />
		</Page>
	);
}

export function AccountPage({ id }) {
	const stages = useLookup(stageNames);
	return (
		<RecordPage resource="accounts" singular="account" id={id} listPath="/accounts" title={(r) => r.name}>
			{(rec) => (
				<>
					<Related title="Contacts" resource="contacts" query={{ account_id: rec.id, sort: 'last_name' }}
						allHref={'/contacts?account_id=' + rec.id} empty="No contacts at this account yet."
						action={<NewRecord resource="contacts" singular="contact" fixed={{ account_id: rec.id }} label="Add contact" small />}
						columns={[
							col.link('name', 'Name', (r) => '/contacts/' + r.id, personName),
							col.text('title', 'Title'),
							col.text('email', 'E-mail'),
							col.yesNo('decision_maker', 'Decides'),
						]} />
					<Related title="Opportunities" resource="opportunities" query={{ account_id: rec.id, sort: '-close_date' }}
						allHref={'/opportunities?account_id=' + rec.id} empty="No opportunities on this account."
						columns={opportunityColumns(stages, { account: false })} />
					<Related title="Activities" resource="activities" query={{ related_type: 'account', related_id: rec.id, sort: '-created_at' }}
						empty="No activities logged on the account itself." columns={ActivityColumns} />
				</>
			)}
		</RecordPage>
	);
}
