// The opportunity page: its fields (inline edit: PATCH with If-Match, so a change made
// by someone else meanwhile is not overwritten), the stage and its move, the timeline of
// activities, stage history, documents, payments and the audit trail; quick actions
// to log a call, schedule a meeting and generate the contract.
import { useEffect, useState } from 'preact/hooks';
import { cached, get, loadNames, nameOf, patch, post } from '../api.js';
import { isOpenSection, useMove } from '../components/move.jsx';
import { Badge, Empty, ErrorBox, Field, Loading, Modal, Page, toast } from '../components/ui.jsx';
import { date, dateTime, isoToLocalInput, label, localInputToIso, money, plural, today } from '../format.js';
import { Link } from '../router.jsx';
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
	const [dialog, setDialog] = useState(null); // 'call' | 'meeting' | 'document'

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

	const save = async (field, value) => {
		try {
			const r = await patch('/opportunities/' + id, { [field]: value }, { ifMatch: '"v' + opp.version + '"' });
			if (field === 'contact_id' && value)
				await loadNames('contacts', [value]);
			if (field === 'owner_id')
				await loadNames('users', [value]);
			setOpp(r.data);
			setTick((t) => t + 1);
			toast(label(field.replace(/_id$/, '')) + ' saved');
			return null;
		} catch (e) {
			if (e.status === 412)
				setStale(true);
			return e;
		}
	};

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
					<Details opp={opp} stage={stage} pipeline={pipeline} save={save} user={user} />
					<Documents opp={opp} tick={tick} onGenerate={() => setDialog('document')} />
					<Payments opp={opp} tick={tick} onPaid={() => load().then(refresh)} />
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
			{mover.dialog}
		</Page>
	);
}

// --- fields ----------------------------------------------------------------------

