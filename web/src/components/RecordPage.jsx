// One record's page (account, contact, lead): its fields, an edit form that saves with
// If-Match (a change made meanwhile by someone else is a 412, said in words, never
// overwritten), the related records the page passes as children, and the change history.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, del, get, loadNames, nameOf, patch, request } from '../api.js';
import { dateTime, label as human } from '../format.js';
import { Link, navigate } from '../router.jsx';
import { recordSchemas } from '../schema.js';
import { Badge, ErrorBox, Loading, Page, toast } from './ui.jsx';
import { RecordForm, refOf } from './RecordForm.jsx';

export function useRecord(resource, id) {
	const [state, setState] = useState({ rec: null, etag: null, error: null, loading: true });
	const load = async () => {
		setState((s) => ({ ...s, loading: true, error: null }));
		try {
			const { data, etag } = await request('GET', '/' + resource + '/' + id);
			const refs = { users: [data.owner_id], accounts: [data.account_id, data.converted_account_id], contacts: [data.contact_id, data.converted_contact_id] };
			await Promise.all(Object.entries(refs).map(([k, ids]) => loadNames(k, ids.filter(Boolean)))).catch(() => {});
			setState({ rec: data, etag, error: null, loading: false });
		} catch (error) {
			setState({ rec: null, etag: null, error, loading: false });
		}
	};
	useEffect(() => {
		load();
	}, [resource, id]); // eslint-disable-line
	return { ...state, reload: load, set: (rec, etag) => setState({ rec, etag, error: null, loading: false }) };
}

export function RecordPage({ resource, singular, id, title, listPath, fields, headerExtra, children, deletable = true }) {
	const r = useRecord(resource, id);
	const [editing, setEditing] = useState(false);
	const [conflict, setConflict] = useState(false);
	const [schema, setSchema] = useState(null);
	useEffect(() => {
		recordSchemas(resource).then((s) => setSchema(s.record), () => {});
	}, [resource]);

	if (r.loading && !r.rec)
		return <Page title={human(singular)}><Loading what={singular} /></Page>;
	if (r.error)
		return (
			<Page title={human(singular)}>
				<ErrorBox error={r.error.status === 404 ? new Error('There is no ' + singular + ' ' + id + ', or it is not one you may see.') : r.error} onRetry={r.error.status === 404 ? null : r.reload} />
				<p><Link href={listPath}>Back to {resource}</Link></p>
			</Page>
		);
	const rec = r.rec;
	const save = async (body) => {
		if (!Object.keys(body).length) {
			setEditing(false);
			return;
		}
		try {
			const res = await patch('/' + resource + '/' + id, body, { ifMatch: r.etag });
			r.set(res.data, res.etag);
			setEditing(false);
			setConflict(false);
			toast('Saved');
		} catch (err) {
			if (err instanceof ApiError && err.status === 412)
				setConflict(true);
			throw err;
		}
	};
	const remove = async () => {
		if (!confirm('Delete this ' + singular + '? This cannot be undone.'))
			return;
		try {
			await del('/' + resource + '/' + id, { ifMatch: r.etag });
			toast('Deleted');
			navigate(listPath);
		} catch (err) {
			toast(err.message, 'error');
		}
	};
	const shown = fields || (schema ? Object.keys(schema.properties).filter((k) => !['id', 'version', 'created_at', 'updated_at', 'created_by'].includes(k)) : []);
	return (
		<Page title={title(rec)} actions={
			<>
				<Link class="btn btn-ghost" href={listPath}>All {resource}</Link>
				{!editing && <button type="button" class="btn" onClick={() => setEditing(true)}>Edit</button>}
				{deletable && <button type="button" class="btn btn-ghost" onClick={remove}>Delete</button>}
			</>
		}>
			{headerExtra && headerExtra(rec, r)}
			<div class="grid-2 record-grid" data-ready="">
				<div>
					<section class="panel" aria-labelledby="details-h">
						<h2 id="details-h">Details</h2>
						{conflict && (
							<div class="alert alert-warn" role="alert">
								<p>Someone changed this {singular} since you opened it. Reload to see their change, then edit again.</p>
								<button type="button" class="btn btn-small" onClick={() => { setConflict(false); setEditing(false); r.reload(); }}>Reload</button>
							</div>
						)}
						{editing
							? <RecordForm resource={resource} mode="update" record={rec} fields={fields} idPrefix={'edit-' + resource}
								onSubmit={save} onCancel={() => { setEditing(false); setConflict(false); }} />
							: <FieldList rec={rec} names={shown} schema={schema} />}
						<p class="muted small">Created {dateTime(rec.created_at)} · changed {dateTime(rec.updated_at)} · version {rec.version}</p>
					</section>
					{children && children(rec, r)}
				</div>
				<History resource={resource} id={id} version={rec.version} />
			</div>
		</Page>
	);
}

