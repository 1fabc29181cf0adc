// The opportunity page: its fields (inline edit: PATCH with If-Match, so a change made
// by someone else meanwhile is not overwritten), the stage and its move, the timeline of
// activities, stage history, files, payments and the audit trail; quick actions
// to log a call, schedule a meeting and generate the contract; the account and the
// pipeline changed in a dialog that says what the change does first; delete.
import { useEffect, useState } from 'preact/hooks';
import { cached, del, get, loadNames, nameOf, patch, post } from '../api.js';
import { Attachments } from '../components/attachments.jsx';
import { RecordPicker } from '../components/lookups.jsx';
import { useMove } from '../components/move.jsx';
import { Payments } from '../components/payments.jsx';
import { Badge, Empty, ErrorBox, Field, Loading, Modal, Page, toast } from '../components/ui.jsx';
import { date, dateTime, isoToLocalInput, label, localInputToIso, money, plural } from '../format.js';
import { Link, navigate } from '../router.jsx';
import { isManager, useSession } from '../session.js';

const CHANNELS = ['field', 'inside', 'partner', 'web', 'retail'];
const FORECAST = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'];
const STATUS_BADGE = { open: 'primary', won: 'ok', lost: 'danger' };

export function Opportunity({ id }) {
	const { user } = useSession();
	const [opp, setOpp] = useState(null);
	const [pipeline, setPipeline] = useState(null);
	const [error, setError] = useState(null);
	const [stale, setStale] = useState(false); // a 412: someone changed it meanwhile
	const [tick, setTick] = useState(0);      // bump to reload the panels below
	const [dialog, setDialog] = useState(null); // 'call' | 'meeting' | 'document' | 'account' | 'pipeline' | 'delete'

	const load = async () => {
		setError(null);
		setStale(false);
		try {
			const o = await get('/opportunities/' + id);
			const [pipes] = await Promise.all([
				cached('/pipelines'),
				loadNames('accounts', [o.account_id]),
				loadNames('users', [o.owner_id]),
				o.contact_id ? loadNames('contacts', [o.contact_id]) : null,
			]);
			setPipeline(pipes.data.find((p) => p.id === o.pipeline_id) || null);
			setOpp(o);
		} catch (e) {
			setError(e);
		}
	};
	useEffect(() => { load(); }, [id]);

	const mover = useMove((moved) => {
		setOpp(moved);
		setTick((t) => t + 1);
	});

	// PATCH some fields with If-Match; null when saved, else the ApiError (a 412 also
	// raises the "someone changed it" banner)
	const saveFields = async (body, what) => {
		try {
			const r = await patch('/opportunities/' + id, body, { ifMatch: '"v' + opp.version + '"' });
			const o = r.data;
			await Promise.all([
				o.contact_id ? loadNames('contacts', [o.contact_id]) : null,
				loadNames('users', [o.owner_id]),
				loadNames('accounts', [o.account_id]),
			]);
			if (o.pipeline_id !== opp.pipeline_id)
				setPipeline((await cached('/pipelines')).data.find((p) => p.id === o.pipeline_id) || null);
			setOpp(o);
			setTick((t) => t + 1);
			toast(what + ' saved');
			return null;
		} catch (e) {
			if (e.status === 412)
				setStale(true);
			return e;
		}
	};
	const save = (field, value) => saveFields({ [field]: value }, label(field.replace(/_id$/, '')));

	if (error)
		return <Page title="Opportunity"><ErrorBox error={error} onRetry={error.status === 404 ? null : load} />
			{error.status === 404 && <p><Link href="/board">Back to the board</Link></p>}</Page>;
	if (!opp)
		return <Page title="Opportunity"><Loading what="the opportunity" /></Page>;

	const stages = pipeline ? pipeline.stages : [];
	const stage = stages.find((s) => s.key === opp.stage) || { key: opp.stage, name: opp.stage };
	const refresh = () => setTick((t) => t + 1);
	const actions = (
		<>
			<button type="button" class="btn" onClick={() => setDialog('call')}>Log a call</button>
			<button type="button" class="btn" onClick={() => setDialog('meeting')}>Schedule a meeting</button>
			<button type="button" class="btn" onClick={() => setDialog('document')}>Generate the contract</button>
			{stages.length > 0 && <button type="button" class="btn btn-primary" onClick={() => mover.choose(opp, stages)}>Move stage…</button>}
			<button type="button" class="btn btn-ghost" onClick={() => setDialog('delete')}>Delete…</button>
		</>
	);

	return (
		<Page title={opp.name} actions={actions}>
			<div class="opp-summary" data-ready="1">
				<Badge kind={STATUS_BADGE[opp.status]}>{label(opp.status)}</Badge>
				<span class="opp-stage">{stage.name}</span>
				<span class="opp-amount">{money(opp.amount, opp.currency)}</span>
				<span class="muted">closes {date(opp.close_date)}</span>
				<span class="muted">{nameOf('accounts', opp.account_id)}</span>
				<span class="muted">owner {nameOf('users', opp.owner_id)}</span>
			</div>
			{stale && (
				<div class="alert alert-warn" role="alert">
					<p>Someone else changed this deal since you opened it; your change was not saved.</p>
					<button type="button" class="btn btn-small" onClick={load}>Reload the deal</button>
				</div>
			)}
			<div class="opp-grid">
				<div class="opp-side">
					<Details opp={opp} stage={stage} pipeline={pipeline} save={save} user={user} onDialog={setDialog} />
					<Attachments relatedType="opportunity" relatedId={opp.id} tick={tick} kinds={documentKinds(pipeline)}
						actions={<button type="button" class="btn btn-small" onClick={() => setDialog('document')}>Generate…</button>} />
					<Payments opp={opp} tick={tick} onChanged={() => load().then(refresh)} />
					<Meetings opp={opp} tick={tick} />
				</div>
				<div class="opp-main">
					<Timeline opp={opp} tick={tick} onChange={refresh} />
					<StageHistory opp={opp} stages={stages} tick={tick} />
					<ChangeHistory opp={opp} tick={tick} />
				</div>
			</div>
			{dialog === 'call' && <ActivityDialog kind="call" opp={opp} onClose={() => setDialog(null)} onSaved={refresh} />}
			{dialog === 'meeting' && <ActivityDialog kind="meeting" opp={opp} onClose={() => setDialog(null)} onSaved={refresh} />}
			{dialog === 'document' && <DocumentDialog opp={opp} onClose={() => setDialog(null)} onSaved={refresh} />}
			{dialog === 'account' && <AccountDialog opp={opp} save={saveFields} onClose={() => setDialog(null)} />}
			{dialog === 'pipeline' && <PipelineDialog opp={opp} pipeline={pipeline} save={saveFields} onClose={() => setDialog(null)} />}
			{dialog === 'delete' && <DeleteDialog opp={opp} onClose={() => setDialog(null)} onStale={() => { setDialog(null); setStale(true); }} />}
			{mover.dialog}
		</Page>
	);
}

