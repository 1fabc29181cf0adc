// "Import vCards": a .vcf file (Apple Contacts, Google Contacts, a phone) into contacts,
// through POST /api/v1/contacts.vcf (docs/calendar-vcard.md).  A first pass checks the
// file without writing (dry_run) and shows what would happen and every bad card with its
// line; then the user imports all of it, or only the good cards.
import { useState } from 'preact/hooks';
import { ApiError, request } from '../api.js';
import { Modal, toast } from './ui.jsx';

async function send(file, q) {
	try {
		const r = await request('POST', '/contacts.vcf', { query: q, raw: file, contentType: 'text/vcard' });
		return { result: r.data };
	} catch (e) {
		if (e instanceof ApiError && e.status === 400 && e.errors.some((x) => /^line \d+$/.test(x.field)))
			return { bad: e.errors.map((x) => x.message) };
		throw e;
	}
}

export function VcardImport({ onDone }) {
	const [open, setOpen] = useState(false);
	const [file, setFile] = useState(null);
	const [check, setCheck] = useState(null); // {result} of the dry run (partial), or {error}
	const [busy, setBusy] = useState(false);

	const close = () => {
		setOpen(false);
		setFile(null);
		setCheck(null);
	};
	const pick = async (f) => {
		setFile(f);
		setCheck(null);
		if (!f)
			return;
		setBusy(true);
		try {
			setCheck(await send(f, { dry_run: 'true', partial: 'true' }));
		} catch (e) {
			setCheck({ error: e.message });
		} finally {
			setBusy(false);
		}
	};
	const run = async () => {
		setBusy(true);
		try {
			const r = await send(file, { partial: 'true' });
			toast(r.result.created + ' created, ' + r.result.updated + ' updated' + (r.result.rejected ? ', ' + r.result.rejected + ' left out' : ''));
			close();
			if (onDone)
				onDone();
		} catch (e) {
			setCheck({ error: e.message });
		} finally {
			setBusy(false);
		}
	};
	const res = check && check.result;
	return (
		<>
			<button type="button" class="btn" onClick={() => setOpen(true)}>Import vCards…</button>
			<Modal title="Import vCards" open={open} onClose={close}>
				{open && (
					<div class="vcard-import">
						<p class="muted">A .vcf file from Apple Contacts, Google Contacts or a phone. A card whose e-mail is one of your contacts updates it; its organisation names the account (made when there is none by that name).</p>
						<label for="vcf-file">File</label>
						<input id="vcf-file" type="file" accept=".vcf,text/vcard,text/x-vcard" onChange={(e) => pick(e.target.files[0] || null)} />
						{busy && <p class="loading" role="status">Reading the cards…</p>}
						{check && check.error && <div class="alert alert-error" role="alert"><p>{check.error}</p></div>}
						{res && (
							<div role="status" data-check="">
								<p>{res.cards} cards: {res.created} new contacts, {res.updated} updated, {res.accounts_created} new accounts{res.rejected ? ', ' + res.rejected + ' cannot be imported:' : '.'}</p>
								{res.errors.length > 0 && (
									<ul class="bad-cards">{res.errors.map((x) => <li key={x.line}>{x.message}</li>)}</ul>
								)}
								<div class="actions">
									<button type="button" class="btn btn-primary" disabled={busy || res.created + res.updated === 0} onClick={run}>
										{res.rejected ? 'Import the ' + (res.cards - res.rejected) + ' good cards' : 'Import'}
									</button>
									<button type="button" class="btn btn-ghost" onClick={close}>Cancel</button>
								</div>
							</div>
						)}
					</div>
				)}
			</Modal>
		</>
	);
}