function FieldList({ rec, names, schema }) {
	return (
		<dl class="fields">
			{names.map((k) => {
				const p = schema && schema.properties[k];
				return [
					<dt key={k + '-t'}>{human(k.replace(/_id$/, ''))}</dt>,
					<dd key={k + '-d'}>{show(k, rec[k], p)}</dd>,
				];
			})}
		</dl>
	);
}

function show(k, v, p) {
	if (v === null || v === undefined || v === '')
		return <span class="muted">—</span>;
	const ref = p && refOf(p);
	if (ref === 'users')
		return nameOf('users', v);
	if (ref === 'accounts')
		return <Link href={'/accounts/' + v}>{nameOf('accounts', v)}</Link>;
	if (ref === 'contacts')
		return <Link href={'/contacts/' + v}>{nameOf('contacts', v)}</Link>;
	if (ref === 'opportunities')
		return <Link href={'/opportunities/' + v}>Opportunity {v}</Link>;
	if (typeof v === 'boolean')
		return v ? 'Yes' : 'No';
	if (typeof v === 'object')
		return (
			<dl class="fields fields-inner">
				{Object.entries(v).map(([a, b]) => [<dt key={a + 't'}>{human(a)}</dt>, <dd key={a + 'd'}>{String(b)}</dd>])}
			</dl>
		);
	if (/_at$/.test(k))
		return dateTime(v);
	if (k === 'status' || k === 'channel')
		return <Badge>{human(v)}</Badge>;
	return String(v);
}

// The audit trail, read when opened.
export function History({ resource, id, version }) {
	const [open, setOpen] = useState(false);
	const [rows, setRows] = useState(null);
	const [error, setError] = useState(null);
	useEffect(() => {
		if (!open)
			return;
		get('/' + resource + '/' + id + '/history').then((d) => setRows(d.data.slice().reverse()), setError);
	}, [open, version]); // eslint-disable-line
	return (
		<section class="panel" aria-labelledby="history-h">
			<h2 id="history-h">Change history</h2>
			<details onToggle={(e) => setOpen(e.currentTarget.open)}>
				<summary>Who changed what, when</summary>
				<ErrorBox error={error} />
				{open && !rows && !error && <Loading what="history" />}
				{rows && (
					<ol class="history">
						{rows.map((h, i) => (
							<li key={i}>
								<span class="muted">{dateTime(h.at)}</span>{' '}
								<strong>{h.actor_name || (h.actor_id ? nameOf('users', h.actor_id) : 'the system')}</strong>{' '}
								{h.action === 'create' ? 'created it' : h.action === 'update'
									? <>changed {human(h.field)}{h.old !== null && h.old !== undefined ? <> from “{h.old}”</> : null} to {h.new !== null && h.new !== undefined ? '“' + h.new + '”' : 'empty'}</>
									: human(h.action) + (h.field ? ' ' + human(h.field) : '')}
							</li>
						))}
					</ol>
				)}
			</details>
		</section>
	);
}

// A few related records (the first 10) and a link to all of them in their list.
export function Related({ title, resource, query, columns, empty, allHref, id: hid, action }) {
	const [state, setState] = useState({ rows: null, next: null, error: null });
	useEffect(() => {
		let live = true;
		get('/' + resource, { ...query, limit: 10 }).then(async (p) => {
			await Promise.all([
				loadNames('users', p.data.map((x) => x.owner_id).filter(Boolean)),
				loadNames('accounts', p.data.map((x) => x.account_id).filter(Boolean)),
			]).catch(() => {});
			live && setState({ rows: p.data, next: p.next_cursor, error: null });
		}, (error) => live && setState({ rows: null, next: null, error }));
		return () => { live = false; };
	}, [resource, JSON.stringify(query)]); // eslint-disable-line
	const h = hid || 'rel-' + resource;
	return (
		<section class="panel" aria-labelledby={h}>
			<h2 id={h}>{title}<span class="spacer" />{action}</h2>
			<ErrorBox error={state.error} />
			{!state.rows && !state.error && <Loading />}
			{state.rows && state.rows.length === 0 && <p class="empty">{empty}</p>}
			{state.rows && state.rows.length > 0 && (
				<div class="table-wrap">
					<table>
						<thead><tr>{columns.map((c) => <th key={c.key} scope="col" class={c.num ? 'num' : undefined}>{c.label}</th>)}</tr></thead>
						<tbody>
							{state.rows.map((r) => (
								<tr key={r.id}>{columns.map((c) => <td key={c.key} class={c.num ? 'num' : undefined}>{c.render ? c.render(r) : r[c.key] ?? '—'}</td>)}</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
			{state.next && allHref && <p><Link href={allHref}>See all</Link></p>}
		</section>
	);
}
