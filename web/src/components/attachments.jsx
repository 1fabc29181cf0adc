// The files on a record (GET /attachments?related_type&related_id): download links,
// an upload (POST /attachments, the file itself as the body, streamed by the browser
// and by the server to disk) and delete.  The server decides what it takes — the
// allowed types, the bytes matching the type, the size (funnel serve --max-upload) —
// and its refusal is shown as it words it.
import { useRef, useState } from 'preact/hooks';
import { del, get, loadNames, nameOf, upload } from '../api.js';
import { date, label } from '../format.js';
import { isManager, useSession } from '../session.js';
import { Badge, Empty, ErrorBox, Field, Loading, Modal, toast, useAsync } from './ui.jsx';

// Kinds the stage criteria ask for (docs/sales-process.md), and template kinds.
const KINDS = ['proposal', 'contract', 'welcome_letter', 'other'];

export function size(n) {
	if (n < 1024)
		return n + ' B';
	if (n < 1024 * 1024)
		return Math.max(1, Math.round(n / 1024)) + ' KB';
	return (n / 1048576).toFixed(1) + ' MB';
}

// A 413 says "the body is larger than N bytes": say it about the file, in MB.
export function uploadProblem(e, file) {
	if (e.status === 413) {
		const m = /larger than (\d+) bytes/.exec(e.detail || '');
		return 'The file is too large (' + size(file.size) + ')' + (m ? ': the server takes files up to ' + size(+m[1]) + '.' : '.');
	}
	if (e.status === 400 && e.fields['Content-Type'])
		return 'The file was refused: ' + e.fields['Content-Type'] + '.';
	return e.message;
}

export function Attachments({ relatedType, relatedId, tick, kinds = [], heading = 'Documents', headingId = 'docs-h', actions, onChange }) {
	const { user } = useSession();
	const list = useAsync(async () => {
		const r = await get('/attachments', { related_type: relatedType, related_id: relatedId });
		await loadNames('users', r.data.map((a) => a.owner_id));
		return r;
	}, [relatedType, relatedId, tick]);
	const [uploading, setUploading] = useState(false);
	const [removing, setRemoving] = useState(null);
	const changed = () => {
		list.reload();
		if (onChange)
			onChange();
	};
	const mayDelete = (a) => a.owner_id === user.id || isManager(user);
	const data = list.data;
	return (
		<section class="panel" aria-labelledby={headingId}>
			<h2 id={headingId}>{heading} <span class="spacer" />
				{actions}
				<button type="button" class="btn btn-small" onClick={() => setUploading(true)}>Upload…</button></h2>
			<ErrorBox error={list.error} onRetry={list.reload} />
			{!data && !list.error && <Loading />}
			{data && !data.data.length && <Empty>No files yet.</Empty>}
			{data && data.data.length > 0 && (
				<ul class="docs">
					{data.data.map((d) => (
						<li key={d.id} data-attachment={d.id}>
							<a href={d.url} download={d.filename}>{d.filename}</a>{' '}
							{d.kind && <Badge>{label(d.kind)}</Badge>}
							<span class="muted small"> {size(d.size)} · {date(d.created_at)} · {nameOf('users', d.owner_id)}</span>
							{mayDelete(d) && (
								<button type="button" class="btn-link doc-delete" onClick={() => setRemoving(d)}
									aria-label={'Delete ' + d.filename}>Delete</button>
							)}
						</li>
					))}
				</ul>
			)}
			{uploading && <UploadDialog relatedType={relatedType} relatedId={relatedId} kinds={[...new Set([...kinds, ...KINDS])]}
				onClose={() => setUploading(false)} onSaved={changed} />}
			{removing && <DeleteFileDialog file={removing} onClose={() => setRemoving(null)} onDone={changed} />}
		</section>
	);
}

function UploadDialog({ relatedType, relatedId, kinds, onClose, onSaved }) {
	const input = useRef(null);
	const [file, setFile] = useState(null);
	const [kind, setKind] = useState('');
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	const submit = async (e) => {
		e.preventDefault();
		if (!file)
			return;
		setBusy(true);
		setErr(null);
		try {
			const a = await upload('/attachments', file, { related_type: relatedType, related_id: relatedId, filename: file.name, kind });
			toast('Uploaded ' + a.filename);
			onSaved();
			onClose();
		} catch (x) {
			setErr(uploadProblem(x, file));
			setBusy(false);
		}
	};
	return (
		<Modal open title="Upload a file" onClose={onClose}
			footer={[<button key="c" type="button" class="btn" onClick={onClose}>Cancel</button>,
				<button key="s" type="submit" form="upload-form" class="btn btn-primary" disabled={busy || !file}>{busy ? 'Uploading…' : 'Upload'}</button>]}>
			<form id="upload-form" onSubmit={submit}>
				{err && <p class="alert alert-error" role="alert">{err}</p>}
				<Field label="File" name="upload-file" hint="PDF, images, text, CSV, JSON, office documents, zip, audio or video.">
					{(id, d) => <input id={id} ref={input} type="file" aria-describedby={d} required
						onChange={(e) => { setFile(e.currentTarget.files[0] || null); setErr(null); }} />}
				</Field>
				{file && <p class="muted small">{file.name} · {size(file.size)} · {file.type || 'type unknown to the browser'}</p>}
				<Field label="Kind" name="upload-kind" hint="Stage criteria ask for documents by kind (a signed contract before leaving Negotiation).">
					{(id, d) => (
						<select id={id} aria-describedby={d} value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
							<option value="">— none —</option>
							{kinds.map((k) => <option key={k} value={k}>{label(k)}</option>)}
						</select>
					)}
				</Field>
			</form>
		</Modal>
	);
}

function DeleteFileDialog({ file, onClose, onDone }) {
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	const go = async () => {
		setBusy(true);
		try {
			await del('/attachments/' + file.id);
			toast('Deleted ' + file.filename);
			onDone();
			onClose();
		} catch (x) {
			setErr(x);
			setBusy(false);
		}
	};
	return (
		<Modal open title="Delete the file" onClose={onClose}
			footer={[<button key="c" type="button" class="btn" onClick={onClose}>Cancel</button>,
				<button key="d" type="button" class="btn btn-danger" onClick={go} disabled={busy}>Delete file</button>]}>
			<ErrorBox error={err} />
			<p>Delete <strong>{file.filename}</strong>{file.kind ? ' (' + label(file.kind) + ')' : ''}? A stage criterion that asks
				for this kind of document no longer counts it.</p>
		</Modal>
	);
}
