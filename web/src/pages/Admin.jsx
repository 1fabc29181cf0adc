// Admin (admins only): users (add, role, team, deactivate, quotas), teams, pipelines
// with their stages and exit criteria, lost reasons, document templates, meeting
// lobbies and webhooks (AdminIntegrations.jsx).  Everything
// goes through the same API as the rest (users, teams, lost_reasons and templates are
// records; pipelines have their own endpoint, PATCHed whole with If-Match).
import { useEffect, useState } from 'preact/hooks';
import { del, get, getAll, nameOf, patch, post, put } from '../api.js';
import { label as human, money } from '../format.js';
import { Link } from '../router.jsx';
import { isAdmin, useSession } from '../session.js';
import { Badge, Empty, ErrorBox, Field, Loading, Modal, Page, toast, useAsync } from '../components/ui.jsx';
import { RecordForm } from '../components/RecordForm.jsx';
import { LookupSelect, refresh, teams as teamsLookup } from '../components/lookups.jsx';
import { Lobbies, Webhooks } from './AdminIntegrations.jsx';

const TABS = [
	['users', 'Users'],
	['teams', 'Teams'],
	['pipelines', 'Pipelines'],
	['lost-reasons', 'Lost reasons'],
	['templates', 'Templates'],
	['lobbies', 'Lobbies'],
	['webhooks', 'Webhooks'],
];

export function Admin({ tab = 'users' }) {
	const { user } = useSession();
	if (!isAdmin(user))
		return (
			<Page title="Admin">
				<div class="alert alert-error" role="alert">
					<p>Not allowed: the admin screens are for administrators. Ask an admin if you need a change to users, teams or the sales process.</p>
				</div>
				<p><Link href="/board">Back to the board</Link></p>
			</Page>
		);
	const Tab = { users: Users, teams: Teams, pipelines: Pipelines, 'lost-reasons': LostReasons, templates: Templates, lobbies: Lobbies, webhooks: Webhooks }[tab];
	return (
		<Page title="Admin" wide>
			<nav class="tabs" aria-label="Admin sections">
				<ul>
					{TABS.map(([k, l]) => (
						<li key={k}><Link href={'/admin/' + k} aria-current={k === tab ? 'page' : undefined}>{l}</Link></li>
					))}
				</ul>
			</nav>
			{Tab ? <Tab /> : <p>There is no such admin section.</p>}
		</Page>
	);
}

const etagOf = (r) => '"v' + r.version + '"';

// --- users -----------------------------------------------------------------------------

