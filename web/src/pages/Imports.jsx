// Imports: bring a CSV file in, watch it run, see what it refused, take it back.
//
//   pick a file ──► preview of its first rows, each column mapped to a field
//        │           (a preset's columns are read by the server: shown as such)
//        └─POST /imports?resource=…&map=…──► the job runs on the server (202)
//                          │  GET /imports/{id} every half second: progress
//                          ▼
//        done / refused / failed: counts, each rejected row with its line and reason,
//        the rejected rows as a CSV of their own (cut in the browser from the file as
//        picked, kept in memory until the page reloads),
//        Undo (POST /imports/{id}/undo; a 409 names the records changed since)
//
// The URL holds the import being watched (/imports?id=5): closing the page does not
// stop it, and coming back shows where it is.  Everyone imports records of their own,
// as themselves (docs/imports.md).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, post, request } from '../api.js';
import { dateTime, plural } from '../format.js';
import { navigate, searchParams } from '../router.jsx';
import { Badge, Empty, ErrorBox, Field, Loading, Page, toast, useAsync } from '../components/ui.jsx';
import { recordSchemas } from '../schema.js';

// The file last picked, in memory only (nothing of a customer's goes to web storage):
// the rejected rows are cut from it after the import.  Gone on a reload.
let lastFile = null;

const RESOURCES = ['accounts', 'contacts', 'leads', 'opportunities', 'activities'];
const ENCODINGS = [['utf-8', 'UTF-8'], ['windows-1252', 'Windows-1252 (Excel on Windows)'], ['latin-1', 'Latin-1']];
const STATUS = { running: ['Running', null], done: ['Done', 'ok'], refused: ['Refused', 'warn'], failed: ['Failed', 'danger'], undone: ['Undone', null] };

// The separator the header uses most, outside quotes (as the server decides).
function sniff(text) {
	const count = { ',': 0, ';': 0, '\t': 0 };
	let quoted = false;
	for (const c of text) {
		if (c === '"')
			quoted = !quoted;
		else if (!quoted && (c === '\n' || c === '\r'))
			break;
		else if (!quoted && c in count)
			count[c]++;
	}
	return Object.keys(count).reduce((a, b) => (count[b] > count[a] ? b : a), ',');
}

// RFC 4180 rows, each with the line it starts on and the text it spans.
export function parseCsv(text, delim, max = Infinity) {
	const rows = [];
	let i = 0, line = 1;
	if (text.charCodeAt(0) === 0xfeff)
		i = 1;
	while (i < text.length && rows.length < max) {
		const start = i, startLine = line, cells = [];
		let cell = '', quoted = false;
		for (; i < text.length; i++) {
			const c = text[i];
			if (quoted) {
				if (c === '"' && text[i + 1] === '"') {
					cell += '"';
					i++;
				} else if (c === '"') {
					quoted = false;
				} else {
					if (c === '\n')
						line++;
					cell += c;
				}
			} else if (c === '"') {
				quoted = true;
			} else if (c === delim) {
				cells.push(cell);
				cell = '';
			} else if (c === '\n' || c === '\r') {
				if (c === '\r' && text[i + 1] === '\n')
					i++;
				i++;
				line++;
				break;
			} else {
				cell += c;
			}
		}
		cells.push(cell);
		rows.push({ line: startLine, cells, raw: text.slice(start, i) });
	}
	return rows;
}

export function Imports() {
	const id = searchParams().get('id');
	return id && /^\d+$/.test(id) ? <Watch id={+id} key={id} /> : <Start />;
}

