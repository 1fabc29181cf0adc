// Accounts: the list (search, filters, sort, keyset pages, saved filters) and an
// account's page (fields, edit, its contacts, opportunities and activities).
import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { navigate } from '../router.jsx';
import { Modal, Page, toast } from '../components/ui.jsx';
import { RecordList } from '../components/RecordList.jsx';
import { RecordForm } from '../components/RecordForm.jsx';
import { RecordPage, Related } from '../components/RecordPage.jsx';
import { col, opportunityColumns, personName } from '../components/columns.jsx';
import { ActivityColumns } from './Leads.jsx';
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

// "New account" (contact, lead): the create form in a dialog, then the new record's page.
export function NewRecord({ resource, singular, fixed, label, after, small }) {
	const [open, setOpen] = useState(false);
	const create = async (body) => {
		const rec = await post('/' + resource, body);
		setOpen(false);
		toast('Created');
		if (after)
			after(rec);
		else
			navigate('/' + resource + '/' + rec.id);
	};
	return (
		<>
			<button type="button" class={'btn btn-primary' + (small ? ' btn-small' : '')} onClick={() => setOpen(true)}>{label || 'New ' + singular}</button>
			<Modal title={'New ' + singular} open={open} onClose={() => setOpen(false)}>
				{open && <RecordForm resource={resource} mode="create" fixed={fixed} idPrefix={'new-' + resource}
					submitLabel={'Create ' + singular} onSubmit={create} onCancel={() => setOpen(false)} />}
			</Modal>
		</>
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