// --- fields ----------------------------------------------------------------------

// the document kinds this deal's stage criteria ask for
function documentKinds(pipeline) {
	if (!pipeline)
		return [];
	return pipeline.stages.flatMap((s) => (s.criteria || []).filter((c) => c.kind === 'document' && c.document_kind).map((c) => c.document_kind));
}

function Details({ opp, stage, pipeline, save, user, onDialog }) {
	const [contacts, setContacts] = useState(null);
	const [users, setUsers] = useState(null);
	const loadContacts = async () => {
		if (!contacts) {
			const r = await get('/contacts', { account_id: opp.account_id, limit: 200 });
			setContacts(r.data);
		}
	};
	const loadUsers = async () => {
		if (!users)
			setUsers((await get('/users', { limit: 200, sort: 'name' })).data.filter((u) => u.active !== false || u.id === opp.owner_id));
	};
	const F = (props) => <EditableField opp={opp} save={save} {...props} />;
	return (
		<section class="panel" aria-labelledby="details-h">
			<h2 id="details-h">Details</h2>
			<dl class="fields">
				<F field="name" label="Name" type="text" />
				<dt>Account</dt>
				<dd class="editable">
					<span><Link href={'/accounts/' + opp.account_id}>{nameOf('accounts', opp.account_id)}</Link></span>
					<button type="button" class="btn-link" onClick={() => onDialog('account')} aria-label="Change account">Change</button>
				</dd>
				<F field="contact_id" label="Contact" type="select" nullable onOpen={loadContacts}
					options={contacts && contacts.map((c) => [c.id, [c.first_name, c.last_name].filter(Boolean).join(' ') + (c.decision_maker ? ' (decision maker)' : '')])}
					show={(v) => (v ? nameOf('contacts', v) : '—')} parse={(v) => (v ? +v : null)} />
				<F field="amount" label={'Amount (' + opp.currency + ')'} type="text" inputmode="decimal"
					show={(v) => money(v, opp.currency)} />
				<F field="close_date" label="Close date" type="date" show={date} />
				<dt>Stage</dt>
				<dd>{stage.name}{opp.stage_entered_at ? <span class="muted"> · since {date(opp.stage_entered_at)}</span> : null}</dd>
				<dt>Pipeline</dt>
				<dd class="editable">
					<span>{pipeline ? pipeline.name : '#' + opp.pipeline_id}</span>
					<button type="button" class="btn-link" onClick={() => onDialog('pipeline')} aria-label="Change pipeline">Change</button>
				</dd>
				<F field="probability" label="Probability (%)" type="number" show={(v) => (v === null ? '—' : v + ' %')} parse={(v) => (v === '' ? null : +v)} />
				<F field="forecast_category" label="Forecast category" type="select" nullable options={FORECAST.map((k) => [k, label(k)])} show={(v) => (v ? label(v) : '—')} />
				<F field="channel" label="Channel" type="select" nullable options={CHANNELS.map((k) => [k, label(k)])} show={(v) => (v ? label(v) : '—')} />
				{isManager(user) ? (
					<F field="owner_id" label="Owner" type="select" onOpen={loadUsers}
						options={users && users.map((u) => [u.id, u.name])} show={(v) => nameOf('users', v)} parse={(v) => +v} />
				) : (
					<><dt>Owner</dt><dd>{nameOf('users', opp.owner_id)}</dd></>
				)}
				{opp.lost_reason && <><dt>Lost reason</dt><dd>{opp.lost_reason}</dd></>}
				{opp.closed_at && <><dt>Closed</dt><dd>{dateTime(opp.closed_at)}</dd></>}
			</dl>
		</section>
	);
}