function Users() {
	const list = useAsync(async () => {
		const [us] = await Promise.all([getAll('/users', { sort: 'name' }), teamsLookup()]);
		return us;
	}, []);
	const [adding, setAdding] = useState(false);
	const [editing, setEditing] = useState(null);
	const [quotas, setQuotas] = useState(null);
	const done = (msg) => {
		refresh('users');
		toast(msg);
		list.reload();
	};
	const setActive = async (u, active) => {
		if (!active && !confirm('Deactivate ' + u.name + '? They can no longer sign in; their sessions and tokens end now.'))
			return;
		try {
			await patch('/users/' + u.id, { active }, { ifMatch: etagOf(u) });
			done((active ? 'Reactivated ' : 'Deactivated ') + u.name);
		} catch (err) {
			toast(err.message, 'error');
		}
	};
	return (
		<section aria-labelledby="users-h" data-ready={list.data ? '' : undefined}>
			<div class="section-head">
				<h2 id="users-h">Users</h2>
				<button type="button" class="btn btn-primary" onClick={() => setAdding(true)}>Add user</button>
			</div>
			<ErrorBox error={list.error} onRetry={list.reload} />
			{list.loading && !list.data && <Loading what="users" />}
			{list.data && (
				<div class="panel table-wrap">
					<table>
						<thead><tr><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Team</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
						<tbody>
							{list.data.map((u) => (
								<tr key={u.id}>
									<td>{u.name}</td>
									<td>{u.email}</td>
									<td>{human(u.role)}</td>
									<td>{u.team_id ? nameOf('teams', u.team_id) : '—'}</td>
									<td>{u.active ? <Badge kind="ok">Active</Badge> : <Badge>Inactive</Badge>}</td>
									<td class="row-actions">
										<button type="button" class="btn btn-small" onClick={() => setEditing(u)} aria-label={'Edit ' + u.name}>Edit</button>
										<button type="button" class="btn btn-small" onClick={() => setQuotas(u)} aria-label={'Quotas of ' + u.name}>Quotas</button>
										{u.active
											? <button type="button" class="btn btn-small btn-ghost" onClick={() => setActive(u, false)} aria-label={'Deactivate ' + u.name}>Deactivate</button>
											: <button type="button" class="btn btn-small btn-ghost" onClick={() => setActive(u, true)} aria-label={'Reactivate ' + u.name}>Reactivate</button>}
									</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
			<Modal title="Add user" open={adding} onClose={() => setAdding(false)}>
				{adding && <RecordForm resource="users" mode="create" idPrefix="new-user" submitLabel="Add user"
					fields={['name', 'email', 'role', 'team_id', 'manager_id', 'territory', 'industry', 'channel', 'password']}
					onCancel={() => setAdding(false)}
					onSubmit={async (body) => {
						const u = await post('/users', body);
						setAdding(false);
						done('Added ' + u.name);
					}} />}
			</Modal>
			<Modal title={editing ? 'Edit ' + editing.name : ''} open={!!editing} onClose={() => setEditing(null)}>
				{editing && <RecordForm resource="users" mode="update" record={editing} idPrefix="edit-user"
					fields={['name', 'email', 'role', 'team_id', 'manager_id', 'territory', 'industry', 'channel', 'active', 'password']}
					onCancel={() => setEditing(null)}
					onSubmit={async (body) => {
						if (Object.keys(body).length)
							await patch('/users/' + editing.id, body, { ifMatch: etagOf(editing) });
						setEditing(null);
						done('Saved ' + editing.name);
					}} />}
			</Modal>
			<Modal title={quotas ? 'Quotas of ' + quotas.name : ''} open={!!quotas} onClose={() => setQuotas(null)}>
				{quotas && <Quotas user={quotas} />}
			</Modal>
		</section>
	);
}

function Quotas({ user }) {
	const list = useAsync(() => get('/users/' + user.id + '/quotas').then((d) => d.data), [user.id]);
	const now = new Date();
	const [period, setPeriod] = useState(now.getFullYear() + '-Q' + (Math.floor(now.getMonth() / 3) + 1));
	const [amount, setAmount] = useState('');
	const [currency, setCurrency] = useState('EUR');
	const [error, setError] = useState(null);
	const save = async (e) => {
		e.preventDefault();
		setError(null);
		try {
			const d = await put('/users/' + user.id + '/quotas/' + encodeURIComponent(period.trim()), { amount: amount.trim(), currency: currency.trim().toUpperCase() });
			list.setData(d.data);
			toast('Quota set for ' + period);
			setAmount('');
		} catch (err) {
			setError(err);
		}
	};
	const fe = (k) => error && error.fields && error.fields[k];
	return (
		<>
			<ErrorBox error={list.error} />
			{list.data && list.data.length === 0 && <Empty>No quota set yet.</Empty>}
			{list.data && list.data.length > 0 && (
				<table>
					<thead><tr><th scope="col">Period</th><th scope="col" class="num">Quota</th></tr></thead>
					<tbody>{list.data.map((q) => <tr key={q.period}><td>{q.period}</td><td class="num">{money(q.amount, q.currency)}</td></tr>)}</tbody>
				</table>
			)}
			<form class="quota-form" onSubmit={save} noValidate>
				{error && !fe('period') && !fe('amount') && !fe('currency') && <ErrorBox error={error} />}
				<div class="form-row">
					<Field name="quota-period" label="Period" hint="a quarter (2026-Q4) or a month (2026-11)" error={fe('period')}>
						{(id, d) => <input id={id} value={period} aria-describedby={d} onInput={(e) => setPeriod(e.currentTarget.value)} />}
					</Field>
					<Field name="quota-amount" label="Amount" error={fe('amount')}>
						{(id, d) => <input id={id} value={amount} inputmode="decimal" aria-describedby={d} onInput={(e) => setAmount(e.currentTarget.value)} />}
					</Field>
					<Field name="quota-currency" label="Currency" error={fe('currency')}>
						{(id, d) => <input id={id} value={currency} maxLength={3} aria-describedby={d} onInput={(e) => setCurrency(e.currentTarget.value)} />}
					</Field>
				</div>
				<div class="form-actions"><button type="submit" class="btn btn-primary">Set quota</button></div>
			</form>
		</>
	);
}

// --- teams -----------------------------------------------------------------------------

function Teams() {
	const list = useAsync(() => getAll('/teams', { sort: 'name' }), []);
	const [editing, setEditing] = useState(null); // a team, or {} for a new one
	const done = (msg) => {
		refresh('teams');
		toast(msg);
		list.reload();
	};
	const remove = async (t) => {
		if (!confirm('Delete the team ' + t.name + '?'))
			return;
		try {
			await del('/teams/' + t.id, { ifMatch: etagOf(t) });
			done('Deleted ' + t.name);
		} catch (err) {
			toast(err.message, 'error');
		}
	};
	// the tree, depth first, each team under its parent
	const rows = [];
	if (list.data) {
		const kids = new Map();
		for (const t of list.data)
			kids.set(t.parent_id || 0, [...(kids.get(t.parent_id || 0) || []), t]);
		const walk = (pid, depth) => (kids.get(pid) || []).forEach((t) => {
			rows.push([t, depth]);
			walk(t.id, depth + 1);
		});
		walk(0, 0);
	}
	return (
		<section aria-labelledby="teams-h" data-ready={list.data ? '' : undefined}>
			<div class="section-head">
				<h2 id="teams-h">Teams</h2>
				<button type="button" class="btn btn-primary" onClick={() => setEditing({})}>Add team</button>
			</div>
			<p class="muted">A manager sees the records of their team and every team below it.</p>
			<ErrorBox error={list.error} onRetry={list.reload} />
			{list.data && (
				<div class="panel table-wrap">
					<table>
						<thead><tr><th scope="col">Team</th><th scope="col">Above it</th><th scope="col">Actions</th></tr></thead>
						<tbody>
							{rows.map(([t, depth]) => (
								<tr key={t.id}>
									<td><span class={'indent-' + Math.min(depth, 4)}>{t.name}</span></td>
									<td>{t.parent_id ? nameOf('teams', t.parent_id) : '—'}</td>
									<td class="row-actions">
										<button type="button" class="btn btn-small" onClick={() => setEditing(t)} aria-label={'Edit ' + t.name}>Edit</button>
										<button type="button" class="btn btn-small btn-ghost" onClick={() => remove(t)} aria-label={'Delete ' + t.name}>Delete</button>
									</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
			<Modal title={editing && editing.id ? 'Edit ' + editing.name : 'Add team'} open={!!editing} onClose={() => setEditing(null)}>
				{editing && <RecordForm resource="teams" mode={editing.id ? 'update' : 'create'} record={editing.id ? editing : undefined}
					idPrefix="team" onCancel={() => setEditing(null)}
					onSubmit={async (body) => {
						if (editing.id)
							await patch('/teams/' + editing.id, body, { ifMatch: etagOf(editing) });
						else
							await post('/teams', body);
						setEditing(null);
						done('Saved ' + (body.name || editing.name));
					}} />}
			</Modal>
		</section>
	);
}

// --- pipelines -------------------------------------------------------------------------

const SECTIONS = ['upper', 'middle', 'lower', 'won', 'lost'];
const CATEGORIES = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'];
const CRITERION_FIELDS = ['amount', 'close_date', 'contact_id', 'channel', 'forecast_category', 'decision_maker'];
const ACTIVITY_TYPES = ['call', 'meeting', 'email', 'task', 'note'];
const ENFORCEMENT = {
	strict: 'Strict — one stage at a time forward, criteria must hold',
	guided: 'Guided — forward when the criteria hold, back freely',
	free: 'Free — any move (still recorded)',
};

export function criterionText(c) {
	if (c.label)
		return c.label;
	if (c.kind === 'field')
		return c.field === 'decision_maker' ? 'A decision maker among the contacts' : human(c.field.replace(/_id$/, '')) + ' filled in';
	if (c.kind === 'activity')
		return 'A completed ' + c.activity_type;
	if (c.kind === 'document')
		return 'A ' + String(c.document_kind).replace(/_/g, ' ') + ' attached';
	if (c.kind === 'payment')
		return 'Paid in full';
	return c.kind;
}

// The JSON the API takes for a criterion: no empty members.
function cleanCriterion(c) {
	const out = { kind: c.kind };
	for (const k of ['field', 'activity_type', 'document_kind', 'label'])
		if (c[k])
			out[k] = c[k];
	return out;
}

function Pipelines() {
	const list = useAsync(() => get('/pipelines').then((d) => d.data), []);
	const [sel, setSel] = useState(null);
	const [creating, setCreating] = useState(false);
	useEffect(() => {
		if (list.data && (!sel || !list.data.some((p) => p.id === sel)))
			setSel(list.data.length ? (list.data.find((p) => p.is_default) || list.data[0]).id : null);
	}, [list.data]); // eslint-disable-line
	const current = list.data && list.data.find((p) => p.id === sel);
	const changed = (id) => {
		refresh('pipelines');
		list.reload();
		if (id)
			setSel(id);
	};
	return (
		<section aria-labelledby="pipelines-h" data-ready={list.data ? '' : undefined}>
			<div class="section-head">
				<h2 id="pipelines-h">Pipelines</h2>
				<label for="pipeline-pick" class="visually-hidden">Pipeline</label>
				<select id="pipeline-pick" class="inline-select" value={sel || ''} onChange={(e) => setSel(Number(e.currentTarget.value))}>
					{(list.data || []).map((p) => <option key={p.id} value={p.id}>{p.name}{p.is_default ? ' (default)' : ''}</option>)}
				</select>
				<button type="button" class="btn" onClick={() => setCreating(true)} disabled={!current}>New pipeline</button>
			</div>
			<ErrorBox error={list.error} onRetry={list.reload} />
			{list.loading && !list.data && <Loading what="pipelines" />}
			{current && <PipelineEditor key={current.id + ':' + current.version} pipeline={current} onSaved={changed} />}
			<Modal title="New pipeline" open={creating} onClose={() => setCreating(false)}>
				{creating && current && <NewPipeline from={current} onCancel={() => setCreating(false)} onDone={(id) => { setCreating(false); changed(id); }} />}
			</Modal>
		</section>
	);
}

function NewPipeline({ from, onCancel, onDone }) {
	const [name, setName] = useState('');
	const [error, setError] = useState(null);
	const create = async (e) => {
		e.preventDefault();
		setError(null);
		try {
			const body = {
				name: name.trim(), enforcement: from.enforcement,
				stages: from.stages.map((s) => ({ key: s.key, name: s.name, probability: s.probability, section: s.section, forecast_category: s.forecast_category, stale_days: s.stale_days, idle_days: s.idle_days, criteria: s.criteria.map(cleanCriterion) })),
			};
			const p = await post('/pipelines', body);
			toast('Created ' + p.name);
			onDone(p.id);
		} catch (err) {
			setError(err);
		}
	};
	return (
		<form onSubmit={create} noValidate>
			{error && !(error.fields && error.fields.name) && <ErrorBox error={error} />}
			<Field name="new-pipeline-name" label="Name" hint={'Starts as a copy of “' + from.name + '”; change its stages after.'} error={error && error.fields && error.fields.name}>
				{(id, d) => <input id={id} value={name} required maxLength={200} aria-describedby={d} onInput={(e) => setName(e.currentTarget.value)} />}
			</Field>
			<div class="modal-foot">
				<button type="button" class="btn" onClick={onCancel}>Cancel</button>
				<button type="submit" class="btn btn-primary" disabled={!name.trim()}>Create pipeline</button>
			</div>
		</form>
	);
}

function PipelineEditor({ pipeline, onSaved }) {
	const [p, setP] = useState(() => ({
		name: pipeline.name, enforcement: pipeline.enforcement, team_id: pipeline.team_id, channel: pipeline.channel,
		stages: pipeline.stages.map((s) => ({ ...s, criteria: s.criteria.map(cleanCriterion), isNew: false })),
	}));
	const [reassign, setReassign] = useState({});
	const [error, setError] = useState(null);
	const [busy, setBusy] = useState(false);
	const keys = new Set(p.stages.map((s) => s.key));
	const removed = pipeline.stages.filter((s) => !keys.has(s.key));
	const setStage = (i, c) => setP((x) => ({ ...x, stages: x.stages.map((s, j) => (j === i ? { ...s, ...c } : s)) }));
	const move = (i, d) => setP((x) => {
		const st = x.stages.slice();
		const [s] = st.splice(i, 1);
		st.splice(i + d, 0, s);
		return { ...x, stages: st };
	});
	const addStage = () => setP((x) => {
		const st = x.stages.slice();
		let at = st.findIndex((s) => s.section === 'won' || s.section === 'lost');
		if (at < 0)
			at = st.length;
		// like the stage before it, so the sections stay in funnel order
		const prev = st[at - 1] || { section: 'upper', forecast_category: 'pipeline', probability: 10 };
		const n = { key: '', name: '', probability: prev.probability, section: prev.section, forecast_category: prev.forecast_category, stale_days: 30, idle_days: 14, criteria: [], isNew: true };
		st.splice(at, 0, n);
		return { ...x, stages: st };
	});
	const fe = (k) => error && error.fields && error.fields[k];

	const save = async (e) => {
		e.preventDefault();
		setBusy(true);
		setError(null);
		const body = {
			name: p.name.trim(), enforcement: p.enforcement, team_id: p.team_id ? Number(p.team_id) : null, channel: p.channel || null,
			stages: p.stages.map((s) => ({
				key: s.key.trim(), name: s.name.trim(), probability: Number(s.probability), section: s.section,
				forecast_category: s.forecast_category, stale_days: Number(s.stale_days), idle_days: Number(s.idle_days),
				criteria: s.criteria.map(cleanCriterion),
			})),
		};
		const ra = Object.fromEntries(Object.entries(reassign).filter(([k, v]) => v && removed.some((s) => s.key === k)));
		if (Object.keys(ra).length)
			body.reassign = ra;
		try {
			await patch('/pipelines/' + pipeline.id, body, { ifMatch: etagOf(pipeline) });
			toast('Saved ' + body.name);
			onSaved(pipeline.id);
		} catch (err) {
			setError(err);
			setBusy(false);
		}
	};
	const remove = async () => {
		if (!confirm('Delete the pipeline ' + pipeline.name + '?'))
			return;
		try {
			await del('/pipelines/' + pipeline.id);
			toast('Deleted ' + pipeline.name);
			onSaved(null);
		} catch (err) {
			toast(err.message, 'error');
		}
	};
	const stageErrors = (i) => (error && error.fields ? Object.entries(error.fields).filter(([k]) => k === 'stages[' + i + ']' || k.startsWith('stages[' + i + '].')) : []);
	const fieldErrorCount = error && error.fields ? Object.keys(error.fields).length : 0;
	return (
		<form class="pipeline-editor" onSubmit={save} noValidate aria-label={'Pipeline ' + pipeline.name}>
			{error && (error.status === 412
				? <ErrorBox error={new Error('Someone changed this pipeline since you opened it: reload the page and make your change again.')} />
				: fieldErrorCount ? <p class="alert alert-error" role="alert">{error.message}</p> : <ErrorBox error={error} />)}
			<div class="panel">
				<div class="form-row">
					<Field name="pl-name" label="Name" error={fe('name')}>
						{(id, d) => <input id={id} value={p.name} maxLength={200} aria-describedby={d} onInput={(e) => setP({ ...p, name: e.currentTarget.value })} />}
					</Field>
					<Field name="pl-enforcement" label="How strict" error={fe('enforcement')}>
						{(id, d) => (
							<select id={id} value={p.enforcement} aria-describedby={d} onChange={(e) => setP({ ...p, enforcement: e.currentTarget.value })}>
								{Object.entries(ENFORCEMENT).map(([k, l]) => <option key={k} value={k}>{l}</option>)}
							</select>
						)}
					</Field>
				</div>
				<div class="form-row">
					<Field name="pl-team" label="For the team (and the teams below)" error={fe('team_id')}>
						{(id, d) => <LookupSelect id={id} fn={teamsLookup} value={p.team_id} describedBy={d} empty="Every team" onChange={(v) => setP({ ...p, team_id: v || null })} />}
					</Field>
					<Field name="pl-channel" label="For the channel" error={fe('channel')}>
						{(id, d) => (
							<select id={id} value={p.channel || ''} aria-describedby={d} onChange={(e) => setP({ ...p, channel: e.currentTarget.value || null })}>
								<option value="">Every channel</option>
								{['field', 'inside', 'partner', 'web', 'retail'].map((c) => <option key={c} value={c}>{human(c)}</option>)}
							</select>
						)}
					</Field>
				</div>
				{pipeline.is_default && <p class="muted">This is the default pipeline: deals no other pipeline applies to follow it.</p>}
			</div>
			<h3>Stages</h3>
			{fe('stages') && <p class="field-error" role="alert">{fe('stages')}</p>}
			<ol class="stages">
				{p.stages.map((s, i) => (
					<StageEditor key={i} s={s} i={i} n={p.stages.length} errors={stageErrors(i)}
						onChange={(c) => setStage(i, c)} onMove={(d) => move(i, d)}
						onRemove={() => setP((x) => ({ ...x, stages: x.stages.filter((_, j) => j !== i) }))} />
				))}
			</ol>
			<button type="button" class="btn" onClick={addStage}>Add a stage</button>
			{removed.length > 0 && (
				<div class="panel reassign">
					<h3>Removed stages</h3>
					<p class="muted">Deals in a removed stage must go to a stage of the new map.</p>
					{removed.map((s) => (
						<Field key={s.key} name={'reassign-' + s.key} label={'Deals in ' + s.name + ' go to'} error={fe('reassign.' + s.key)}>
							{(id, d) => (
								<select id={id} value={reassign[s.key] || ''} aria-describedby={d} onChange={(e) => setReassign({ ...reassign, [s.key]: e.currentTarget.value })}>
									<option value="">— (only if it has none)</option>
									{p.stages.filter((x) => x.key).map((x) => <option key={x.key} value={x.key}>{x.name || x.key}</option>)}
								</select>
							)}
						</Field>
					))}
				</div>
			)}
			<div class="form-actions">
				{!pipeline.is_default && <button type="button" class="btn btn-ghost" onClick={remove}>Delete pipeline</button>}
				<button type="submit" class="btn btn-primary" disabled={busy}>{busy ? 'Saving…' : 'Save pipeline'}</button>
			</div>
		</form>
	);
}

function StageEditor({ s, i, n, errors, onChange, onMove, onRemove }) {
	const b = 'st' + i;
	const keyify = (x) => x.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 63);
	const open = s.section !== 'lost'; // a won stage may gate the next (payment collected)
	return (
		<li class={'panel stage-edit' + (errors.length ? ' field-invalid' : '')} aria-label={'Stage ' + (i + 1) + (s.name ? ': ' + s.name : '')}>
			<div class="form-row">
				<div class="field">
					<label for={b + '-name'}>Stage {i + 1} name</label>
					<input id={b + '-name'} value={s.name} maxLength={200} onInput={(e) => {
						const name = e.currentTarget.value;
						onChange(s.isNew && (!s.key || s.key === keyify(s.name)) ? { name, key: keyify(name) } : { name });
					}} />
				</div>
				<div class="field">
					<label for={b + '-key'}>Key</label>
					<input id={b + '-key'} value={s.key} maxLength={63} readOnly={!s.isNew} aria-describedby={b + '-key-hint'} onInput={(e) => onChange({ key: e.currentTarget.value })} />
					<p class="hint" id={b + '-key-hint'}>{s.isNew ? 'a-z, 0-9 and _; fixed once saved' : 'fixed: deals and reports refer to it'}</p>
				</div>
				<div class="field">
					<label for={b + '-section'}>Funnel section</label>
					<select id={b + '-section'} value={s.section} onChange={(e) => onChange({ section: e.currentTarget.value })}>
						{SECTIONS.map((x) => <option key={x} value={x}>{human(x)}</option>)}
					</select>
				</div>
			</div>
			<div class="form-row">
				<div class="field">
					<label for={b + '-prob'}>Win probability %</label>
					<input id={b + '-prob'} type="number" min="0" max="100" value={s.probability} onInput={(e) => onChange({ probability: e.currentTarget.value })} />
				</div>
				<div class="field">
					<label for={b + '-cat'}>Forecast category</label>
					<select id={b + '-cat'} value={s.forecast_category} onChange={(e) => onChange({ forecast_category: e.currentTarget.value })}>
						{CATEGORIES.map((x) => <option key={x} value={x}>{human(x)}</option>)}
					</select>
				</div>
				<div class="field">
					<label for={b + '-stale'}>Stale after (days)</label>
					<input id={b + '-stale'} type="number" min="0" max="3650" value={s.stale_days} onInput={(e) => onChange({ stale_days: e.currentTarget.value })} />
				</div>
				<div class="field">
					<label for={b + '-idle'}>Idle after (days)</label>
					<input id={b + '-idle'} type="number" min="0" max="3650" value={s.idle_days} onInput={(e) => onChange({ idle_days: e.currentTarget.value })} />
				</div>
			</div>
			{open && <Criteria list={s.criteria} base={b} stageName={s.name || 'this stage'} onChange={(criteria) => onChange({ criteria })} />}
			<div class="question-tools">
				<span class="spacer" />
				<button type="button" class="btn btn-small btn-ghost" disabled={i === 0} onClick={() => onMove(-1)} aria-label={'Move stage ' + (i + 1) + ' up'}>↑</button>
				<button type="button" class="btn btn-small btn-ghost" disabled={i === n - 1} onClick={() => onMove(1)} aria-label={'Move stage ' + (i + 1) + ' down'}>↓</button>
				<button type="button" class="btn btn-small btn-ghost" onClick={onRemove} aria-label={'Remove stage ' + (i + 1)}>Remove</button>
			</div>
			{errors.map(([k, m]) => <p key={k} class="field-error">{k.replace(/^stages\[\d+\]\.?/, '') || 'stage'}: {m}</p>)}
		</li>
	);
}

function Criteria({ list, base, stageName, onChange }) {
	const [kind, setKind] = useState('field');
	const [field, setField] = useState('amount');
	const [activity, setActivity] = useState('meeting');
	const [doc, setDoc] = useState('');
	const [label, setLabel] = useState('');
	const add = () => {
		const c = { kind };
		if (kind === 'field')
			c.field = field;
		if (kind === 'activity')
			c.activity_type = activity;
		if (kind === 'document')
			c.document_kind = doc.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_');
		if (label.trim())
			c.label = label.trim();
		onChange([...list, c]);
		setLabel('');
		setDoc('');
	};
	return (
		<fieldset class="criteria">
			<legend>To leave {stageName} forward</legend>
			{list.length === 0 && <p class="muted">Nothing is required.</p>}
			<ul class="chips">
				{list.map((c, k) => (
					<li key={k} class="chip">
						<span>{criterionText(c)}</span>
						<button type="button" class="chip-x" aria-label={'Remove criterion ' + criterionText(c)} onClick={() => onChange(list.filter((_, j) => j !== k))}>×</button>
					</li>
				))}
			</ul>
			<div class="criterion-add">
				<span class="field">
					<label for={base + '-ck'}>New exit criterion</label>
					<select id={base + '-ck'} value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
						<option value="field">A field filled in</option>
						<option value="activity">A completed activity</option>
						<option value="document">A document attached</option>
						<option value="payment">Paid in full</option>
					</select>
				</span>
				{kind === 'field' && (
					<span class="field">
						<label for={base + '-cf'}>Field</label>
						<select id={base + '-cf'} value={field} onChange={(e) => setField(e.currentTarget.value)}>
							{CRITERION_FIELDS.map((f) => <option key={f} value={f}>{f === 'decision_maker' ? 'Decision maker (a contact)' : human(f.replace(/_id$/, ''))}</option>)}
						</select>
					</span>
				)}
				{kind === 'activity' && (
					<span class="field">
						<label for={base + '-ca'}>Activity</label>
						<select id={base + '-ca'} value={activity} onChange={(e) => setActivity(e.currentTarget.value)}>
							{ACTIVITY_TYPES.map((t) => <option key={t} value={t}>{human(t)}</option>)}
						</select>
					</span>
				)}
				{kind === 'document' && (
					<span class="field">
						<label for={base + '-cd'}>Document kind</label>
						<input id={base + '-cd'} value={doc} placeholder="proposal, contract…" onInput={(e) => setDoc(e.currentTarget.value)} />
					</span>
				)}
				<span class="field">
					<label for={base + '-cl'}>In words (optional)</label>
					<input id={base + '-cl'} value={label} maxLength={250} onInput={(e) => setLabel(e.currentTarget.value)} />
				</span>
				<button type="button" class="btn btn-small" onClick={add} disabled={kind === 'document' && !doc.trim()}>Add criterion</button>
			</div>
		</fieldset>
	);
}

// --- lost reasons ----------------------------------------------------------------------

function LostReasons() {
	const list = useAsync(() => getAll('/lost_reasons', { sort: 'name' }), []);
	const [name, setName] = useState('');
	const [error, setError] = useState(null);
	const add = async (e) => {
		e.preventDefault();
		setError(null);
		try {
			await post('/lost_reasons', { name: name.trim() });
			toast('Added “' + name.trim() + '”');
			setName('');
			list.reload();
		} catch (err) {
			setError(err);
		}
	};
	const toggle = async (r) => {
		try {
			await patch('/lost_reasons/' + r.id, { active: !r.active }, { ifMatch: etagOf(r) });
			list.reload();
		} catch (err) {
			toast(err.message, 'error');
		}
	};
	const rename = async (r) => {
		const n = prompt('New name for “' + r.name + '”', r.name);
		if (!n || n.trim() === r.name)
			return;
		try {
			await patch('/lost_reasons/' + r.id, { name: n.trim() }, { ifMatch: etagOf(r) });
			list.reload();
		} catch (err) {
			toast(err.message, 'error');
		}
	};
	return (
		<section aria-labelledby="lr-h" data-ready={list.data ? '' : undefined}>
			<h2 id="lr-h">Lost reasons</h2>
			<p class="muted">A lost deal needs one of the active reasons. An inactive one stays on old deals.</p>
			<ErrorBox error={list.error} onRetry={list.reload} />
			{list.data && (
				<div class="panel table-wrap">
					<table>
						<thead><tr><th scope="col">Reason</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
						<tbody>
							{list.data.map((r) => (
								<tr key={r.id}>
									<td>{r.name}</td>
									<td>{r.active ? <Badge kind="ok">Offered</Badge> : <Badge>Retired</Badge>}</td>
									<td class="row-actions">
										<button type="button" class="btn btn-small" onClick={() => rename(r)} aria-label={'Rename ' + r.name}>Rename</button>
										<button type="button" class="btn btn-small btn-ghost" onClick={() => toggle(r)} aria-label={(r.active ? 'Retire ' : 'Offer again ') + r.name}>{r.active ? 'Retire' : 'Offer again'}</button>
									</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
			<form class="inline-form panel" onSubmit={add} noValidate>
				<Field name="lr-name" label="New reason" error={error && (error.fields?.name || (!error.fields?.name && error.message))}>
					{(id, d) => <input id={id} value={name} maxLength={200} aria-describedby={d} onInput={(e) => setName(e.currentTarget.value)} />}
				</Field>
				<button type="submit" class="btn btn-primary" disabled={!name.trim()}>Add reason</button>
			</form>
		</section>
	);
}

// --- templates -------------------------------------------------------------------------

function Templates() {
	const list = useAsync(() => getAll('/templates', { sort: 'name' }), []);
	const [editing, setEditing] = useState(null); // a template or {} for new
	const remove = async (t) => {
		if (!confirm('Delete the template ' + t.name + '?'))
			return;
		try {
			await del('/templates/' + t.id, { ifMatch: etagOf(t) });
			toast('Deleted ' + t.name);
			list.reload();
		} catch (err) {
			toast(err.message, 'error');
		}
	};
	return (
		<section aria-labelledby="tpl-h" data-ready={list.data ? '' : undefined}>
			<div class="section-head">
				<h2 id="tpl-h">Document templates</h2>
				<button type="button" class="btn btn-primary" onClick={() => setEditing({})}>Add template</button>
			</div>
			<p class="muted">Merge fields such as <code>{'{{account.name}}'}</code>, <code>{'{{contact.first_name}}'}</code>, <code>{'{{opportunity.amount}}'}</code>, <code>{'{{owner.name}}'}</code>, <code>{'{{today}}'}</code> are filled in when a document is made for a deal.</p>
			<ErrorBox error={list.error} onRetry={list.reload} />
			{list.data && (
				<div class="panel table-wrap">
					<table>
						<thead><tr><th scope="col">Template</th><th scope="col">Kind</th><th scope="col">Actions</th></tr></thead>
						<tbody>
							{list.data.map((t) => (
								<tr key={t.id}>
									<td>{t.name}</td>
									<td>{human(t.kind)}</td>
									<td class="row-actions">
										<button type="button" class="btn btn-small" onClick={() => setEditing(t)} aria-label={'Edit ' + t.name}>Edit</button>
										<button type="button" class="btn btn-small btn-ghost" onClick={() => remove(t)} aria-label={'Delete ' + t.name}>Delete</button>
									</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
			<Modal title={editing && editing.id ? 'Edit ' + editing.name : 'Add template'} open={!!editing} onClose={() => setEditing(null)}>
				{editing && <RecordForm resource="templates" mode={editing.id ? 'update' : 'create'} record={editing.id ? editing : undefined}
					idPrefix="tpl" onCancel={() => setEditing(null)}
					onSubmit={async (body) => {
						if (editing.id) {
							if (Object.keys(body).length)
								await patch('/templates/' + editing.id, body, { ifMatch: etagOf(editing) });
						} else {
							await post('/templates', body);
						}
						setEditing(null);
						toast('Saved');
						list.reload();
					}} />}
			</Modal>
		</section>
	);
}
