// Web-to-lead forms: the list, and the builder — the form's settings, its questions
// (what each asks and which lead field it fills), a live preview of the public page,
// and the embed snippet to paste into a web site (GET /api/v1/forms/{id}/embed).
// The server checks every question (src/crm/leads/form.h); its message is shown on the
// question it names ("fields[2].maps_to").
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, getAll, patch, request } from '../api.js';
import { label as human } from '../format.js';
import { Link, navigate } from '../router.jsx';
import { isManager, useSession } from '../session.js';
import { Badge, Empty, ErrorBox, Field, Loading, Page, toast, useAsync } from '../components/ui.jsx';
import { LookupSelect, UserSelect, pipelines, refresh, teams } from '../components/lookups.jsx';

const TYPES = ['text', 'email', 'tel', 'textarea', 'select', 'checkbox'];
const LEAD_FIELDS = ['first_name', 'last_name', 'company', 'email', 'phone', 'title', 'industry', 'territory'];
const CHANNELS = ['field', 'inside', 'partner', 'web', 'retail'];

export function Forms() {
	const { user } = useSession();
	const list = useAsync(() => getAll('/forms', { sort: 'name' }), []);
	return (
		<Page title="Web forms" actions={isManager(user) && <Link class="btn btn-primary" href="/forms/new">New form</Link>}>
			<p class="muted">Public web-to-lead forms: each submission becomes a lead, assigned and with a follow-up task.</p>
			<ErrorBox error={list.error} onRetry={list.reload} />
			{list.loading && <Loading what="forms" />}
			{list.data && list.data.length === 0 && <Empty>No forms yet.{isManager(user) ? ' Create one to put on your web site.' : ''}</Empty>}
			{list.data && list.data.length > 0 && (
				<div class="panel table-wrap" data-ready="">
					<table>
						<thead>
							<tr><th scope="col">Form</th><th scope="col">Address</th><th scope="col">State</th><th scope="col" class="num">Leads</th><th scope="col" class="num">Spam blocked</th></tr>
						</thead>
						<tbody>
							{list.data.map((f) => (
								<tr key={f.id}>
									<td><Link href={'/forms/' + f.id}>{f.name}</Link></td>
									<td><code>/f/{f.slug}</code></td>
									<td>{f.active ? <Badge kind="ok">Active</Badge> : <Badge>Off</Badge>}</td>
									<td class="num">{f.submissions}</td>
									<td class="num">{f.spam_blocked}</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
		</Page>
	);
}

const slugify = (s) => s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
const keyify = (s) => s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 64);

const starter = () => [
	{ name: 'first_name', label: 'First name', type: 'text', required: false, maps_to: 'first_name' },
	{ name: 'last_name', label: 'Last name', type: 'text', required: true, maps_to: 'last_name' },
	{ name: 'email', label: 'Work e-mail', type: 'email', required: true, maps_to: 'email' },
	{ name: 'company', label: 'Company', type: 'text', required: false, maps_to: 'company' },
];

export function FormPage({ id }) {
	const { user } = useSession();
	const isNew = id === 'new';
	const [form, setForm] = useState(null);
	const [etag, setEtag] = useState(null);
	const [loadError, setLoadError] = useState(null);
	const [error, setError] = useState(null);
	const [busy, setBusy] = useState(false);
	const [slugTouched, setSlugTouched] = useState(!isNew);
	const editable = isManager(user);

	useEffect(() => {
		if (isNew) {
			setForm({ name: '', slug: '', fields: starter(), pipeline_id: null, team_id: null, owner_id: null, channel: 'web', thank_you_url: null, active: true });
			return;
		}
		request('GET', '/forms/' + id).then(({ data, etag: t }) => {
			setForm(data);
			setEtag(t);
		}, setLoadError);
	}, [id]);

	if (loadError)
		return <Page title="Web form"><ErrorBox error={loadError.status === 404 ? new Error('There is no form ' + id + '.') : loadError} /></Page>;
	if (!form)
		return <Page title="Web form"><Loading what="the form" /></Page>;

	const set = (k, v) => setForm((f) => ({ ...f, [k]: v }));
	const setQ = (i, changes) => set('fields', form.fields.map((q, j) => (j === i ? { ...q, ...changes } : q)));
	const moveQ = (i, d) => {
		const qs = form.fields.slice();
		const [q] = qs.splice(i, 1);
		qs.splice(i + d, 0, q);
		set('fields', qs);
	};
	const fe = (k) => error && error.fields && error.fields[k];

	const save = async (e) => {
		e.preventDefault();
		const body = {
			name: form.name.trim(), slug: form.slug.trim(), channel: form.channel || null,
			pipeline_id: form.pipeline_id ? Number(form.pipeline_id) : null, team_id: form.team_id ? Number(form.team_id) : null,
			owner_id: form.owner_id ? Number(form.owner_id) : null, thank_you_url: form.thank_you_url || null, active: !!form.active,
			fields: form.fields.map(cleanQuestion),
		};
		setBusy(true);
		setError(null);
		try {
			if (isNew) {
				const { data } = await request('POST', '/forms', { body });
				refresh('forms');
				toast('Form created');
				navigate('/forms/' + data.id, { replace: true });
			} else {
				const res = await patch('/forms/' + id, body, { ifMatch: etag });
				setForm(res.data);
				setEtag(res.etag);
				refresh('forms');
				toast('Form saved');
			}
		} catch (err) {
			setError(err);
		} finally {
			setBusy(false);
		}
	};

	const fieldErrors = error && error.fields ? Object.keys(error.fields) : [];
	const general = error && (!fieldErrors.length || error.status === 412);
	return (
		<Page title={isNew ? 'New web form' : form.name} wide actions={<Link class="btn btn-ghost" href="/forms">All forms</Link>}>
			<div class="form-builder">
				<form class="builder-edit" onSubmit={save} noValidate aria-label="Form settings and questions">
					{general && <ErrorBox error={error.status === 412 ? new Error('Someone changed this form since you opened it: reload the page, then make your change again.') : error} />}
					{error && !general && <p class="alert alert-error" role="alert">Check the fields marked below.</p>}
					<fieldset class="panel" disabled={!editable}>
						<legend>Settings</legend>
						<div class="form-row">
							<Field name="form-name" label="Name (shown as the form's title)" error={fe('name')}>
								{(fid, d) => <input id={fid} value={form.name} required maxLength={200} aria-describedby={d}
									onInput={(e) => { const v = e.currentTarget.value; set('name', v); if (!slugTouched) set('slug', slugify(v)); }} />}
							</Field>
							<Field name="form-slug" label="Address" hint={'/f/' + (form.slug || '…')} error={fe('slug')}>
								{(fid, d) => <input id={fid} value={form.slug} required maxLength={64} aria-describedby={d}
									onInput={(e) => { setSlugTouched(true); set('slug', e.currentTarget.value); }} />}
							</Field>
						</div>
						<div class="form-row">
							<Field name="form-pipeline" label="Pipeline of its leads" error={fe('pipeline_id')}>
								{(fid, d) => <LookupSelect id={fid} fn={pipelines} value={form.pipeline_id} describedBy={d} empty="The owner's usual one" onChange={(v) => set('pipeline_id', v || null)} />}
							</Field>
							<Field name="form-channel" label="Channel" error={fe('channel')}>
								{(fid, d) => (
									<select id={fid} value={form.channel || ''} aria-describedby={d} onChange={(e) => set('channel', e.currentTarget.value)}>
										<option value="">—</option>
										{CHANNELS.map((c) => <option key={c} value={c}>{human(c)}</option>)}
									</select>
								)}
							</Field>
						</div>
						<div class="form-row">
							<Field name="form-team" label="Team that gets the leads" hint="by territory, then channel, else in turn" error={fe('team_id')}>
								{(fid, d) => <LookupSelect id={fid} fn={teams} value={form.team_id} describedBy={d} empty="—" onChange={(v) => set('team_id', v || null)} />}
							</Field>
							<Field name="form-owner" label="Or always this owner" error={fe('owner_id')}>
								{(fid, d) => <UserSelect id={fid} value={form.owner_id ? String(form.owner_id) : ''} describedBy={d} activeOnly emptyLabel="—" onChange={(v) => set('owner_id', v)} />}
							</Field>
						</div>
						<div class="form-row">
							<Field name="form-thanks" label="Thank-you page (optional)" hint="http(s) address; empty: a built-in page" error={fe('thank_you_url')}>
								{(fid, d) => <input id={fid} type="url" value={form.thank_you_url || ''} maxLength={500} aria-describedby={d} onInput={(e) => set('thank_you_url', e.currentTarget.value)} />}
							</Field>
							<div class="field checkbox-field">
								<input id="f-form-active" type="checkbox" class="checkbox" checked={!!form.active} onChange={(e) => set('active', e.currentTarget.checked)} />
								<label for="f-form-active">Active (off: the public form answers “not found”)</label>
							</div>
						</div>
					</fieldset>
					<fieldset class="panel" disabled={!editable}>
						<legend>Questions</legend>
						{fe('fields') && <p class="field-error" role="alert">{fe('fields')}</p>}
						<ol class="questions">
							{form.fields.map((q, i) => (
								<Question key={i} q={q} i={i} n={form.fields.length} errors={questionErrors(error, i)}
									onChange={(c) => setQ(i, c)} onMove={(d) => moveQ(i, d)} onRemove={() => set('fields', form.fields.filter((_, j) => j !== i))} />
							))}
						</ol>
						<button type="button" class="btn" onClick={() => set('fields', [...form.fields, { name: '', label: '', type: 'text', required: false, maps_to: '' }])}>Add a question</button>
					</fieldset>
					{editable && (
						<div class="form-actions">
							<button type="submit" class="btn btn-primary" disabled={busy}>{busy ? 'Saving…' : isNew ? 'Create form' : 'Save form'}</button>
						</div>
					)}
				</form>
				<div class="builder-side">
					<Preview form={form} />
					{!isNew && <Embed id={id} version={form.version} active={form.active} />}
				</div>
			</div>
		</Page>
	);
}

// What the server keeps of a question: no empty options, no options unless a select.
function cleanQuestion(q) {
	const out = { name: (q.name || '').trim(), label: (q.label || '').trim(), type: q.type, required: !!q.required, maps_to: q.maps_to };
	if (q.type === 'select')
		out.options = (q.options || []).map((o) => o.trim()).filter(Boolean);
	return out;
}

function questionErrors(error, i) {
	if (!error || !error.fields)
		return [];
	const pre = 'fields[' + i + ']';
	return Object.entries(error.fields).filter(([k]) => k === pre || k.startsWith(pre + '.')).map(([k, m]) => (k === pre ? m : k.slice(pre.length + 1) + ': ' + m));
}

function Question({ q, i, n, errors, onChange, onMove, onRemove }) {
	const base = 'q' + i;
	const qualKey = q.maps_to && q.maps_to.startsWith('qualification.') ? q.maps_to.slice(14) : null;
	const onlyQualification = q.type === 'textarea' || q.type === 'checkbox';
	const setLabel = (label) => {
		const c = { label };
		if (!q.name || q.name === keyify(q.label || ''))
			c.name = keyify(label);
		if (qualKey !== null && (!qualKey || qualKey === keyify(q.label || '')))
			c.maps_to = 'qualification.' + keyify(label);
		onChange(c);
	};
	return (
		<li class={'question' + (errors.length ? ' field-invalid' : '')} aria-label={'Question ' + (i + 1) + (q.label ? ': ' + q.label : '')}>
			<div class="form-row">
				<div class="field">
					<label for={base + '-label'}>Question {i + 1}</label>
					<input id={base + '-label'} value={q.label} maxLength={200} onInput={(e) => setLabel(e.currentTarget.value)} />
				</div>
				<div class="field">
					<label for={base + '-type'}>Answer type</label>
					<select id={base + '-type'} value={q.type} onChange={(e) => {
						const type = e.currentTarget.value;
						const c = { type };
						if ((type === 'textarea' || type === 'checkbox') && !String(q.maps_to).startsWith('qualification.'))
							c.maps_to = 'qualification.' + (q.name || keyify(q.label || ''));
						onChange(c);
					}}>
						{TYPES.map((t) => <option key={t} value={t}>{t === 'tel' ? 'phone' : t === 'textarea' ? 'several lines' : t}</option>)}
					</select>
				</div>
				<div class="field">
					<label for={base + '-maps'}>Fills</label>
					<select id={base + '-maps'} value={qualKey !== null ? 'qualification' : q.maps_to} onChange={(e) => {
						const v = e.currentTarget.value;
						onChange({ maps_to: v === 'qualification' ? 'qualification.' + (q.name || keyify(q.label || '')) : v });
					}}>
						<option value="">— choose —</option>
						{!onlyQualification && LEAD_FIELDS.map((f) => <option key={f} value={f}>Lead: {human(f)}</option>)}
						<option value="qualification">A qualification answer</option>
					</select>
				</div>
			</div>
			<div class="form-row">
				<div class="field">
					<label for={base + '-name'}>Input name</label>
					<input id={base + '-name'} value={q.name} maxLength={64} aria-describedby={base + '-name-hint'} onInput={(e) => onChange({ name: e.currentTarget.value })} />
					<p class="hint" id={base + '-name-hint'}>a-z, 0-9 and _</p>
				</div>
				{qualKey !== null && (
					<div class="field">
						<label for={base + '-key'}>Answer kept as</label>
						<input id={base + '-key'} value={qualKey} maxLength={64} aria-describedby={base + '-key-hint'} onInput={(e) => onChange({ maps_to: 'qualification.' + e.currentTarget.value })} />
						<p class="hint" id={base + '-key-hint'}>budget, authority, need, timeline, or a key of your own</p>
					</div>
				)}
				{q.type === 'select' && (
					<div class="field">
						<label for={base + '-options'}>Choices, one per line</label>
						<textarea id={base + '-options'} value={(q.options || []).join('\n')} onInput={(e) => onChange({ options: e.currentTarget.value.split('\n') })} />
					</div>
				)}
			</div>
			<div class="question-tools">
				<span class="checkbox-field">
					<input id={base + '-req'} type="checkbox" class="checkbox" checked={!!q.required} onChange={(e) => onChange({ required: e.currentTarget.checked })} />
					<label for={base + '-req'}>Required</label>
				</span>
				<span class="spacer" />
				<button type="button" class="btn btn-small btn-ghost" disabled={i === 0} onClick={() => onMove(-1)} aria-label={'Move question ' + (i + 1) + ' up'}>↑</button>
				<button type="button" class="btn btn-small btn-ghost" disabled={i === n - 1} onClick={() => onMove(1)} aria-label={'Move question ' + (i + 1) + ' down'}>↓</button>
				<button type="button" class="btn btn-small btn-ghost" onClick={onRemove} aria-label={'Remove question ' + (i + 1)}>Remove</button>
			</div>
			{errors.map((m, k) => <p key={k} class="field-error">{m}</p>)}
		</li>
	);
}

// The public page as a visitor will see it, from the questions being edited.
function Preview({ form }) {
	return (
		<section class="panel preview" aria-labelledby="preview-h">
			<h2 id="preview-h">Preview</h2>
			<div class="preview-page" inert>
				<h3>{form.name || 'Untitled form'}</h3>
				{form.fields.map((q, i) => {
					const pid = 'pv-' + i;
					const lab = (q.label || q.name || 'Question ' + (i + 1)) + (q.required ? ' *' : '');
					if (q.type === 'checkbox')
						return <p key={i} class="checkbox-field"><input id={pid} type="checkbox" class="checkbox" tabindex="-1" /><label for={pid}>{lab}</label></p>;
					return (
						<p key={i} class="field">
							<label for={pid}>{lab}</label>
							{q.type === 'textarea' ? <textarea id={pid} tabindex="-1" />
								: q.type === 'select' ? <select id={pid} tabindex="-1"><option>—</option>{(q.options || []).filter((o) => o.trim()).map((o, k) => <option key={k}>{o}</option>)}</select>
									: <input id={pid} type={q.type} tabindex="-1" />}
						</p>
					);
				})}
				<button type="button" class="btn" tabindex="-1">Send</button>
			</div>
			<p class="hint">A preview: it sends nothing.</p>
		</section>
	);
}

// The address and the iframe to paste, from the server (which knows its own address).
function Embed({ id, version, active }) {
	const [data, setData] = useState(null);
	const [error, setError] = useState(null);
	const [copied, setCopied] = useState('');
	const area = useRef(null);
	useEffect(() => {
		get('/forms/' + id + '/embed').then(setData, setError);
	}, [id, version]);
	const copy = async (text, what) => {
		try {
			await navigator.clipboard.writeText(text);
		} catch (e) {
			// no clipboard permission (plain http): select the text so ctrl-c copies it
			if (area.current) {
				area.current.focus();
				area.current.select();
			}
			document.execCommand && document.execCommand('copy');
		}
		setCopied(what);
	};
	return (
		<section class="panel" aria-labelledby="embed-h">
			<h2 id="embed-h">Put it on your web site</h2>
			<ErrorBox error={error} />
			{!data && !error && <Loading />}
			{data && (
				<>
					{!active && <p class="alert alert-warn">The form is off: the address answers “not found” until it is active.</p>}
					<p>Address: <a href={data.url} target="_blank" rel="noopener">{data.url}</a></p>
					<label for="embed-code">Embed snippet</label>
					<textarea id="embed-code" ref={area} class="code" readOnly value={data.embed} rows={4} onFocus={(e) => e.currentTarget.select()} />
					<div class="form-actions">
						<button type="button" class="btn" onClick={() => copy(data.url, 'address')}>Copy address</button>
						<button type="button" class="btn btn-primary" onClick={() => copy(data.embed, 'snippet')}>Copy snippet</button>
					</div>
					<p class="hint" role="status">{copied ? 'Copied the ' + copied + '.' : ''}</p>
				</>
			)}
		</section>
	);
}
