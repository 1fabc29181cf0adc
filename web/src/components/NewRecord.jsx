// "New account" (contact, lead): the create form in a dialog, then the new record's page.
import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { navigate } from '../router.jsx';
import { Modal, toast } from './ui.jsx';
import { RecordForm } from './RecordForm.jsx';

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