function EditableField({ opp, save, field, label: text, type, options, nullable, show, parse, onOpen, inputmode }) {
	const [editing, setEditing] = useState(false);
	const [value, setValue] = useState('');
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	const current = opp[field];
	const id = 'edit-' + field;
	const open = async () => {
		setValue(current === null || current === undefined ? '' : String(current));
		setErr(null);
		setEditing(true);
		if (onOpen)
			try {
				await onOpen();
			} catch (e) {
				setErr(e.message);
			}
	};
	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		let v = parse ? parse(value) : value;
		if (v === '' && nullable)
			v = null;
		const res = await save(field, v);
		setBusy(false);
		if (!res)
			setEditing(false);
		else
			setErr(res.status === 412 ? null : res.fields[field] || res.message);
	};
	if (!editing)
		return (
			<>
				<dt>{text}</dt>
				<dd class="editable">
					<span>{show ? show(current) : current === null ? '—' : String(current)}</span>
					<button type="button" class="btn-link" onClick={open} aria-label={'Edit ' + text.toLowerCase()}>Edit</button>
				</dd>
			</>
		);
	return (
		<>
			<dt><label for={id}>{text}</label></dt>
			<dd>
				<form class="inline-edit" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && setEditing(false)}>
					{type === 'select' ? (
						<select id={id} value={value} onChange={(e) => setValue(e.currentTarget.value)} autofocus aria-invalid={err ? 'true' : undefined}>
							{nullable && <option value="">—</option>}
							{!options && <option value={value}>Loading…</option>}
							{options && options.map(([k, t]) => <option key={k} value={String(k)}>{t}</option>)}
						</select>
					) : (
						<input id={id} type={type} inputMode={inputmode} value={value} autofocus aria-invalid={err ? 'true' : undefined}
							aria-describedby={err ? id + '-err' : undefined} onInput={(e) => setValue(e.currentTarget.value)} />
					)}
					<div class="inline-edit-actions">
						<button type="submit" class="btn btn-small btn-primary" disabled={busy}>Save</button>
						<button type="button" class="btn btn-small" onClick={() => setEditing(false)}>Cancel</button>
					</div>
					{err && <p class="field-error" id={id + '-err'}>{err}</p>}
				</form>
			</dd>
		</>
	);
}