function Details({ opp, stage, pipeline, save, user }) {
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
				<dt>Account</dt><dd>{nameOf('accounts', opp.account_id)}</dd>
				<F field="contact_id" label="Contact" type="select" nullable onOpen={loadContacts}
					options={contacts && contacts.map((c) => [c.id, [c.first_name, c.last_name].filter(Boolean).join(' ') + (c.decision_maker ? ' (decision maker)' : '')])}
					show={(v) => (v ? nameOf('contacts', v) : '—')} parse={(v) => (v ? +v : null)} />
				<F field="amount" label={'Amount (' + opp.currency + ')'} type="text" inputmode="decimal"
					show={(v) => money(v, opp.currency)} />
				<F field="close_date" label="Close date" type="date" show={date} />
				<dt>Stage</dt>
				<dd>{stage.name}{pipeline ? <span class="muted"> · {pipeline.name}</span> : null}{opp.stage_entered_at ? <span class="muted"> · since {date(opp.stage_entered_at)}</span> : null}</dd>
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

function Documents({ opp, tick, onGenerate }) {
	const { data, error } = usePanel(() => get('/attachments', { related_type: 'opportunity', related_id: opp.id }), [opp.id, tick]);
	return (
		<section class="panel" aria-labelledby="docs-h">
			<h2 id="docs-h">Documents <span class="spacer" /><button type="button" class="btn btn-small" onClick={onGenerate}>Generate…</button></h2>
			<ErrorBox error={error} />
			{!data && !error && <Loading />}
			{data && !data.data.length && <Empty>No documents yet.</Empty>}
			{data && data.data.length > 0 && (
				<ul class="docs">
					{data.data.map((d) => (
						<li key={d.id}>
							<a href={d.url} target="_blank" rel="noopener">{d.filename}</a>{' '}
							{d.kind && <Badge>{label(d.kind)}</Badge>}
							<span class="muted small"> {Math.max(1, Math.round(d.size / 1024))} KB · {date(d.created_at)}</span>
						</li>
					))}
				</ul>
			)}
		</section>
	);
}

function Payments({ opp, tick, onPaid }) {
	const { data, error } = usePanel(() => get('/opportunities/' + opp.id + '/payments'), [opp.id, tick]);
	const [form, setForm] = useState(null);
	const submit = async (e) => {
		e.preventDefault();
		setForm({ ...form, busy: true, error: null });
		try {
			const body = { amount: form.amount, paid_at: form.paid_at };
			if (form.method)
				body.method = form.method;
			if (form.reference)
				body.reference = form.reference;
			const r = await post('/opportunities/' + opp.id + '/payments', body);
			setForm(null);
			toast('Payment recorded' + (r.moved_to ? ': the deal moved to payment collected' : ''));
			onPaid();
		} catch (err) {
			setForm({ ...form, busy: false, error: err });
		}
	};
	const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
	return (
		<section class="panel" aria-labelledby="pay-h">
			<h2 id="pay-h">Payments</h2>
			<ErrorBox error={error} />
			{!data && !error && <Loading />}
			{data && (
				<>
					<dl class="fields compact">
						<dt>Status</dt><dd><Badge kind={data.status === 'paid' ? 'ok' : data.status === 'overdue' ? 'danger' : undefined}>{label(data.status)}</Badge></dd>
						<dt>To pay</dt><dd>{money(data.to_pay, data.currency)}{data.scheduled !== null ? ' (schedule)' : ''}</dd>
						<dt>Paid</dt><dd>{money(data.paid, data.currency)}</dd>
						<dt>Outstanding</dt><dd>{money(data.outstanding, data.currency)}</dd>
					</dl>
					{data.installments.length > 0 && (
						<div class="table-wrap"><table>
							<thead><tr><th>Due</th><th class="num">Amount</th><th class="num">Paid</th></tr></thead>
							<tbody>{data.installments.map((i, n) => <tr key={n}><td>{date(i.due_date)}</td><td class="num">{money(i.amount, data.currency)}</td><td class="num">{money(i.paid, data.currency)}</td></tr>)}</tbody>
						</table></div>
					)}
					{data.payments.length > 0 && (
						<ul class="payments">
							{data.payments.map((p, n) => <li key={n}>{date(p.paid_at)}: {money(p.amount, data.currency)}{p.method ? ' · ' + p.method : ''}{p.reference ? ' · ' + p.reference : ''}</li>)}
						</ul>
					)}
					{opp.status === 'won' && data.outstanding > 0 && !form && (
						<button type="button" class="btn btn-small" onClick={() => setForm({ amount: String(data.outstanding), paid_at: today(), method: '', reference: '' })}>Record a payment</button>
					)}
					{opp.status !== 'won' && <p class="hint">Payments are recorded once the deal is won.</p>}
					{form && (
						<form onSubmit={submit} class="pay-form">
							{form.error && <p class="alert alert-error" role="alert">{form.error.message}</p>}
							<div class="form-row">
								<Field label="Amount" name="pay-amount" error={form.error && form.error.fields.amount}>
									{(id) => <input id={id} inputMode="decimal" value={form.amount} onInput={set('amount')} required />}
								</Field>
								<Field label="Paid on" name="pay-date" error={form.error && form.error.fields.paid_at}>
									{(id) => <input id={id} type="date" value={form.paid_at} max={today()} onInput={set('paid_at')} required />}
								</Field>
							</div>
							<div class="form-row">
								<Field label="Method" name="pay-method">{(id) => <input id={id} value={form.method} onInput={set('method')} maxLength={100} />}</Field>
								<Field label="Reference" name="pay-ref">{(id) => <input id={id} value={form.reference} onInput={set('reference')} maxLength={200} />}</Field>
							</div>
							<div class="form-actions">
								<button type="button" class="btn" onClick={() => setForm(null)}>Cancel</button>
								<button type="submit" class="btn btn-primary" disabled={form.busy}>Record payment</button>
							</div>
						</form>
					)}
				</>
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