function Start() {
	const past = useAsync(() => get('/imports', { limit: 20 }), []);
	const asked = new URLSearchParams(location.search).get('resource');
	const [form, setForm] = useState({ resource: RESOURCES.includes(asked) ? asked : 'accounts', preset: '', encoding: 'utf-8', date_format: '', partial: false });
	const [file, setFile] = useState(null);
	const [text, setText] = useState('');
	const [fields, setFields] = useState([]);
	const [map, setMap] = useState({});
	const [error, setError] = useState(null);
	const [busy, setBusy] = useState(false);
	const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });

	useEffect(() => {
		recordSchemas(form.resource).then((s) => setFields(Object.keys((s.create || s.update).properties)), () => setFields([]));
	}, [form.resource]);
	useEffect(() => {
		if (!file)
			return;
		file.arrayBuffer().then((buf) => {
			const t = new TextDecoder(form.encoding === 'utf-8' ? 'utf-8' : form.encoding === 'latin-1' ? 'iso-8859-1' : 'windows-1252').decode(buf);
			setText(t);
			lastFile = t;
		});
	}, [file, form.encoding]);

	const delim = text ? sniff(text) : ',';
	const rows = text ? parseCsv(text, delim, 6) : [];
	const header = rows[0] ? rows[0].cells : [];
	const target = (col) => (col in map ? map[col] : fields.includes(col) ? col : '');

	const start = async (e) => {
		e.preventDefault();
		setError(null);
		setBusy(true);
		const q = { resource: form.resource, file_name: file.name, partial: form.partial ? 'true' : 'false' };
		if (form.preset)
			q.preset = form.preset;
		if (form.encoding !== 'utf-8')
			q.encoding = form.encoding;
		if (form.date_format)
			q.date_format = form.date_format;
		// columns the preset reads are the server's to map; the others as chosen here
		const pairs = header.filter((c) => c && (c in map || (!form.preset && !fields.includes(c)))).map((c) => c.replace(/,/g, '') + '=' + (target(c) || '-'));
		if (pairs.length)
			q.map = pairs.join(',');
		try {
			const { data } = await request('POST', '/imports', { query: q, raw: file, contentType: 'text/csv' });
			navigate('/imports?id=' + data.id);
		} catch (err) {
			setError(err);
			setBusy(false);
		}
	};

	return (
		<Page title="Import">
			<p class="muted">Records from a CSV file — a spreadsheet's, or a Salesforce or HubSpot export. Each row is checked as the API checks a new record; the import runs on the server, and every import can be undone.</p>
			<form class="panel" onSubmit={start} aria-label="Import a file">
				<div class="form-grid">
					<Field label="Records" name="imp-resource">
						{(id, d) => (
						<select id={id} aria-describedby={d} value={form.resource} onChange={set('resource')}>
							{RESOURCES.map((r) => <option key={r} value={r}>{r}</option>)}
						</select>
						)}
					</Field>
					<Field label="Exported from" name="imp-preset" hint="A preset reads the product's own column names and ids">
						{(id, d) => (
						<select id={id} aria-describedby={d} value={form.preset} onChange={set('preset')}>
							<option value="">A spreadsheet (Funnel's field names)</option>
							<option value="salesforce">Salesforce</option>
							<option value="hubspot">HubSpot</option>
						</select>
						)}
					</Field>
					<Field label="Encoding" name="imp-encoding">
						{(id, d) => (
						<select id={id} aria-describedby={d} value={form.encoding} onChange={set('encoding')}>
							{ENCODINGS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
						</select>
						)}
					</Field>
					<Field label="Dates like 03/04/2026 are" name="imp-dates">
						{(id, d) => (
						<select id={id} aria-describedby={d} value={form.date_format} onChange={set('date_format')}>
							<option value="">Decided by the file</option>
							<option value="dmy">Day first (3 April)</option>
							<option value="mdy">Month first (March 4)</option>
						</select>
						)}
					</Field>
					<Field label="CSV file" name="imp-file">
						{(id, d) => (
						<input id={id} aria-describedby={d} type="file" accept=".csv,text/csv,text/plain" onChange={(e) => setFile(e.currentTarget.files[0] || null)} />
						)}
					</Field>
					<div class="checkbox-field"><input id="imp-partial" class="checkbox" type="checkbox" checked={form.partial} onChange={set('partial')} /><label for="imp-partial">Import the good rows even if some are refused</label></div>
				</div>
				{header.length > 0 && (
					<div class="table-wrap" data-ready="">
						<table aria-label="Preview of the file">
							<thead>
								<tr>{header.map((c, i) => <th key={i} scope="col">{c}</th>)}</tr>
								<tr>
									{header.map((c, i) => (
										<th key={i} scope="col">
											{form.preset && !(c in map) ? <span class="muted">read by the preset</span> : (
												<select aria-label={'Field for column ' + c} value={target(c)} onChange={(e) => setMap({ ...map, [c]: e.currentTarget.value })}>
													<option value="">— not imported —</option>
													{fields.map((f) => <option key={f} value={f}>{f}</option>)}
												</select>
											)}
										</th>
									))}
								</tr>
							</thead>
							<tbody>
								{rows.slice(1).map((r) => <tr key={r.line}>{header.map((_, i) => <td key={i}>{r.cells[i]}</td>)}</tr>)}
							</tbody>
						</table>
					</div>
				)}
				<ErrorBox error={error} />
				<div class="form-actions">
					<button class="btn btn-primary" type="submit" disabled={!file || busy}>{busy ? 'Starting…' : 'Import'}</button>
				</div>
			</form>
			<h2>Past imports</h2>
			<ErrorBox error={past.error} onRetry={past.reload} />
			{past.loading && <Loading what="imports" />}
			{past.data && past.data.data.length === 0 && <Empty>No imports yet.</Empty>}
			{past.data && past.data.data.length > 0 && (
				<div class="panel table-wrap" data-ready="">
					<table aria-label="Past imports">
						<thead><tr><th scope="col">When</th><th scope="col">File</th><th scope="col">Records</th><th scope="col">State</th><th scope="col" class="num">Created</th><th scope="col" class="num">Updated</th><th scope="col" class="num">Rejected</th></tr></thead>
						<tbody>
							{past.data.data.map((i) => (
								<tr key={i.id}>
									<td><a href={'/imports?id=' + i.id} onClick={(e) => { e.preventDefault(); navigate('/imports?id=' + i.id); }}>{dateTime(i.created_at)}</a></td>
									<td>{i.file_name}</td>
									<td>{i.resource}</td>
									<td><Badge kind={STATUS[i.status][1]}>{STATUS[i.status][0]}</Badge></td>
									<td class="num">{i.counts.created}</td>
									<td class="num">{i.counts.updated}</td>
									<td class="num">{i.counts.rejected}</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
		</Page>
	);
}

function Watch({ id }) {
	const [imp, setImp] = useState(null);
	const [error, setError] = useState(null);
	const [undoError, setUndoError] = useState(null);
	const [busy, setBusy] = useState(false);

	useEffect(() => {
		let stop = false, timer = 0;
		const poll = async () => {
			try {
				const data = await get('/imports/' + id);
				if (stop)
					return;
				setImp(data);
				if (data.status === 'running')
					timer = setTimeout(poll, 500);
			} catch (err) {
				if (!stop)
					setError(err);
			}
		};
		poll();
		return () => {
			stop = true;
			clearTimeout(timer);
		};
	}, [id]);

	const rejectedCsv = () => {
		const text = lastFile || '';
		const lines = new Set(imp.errors.map((e) => e.line));
		const rows = parseCsv(text, sniff(text));
		const out = rows.filter((r, i) => i === 0 || lines.has(r.line)).map((r) => r.raw.replace(/\r?\n?$/, '')).join('\r\n') + '\r\n';
		const a = document.createElement('a');
		a.href = URL.createObjectURL(new Blob([out], { type: 'text/csv' }));
		a.download = imp.file_name.replace(/\.csv$/i, '') + '-rejected.csv';
		a.click();
	};
	const undo = async () => {
		setBusy(true);
		setUndoError(null);
		try {
			const r = await post('/imports/' + id + '/undo');
			toast('Import undone: ' + plural(r.deleted, 'record', 'records') + ' deleted, ' + r.restored + ' restored.');
			setImp(await get('/imports/' + id));
		} catch (err) {
			setUndoError(err);
		}
		setBusy(false);
	};

	if (error)
		return <Page title="Import"><ErrorBox error={error} /></Page>;
	if (!imp)
		return <Page title="Import"><Loading what="the import" /></Page>;
	const pct = imp.progress ? Math.round((100 * imp.progress.done) / Math.max(1, imp.progress.total)) : null;
	const canRebuild = !!lastFile;
	return (
		<Page title={'Import of ' + imp.file_name} actions={<a class="btn" href="/imports" onClick={(e) => { e.preventDefault(); navigate('/imports'); }}>New import</a>}>
			<div class="panel" data-ready={imp.status === 'running' ? undefined : ''}>
				<p>
					<Badge kind={STATUS[imp.status][1]}>{STATUS[imp.status][0]}</Badge>{' '}
					{imp.resource}, {dateTime(imp.created_at)}{imp.preset ? ', ' + imp.preset + ' export' : ''}
				</p>
				{imp.status === 'running' && (
					<p>
						<progress aria-label="Import progress" max="100" value={pct ?? undefined}>{pct ?? ''}</progress> {pct !== null ? pct + '%' : 'starting…'}
					</p>
				)}
				{imp.status !== 'running' && (
					<p role="status">
						{plural(imp.counts.created, 'record', 'records')} created, {imp.counts.updated} updated, {imp.counts.rejected} rejected
						{imp.status === 'refused' ? ' — nothing was written (all or nothing).' : '.'}
					</p>
				)}
				{imp.status === 'done' && (
					<button class="btn btn-danger" type="button" onClick={undo} disabled={busy}>Undo this import</button>
				)}
				<ErrorBox error={undoError} />
				{undoError instanceof ApiError && undoError.errors.length > 0 && (
					<ul aria-label="Records changed since">{undoError.errors.map((e) => <li key={e.field}>{e.field}: {e.message}</li>)}</ul>
				)}
			</div>
			{imp.errors && imp.errors.length > 0 && (
				<div class="panel table-wrap">
					<h2>{imp.status === 'failed' ? 'Why it stopped' : 'Rejected rows'}</h2>
					{imp.status !== 'failed' && canRebuild && <button class="btn btn-small" type="button" onClick={rejectedCsv}>Download the rejected rows</button>}
					<table aria-label="Rejected rows">
						<thead><tr><th scope="col" class="num">Line</th><th scope="col">Reason</th></tr></thead>
						<tbody>{imp.errors.map((e, i) => <tr key={i}><td class="num">{e.line ?? ''}</td><td>{e.reason}</td></tr>)}</tbody>
					</table>
				</div>
			)}
		</Page>
	);
}