// --- the panels ------------------------------------------------------------------

function usePanel(fn, deps) {
	const [st, setSt] = useState({ data: null, error: null });
	useEffect(() => {
		let live = true;
		fn().then((data) => live && setSt({ data, error: null }), (error) => live && setSt({ data: null, error }));
		return () => { live = false; };
	}, deps);
	return st;
}

// The deal's web meetings, with their room and their participant report
// (attendance, poll answers; docs/questionnaires.md).
function Meetings({ opp, tick }) {
	const { data, error } = usePanel(() => get('/meetings', { opportunity_id: opp.id, sort: '-starts_at', limit: 20 }), [opp.id, tick]);
	if (data && !data.data.length)
		return null;
	return (
		<section class="panel" aria-labelledby="meetings-h">
			<h2 id="meetings-h">Web meetings</h2>
			<ErrorBox error={error} />
			{!data && !error && <Loading />}
			{data && (
				<ul class="plain-list">
					{data.data.map((m) => (
						<li key={m.id} data-meeting={m.id}>
							<strong>{m.title}</strong> <Badge>{label(m.state)}</Badge>
							<br /><small class="muted">{dateTime(m.starts_at)}</small>
							<br /><Link href={'/meetings/' + m.id + '/room'}>Room</Link> · <Link href={'/meetings/' + m.id + '/report'}>Report</Link>
						</li>
					))}
				</ul>
			)}
		</section>
	);
}

const ACTIVITY_ICON = { call: '☎', meeting: '◎', email: '✉', task: '☑', note: '✎' };

function Timeline({ opp, tick, onChange }) {
	const { data, error } = usePanel(async () => {
		const r = await get('/activities', { related_type: 'opportunity', related_id: opp.id, sort: '-created_at', limit: 100 });
		await loadNames('users', r.data.map((a) => a.owner_id));
		return r;
	}, [opp.id, tick]);
	const markDone = async (a) => {
		try {
			await patch('/activities/' + a.id, { done_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }, { ifMatch: '"v' + a.version + '"' });
			toast('Marked done: ' + a.subject);
			onChange();
		} catch (e) {
			toast(e.message, 'error');
		}
	};
	return (
		<section class="panel" aria-labelledby="timeline-h">
			<h2 id="timeline-h">Activities {data && <span class="muted count">({data.data.length}{data.next_cursor ? '+' : ''})</span>}</h2>
			<ErrorBox error={error} />
			{!data && !error && <Loading />}
			{data && !data.data.length && <Empty>No activities yet.</Empty>}
			{data && data.data.length > 0 && (
				<ol class="timeline">
					{data.data.map((a) => (
						<li key={a.id} class={'tl-item' + (a.done_at ? '' : ' tl-pending')} data-activity={a.id}>
							<span class="tl-icon" aria-hidden="true">{ACTIVITY_ICON[a.type] || '•'}</span>
							<div class="tl-body">
								<p class="tl-head"><strong>{a.subject}</strong> <Badge>{label(a.type)}</Badge>
									{a.done_at ? null : <Badge kind="warn">{a.due_at ? 'due ' + dateTime(a.due_at) : 'to do'}</Badge>}</p>
								<p class="tl-meta muted">{a.done_at ? 'done ' + dateTime(a.done_at) : 'created ' + dateTime(a.created_at)} · {nameOf('users', a.owner_id)}</p>
								{a.notes && <p class="tl-notes">{a.notes}</p>}
								{!a.done_at && <button type="button" class="btn btn-small" onClick={() => markDone(a)}>Mark done</button>}
							</div>
						</li>
					))}
				</ol>
			)}
		</section>
	);
}

function StageHistory({ opp, stages, tick }) {
	const { data, error } = usePanel(async () => {
		const r = await get('/opportunities/' + opp.id + '/stages');
		await loadNames('users', r.data.map((s) => s.actor_id));
		return r;
	}, [opp.id, tick]);
	const name = (key) => (stages.find((s) => s.key === key) || { name: key }).name;
	const days = (a, b) => {
		const d = ((b ? new Date(b) : new Date()) - new Date(a)) / 86400000;
		return d < 1 ? '< 1 day' : plural(Math.round(d), 'day');
	};
	return (
		<section class="panel" aria-labelledby="stages-h">
			<h2 id="stages-h">Stage history</h2>
			<ErrorBox error={error} />
			{!data && !error && <Loading />}
			{data && (
				<div class="table-wrap">
					<table>
						<thead><tr><th>Stage</th><th>Entered</th><th>Left</th><th>Time</th><th>By</th></tr></thead>
						<tbody>
							{[...data.data].reverse().map((s, i) => (
								<tr key={i}>
									<td>{name(s.stage)}{s.override && <> <Badge kind="warn">override</Badge></>}{s.reason && <p class="muted small">{s.reason}</p>}</td>
									<td>{dateTime(s.entered_at)}</td>
									<td>{s.exited_at ? dateTime(s.exited_at) : <Badge kind="primary">now</Badge>}</td>
									<td class="num">{days(s.entered_at, s.exited_at)}</td>
									<td>{s.actor_id ? nameOf('users', s.actor_id) : '—'}</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
		</section>
	);
}

function ChangeHistory({ opp, tick }) {
	const [open, setOpen] = useState(false);
	const { data, error } = usePanel(async () => (open ? get('/opportunities/' + opp.id + '/history') : null), [opp.id, tick, open]);
	return (
		<section class="panel" aria-labelledby="history-h">
			<h2 id="history-h">Change history <span class="spacer" />
				<button type="button" class="btn btn-small" aria-expanded={open ? 'true' : 'false'} onClick={() => setOpen(!open)}>{open ? 'Hide' : 'Show'}</button></h2>
			{open && <ErrorBox error={error} />}
			{open && !data && !error && <Loading />}
			{open && data && (
				<ol class="history">
					{[...data.data].reverse().map((h, i) => (
						<li key={i}>
							<span class="muted">{dateTime(h.at)} · {h.actor_name || (h.actor_id ? '#' + h.actor_id : 'system')}</span>{' '}
							{h.action === 'update' && h.field ? (
								<span><strong>{label(h.field)}</strong>: {h.old === null || h.old === undefined ? '—' : h.old} → {h.new === null || h.new === undefined ? '—' : h.new}</span>
							) : <span>{label(h.action)}{h.field ? ' ' + h.field : ''}{h.new && h.action !== 'update' ? ': ' + h.new : ''}</span>}
						</li>
					))}
				</ol>
			)}
		</section>
	);
}

// --- quick actions ---------------------------------------------------------------

function ActivityDialog({ kind, opp, onClose, onSaved }) {
	const call = kind === 'call';
	const tomorrow = new Date(Date.now() + 86400000);
	tomorrow.setHours(10, 0, 0, 0);
	const [f, setF] = useState({
		subject: call ? 'Call about ' + opp.name : 'Meeting about ' + opp.name,
		notes: '',
		when: isoToLocalInput(call ? null : tomorrow.toISOString()),
	});
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		setErr(null);
		const body = { type: kind, subject: f.subject, related_type: 'opportunity', related_id: opp.id };
		if (f.notes)
			body.notes = f.notes;
		if (call)
			body.done_at = localInputToIso(f.when);
		else
			body.due_at = localInputToIso(f.when);
		try {
			await post('/activities', body);
			toast(call ? 'Call logged' : 'Meeting scheduled');
			onSaved();
			onClose();
		} catch (x) {
			setErr(x);
			setBusy(false);
		}
	};
	const fe = (k) => err && err.fields[k];
	return (
		<Modal open title={call ? 'Log a call' : 'Schedule a meeting'} onClose={onClose}
			footer={[<button key="c" type="button" class="btn" onClick={onClose}>Cancel</button>,
				<button key="s" type="submit" form="activity-form" class="btn btn-primary" disabled={busy}>{call ? 'Log call' : 'Schedule'}</button>]}>
			<form id="activity-form" onSubmit={submit}>
				{err && <p class="alert alert-error" role="alert">{err.message}</p>}
				<Field label="Subject" name="act-subject" error={fe('subject')}>
					{(id, d) => <input id={id} aria-describedby={d} value={f.subject} onInput={set('subject')} required maxLength={200} />}
				</Field>
				<Field label={call ? 'When was the call' : 'When'} name="act-when" error={fe(call ? 'done_at' : 'due_at')}>
					{(id, d) => <input id={id} aria-describedby={d} type="datetime-local" value={f.when} onInput={set('when')} required />}
				</Field>
				<Field label="Notes" name="act-notes" error={fe('notes')}>
					{(id, d) => <textarea id={id} aria-describedby={d} value={f.notes} onInput={set('notes')} maxLength={20000} />}
				</Field>
			</form>
		</Modal>
	);
}

function DocumentDialog({ opp, onClose, onSaved }) {
	const [templates, setTemplates] = useState(null);
	const [choice, setChoice] = useState('');
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	useEffect(() => {
		get('/templates', { limit: 200 }).then((r) => {
			setTemplates(r.data);
			const contract = r.data.find((t) => t.kind === 'contract') || r.data[0];
			setChoice(contract ? String(contract.id) : '');
		}, setErr);
	}, []);
	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		setErr(null);
		try {
			const doc = await post('/opportunities/' + opp.id + '/documents', { template_id: +choice });
			toast('Generated ' + doc.filename);
			onSaved();
			onClose();
		} catch (x) {
			setErr(x);
			setBusy(false);
		}
	};
	return (
		<Modal open title="Generate a document" onClose={onClose}
			footer={[<button key="c" type="button" class="btn" onClick={onClose}>Cancel</button>,
				<button key="s" type="submit" form="doc-form" class="btn btn-primary" disabled={busy || !choice}>Generate PDF</button>]}>
			<form id="doc-form" onSubmit={submit}>
				{err && <p class="alert alert-error" role="alert">{err.message}</p>}
				{!templates && !err && <Loading what="templates" />}
				{templates && !templates.length && <p>There are no templates yet; an admin adds them.</p>}
				{templates && templates.length > 0 && (
					<Field label="Template" name="doc-template" hint="Merged with the account, contact, deal and owner; attached to the deal as a PDF.">
						{(id, d) => (
							<select id={id} aria-describedby={d} value={choice} onChange={(e) => setChoice(e.currentTarget.value)}>
								{templates.map((t) => <option key={t.id} value={String(t.id)}>{t.name} ({label(t.kind)})</option>)}
							</select>
						)}
					</Field>
				)}
			</form>
		</Modal>
	);
}

// --- account, pipeline, delete ----------------------------------------------------

// Another account: searched as the lists search (?q=).  The deal's contact must work
// for its account (the server refuses otherwise), so the dialog says what becomes of
// the contact and offers the new account's contacts.
function AccountDialog({ opp, save, onClose }) {
	const [account, setAccount] = useState(null);
	const [contacts, setContacts] = useState(null);
	const [contact, setContact] = useState('');
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	const pick = async (aid) => {
		setAccount(aid);
		setContacts(null);
		setContact('');
		setErr(null);
		if (aid)
			try {
				const r = await get('/contacts', { account_id: aid, limit: 200 });
				setContacts(r.data);
				const dm = r.data.filter((c) => c.decision_maker);
				if (opp.contact_id && r.data.length === 1)
					setContact(String(r.data[0].id));
				else if (opp.contact_id && dm.length === 1)
					setContact(String(dm[0].id));
			} catch (x) {
				setErr(x);
			}
	};
	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		const body = { account_id: account };
		if (contact || opp.contact_id)
			body.contact_id = contact ? +contact : null;
		const res = await save(body, 'Account');
		setBusy(false);
		if (!res || res.status === 412)
			onClose();
		else
			setErr(res);
	};
	const same = account === opp.account_id;
	const fe = (k) => err && err.fields && err.fields[k];
	return (
		<Modal open title="Change the account" onClose={onClose}
			footer={[<button key="c" type="button" class="btn" onClick={onClose}>Cancel</button>,
				<button key="s" type="submit" form="account-form" class="btn btn-primary" disabled={busy || !account || same}>Change account</button>]}>
			<form id="account-form" onSubmit={submit}>
				{err && <p class="alert alert-error" role="alert">{err.message}</p>}
				<p>Now: <strong>{nameOf('accounts', opp.account_id)}</strong>{opp.contact_id ? <> · contact {nameOf('contacts', opp.contact_id)}</> : null}</p>
				<Field label="New account" name="acc-new" error={fe('account_id')} hint="Type part of its name.">
					{(id, d) => <RecordPicker id={id} kind="accounts" value={account} onChange={(v) => pick(v)} describedBy={d} />}
				</Field>
				{same && <p class="hint">That is the deal's account already.</p>}
				{account && !same && contacts && (
					<Field label={'Contact at ' + nameOf('accounts', account)} name="acc-contact" error={fe('contact_id')}
						hint={opp.contact_id ? nameOf('contacts', opp.contact_id) + ' works for ' + nameOf('accounts', opp.account_id) +
							', not for the new account: the deal takes one of its contacts, or none.' : 'Optional.'}>
						{(id, d) => (
							<select id={id} aria-describedby={d} value={contact} onChange={(e) => setContact(e.currentTarget.value)}>
								<option value="">— no contact —</option>
								{contacts.map((c) => <option key={c.id} value={String(c.id)}>{[c.first_name, c.last_name].filter(Boolean).join(' ')}{c.decision_maker ? ' (decision maker)' : ''}</option>)}
							</select>
						)}
					</Field>
				)}
				{account && !same && <p class="hint">Stage, amount and owner stay; the change is on the deal's change history.</p>}
			</form>
		</Modal>
	);
}

// What PATCH {pipeline_id} does to the stage (src/crm/process/opportunity.c): the deal keeps
// its stage when the new pipeline has one of the same key; otherwise it starts at the
// new pipeline's first upper-funnel stage.  A new stage brings its probability,
// forecast category and status (a won deal can become open again), and a stage
// history row; the stage criteria are not checked across pipelines.
export function pipelineChange(opp, from, to) {
	const kept = to.stages.find((s) => s.key === opp.stage);
	const upper = [...to.stages].sort((a, b) => a.position - b.position).find((s) => s.section === 'upper');
	const target = kept || upper || null;
	const old = from ? from.stages.find((s) => s.key === opp.stage) : null;
	if (!target)
		return { target: null };
	const status = target.section === 'won' ? 'won' : target.section === 'lost' ? 'lost' : 'open';
	return {
		target, kept: !!kept, old,
		status, statusChanges: status !== opp.status,
		probability: kept ? opp.probability : target.probability,
		category: kept ? opp.forecast_category : target.forecast_category,
	};
}

function PipelineDialog({ opp, pipeline, save, onClose }) {
	const [list, setList] = useState(null);
	const [choice, setChoice] = useState('');
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	useEffect(() => {
		cached('/pipelines').then((r) => setList(r.data), setErr);
	}, []);
	const to = list && list.find((p) => String(p.id) === choice);
	const c = to ? pipelineChange(opp, pipeline, to) : null;
	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		const res = await save({ pipeline_id: to.id }, 'Pipeline');
		setBusy(false);
		if (!res || res.status === 412)
			onClose();
		else
			setErr(res);
	};
	const others = list ? list.filter((p) => p.id !== opp.pipeline_id) : [];
	return (
		<Modal open title="Change the pipeline" onClose={onClose}
			footer={[<button key="c" type="button" class="btn" onClick={onClose}>Cancel</button>,
				<button key="s" type="submit" form="pipeline-form" class="btn btn-primary" disabled={busy || !c || !c.target}>Change pipeline</button>]}>
			<form id="pipeline-form" onSubmit={submit}>
				{err && <p class="alert alert-error" role="alert">{err.message}</p>}
				{!list && !err && <Loading what="pipelines" />}
				{list && !others.length && <p>There is no other pipeline. Admins and managers add them under Admin → Pipelines.</p>}
				{others.length > 0 && (
					<Field label="New pipeline" name="pipe-new" error={err && err.fields && err.fields.pipeline_id}>
						{(id, d) => (
							<select id={id} aria-describedby={d} value={choice} onChange={(e) => { setChoice(e.currentTarget.value); setErr(null); }}>
								<option value="">— choose —</option>
								{others.map((p) => <option key={p.id} value={String(p.id)}>{p.name}</option>)}
							</select>
						)}
					</Field>
				)}
				{c && !c.target && <p class="alert alert-warn">{to.name} has no upper-funnel stage to start the deal in; the server will refuse the change.</p>}
				{c && c.target && (
					<div class="consequence" role="status" aria-live="polite">
						<h3>What the change does</h3>
						{c.kept ? (
							<p>{to.name} has a stage <strong>{c.target.name}</strong> of the same key: the deal stays in it; probability and forecast category stay.</p>
						) : (
							<p>{to.name} has no stage “{c.old ? c.old.name : opp.stage}”: the deal starts again at its first stage, <strong>{c.target.name}</strong>, entered now
								and recorded in the stage history. The stage criteria are not checked for a change of pipeline.</p>
						)}
						<dl class="fields compact">
							<dt>Stage</dt><dd>{c.old ? c.old.name : opp.stage} → {c.target.name}</dd>
							<dt>Probability</dt><dd>{opp.probability} % → {c.probability} %</dd>
							<dt>Forecast category</dt><dd>{label(opp.forecast_category) || '—'} → {label(c.category) || '—'}</dd>
							<dt>Status</dt><dd>{label(opp.status)} → {label(c.status)}</dd>
						</dl>
						{c.statusChanges && <p class="alert alert-warn">The deal is {opp.status} now and would be {c.status} after the change.</p>}
					</div>
				)}
			</form>
		</Modal>
	);
}

function DeleteDialog({ opp, onClose, onStale }) {
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	const go = async () => {
		setBusy(true);
		setErr(null);
		try {
			await del('/opportunities/' + opp.id, { ifMatch: '"v' + opp.version + '"' });
			toast('Deleted ' + opp.name);
			navigate('/opportunities');
		} catch (x) {
			setBusy(false);
			if (x.status === 412)
				onStale();
			else
				setErr(x);
		}
	};
	const why = err && (err.status === 404
		? 'This deal is not there any more: someone deleted it, or it is no longer yours to see.'
		: err.status === 403 ? err.message + '. Ask your manager or an admin.' : err.message);
	return (
		<Modal open title="Delete the deal" onClose={onClose}
			footer={[<button key="c" type="button" class="btn" onClick={onClose}>Cancel</button>,
				err && err.status === 404
					? <Link key="l" class="btn btn-primary" href="/opportunities">Back to the list</Link>
					: <button key="d" type="button" class="btn btn-danger" onClick={go} disabled={busy}>Delete the deal</button>]}>
			{why && <p class="alert alert-error" role="alert">{why}</p>}
			<p>Delete <strong>{opp.name}</strong> ({money(opp.amount, opp.currency)}, {nameOf('accounts', opp.account_id)})?</p>
			<p>Its stage history, payment schedule and payments go with it, and it leaves the reports and the forecast. This cannot be undone;
				the deletion, with the deal as it was, stays in the audit trail.</p>
		</Modal>
	);
}
