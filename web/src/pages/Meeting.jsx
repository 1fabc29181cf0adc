// Web meetings on a deal, before and after the live room (docs/meetings.md):
// the Meetings panel of the opportunity page with "Plan a web meeting", and the
// meeting's own page — when, who is invited and what they answered, sending the
// invitations (iMIP, through the server's mail outbox), opening the room, the
// attendance afterwards, cancelling.  The room itself is Room.jsx.
import { useEffect, useState } from 'preact/hooks';
import { del, get, loadNames, nameOf, patch, post } from '../api.js';
import { RecordPicker, UserSelect } from '../components/lookups.jsx';
import { Badge, Empty, ErrorBox, Field, Loading, Modal, Page, toast } from '../components/ui.jsx';
import { dateTime, isoToLocalInput, label, localInputToIso, plural } from '../format.js';
import { Link, navigate } from '../router.jsx';

const KINDS = ['presentation', 'proposal_review', 'negotiation', 'follow_up', 'webinar', 'training'];
const MODES = ['web', 'audio_conference', 'phone'];
const STATE_BADGE = { scheduled: 'primary', open: 'primary', live: 'ok', ended: null, cancelled: 'danger' };
const RSVP_BADGE = { accepted: 'ok', declined: 'danger', tentative: 'warn', needs_action: null };
const OVER = ['ended', 'cancelled'];

function localZone() {
	try {
		return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
	} catch (e) {
		return 'UTC';
	}
}

const answered = (m) => (m.invitees || []).filter((i) => i.rsvp === 'accepted').length;

// --- on the opportunity page ---------------------------------------------------------

export function MeetingsPanel({ opp, tick }) {
	const [list, setList] = useState(null);
	const [err, setErr] = useState(null);
	const [planning, setPlanning] = useState(false);
	useEffect(() => {
		get('/meetings', { opportunity_id: opp.id, sort: '-starts_at', limit: 50 })
			.then((r) => setList(r.data), setErr);
	}, [opp.id, tick]);
	return (
		<section class="panel" aria-labelledby="meetings-h">
			<h2 id="meetings-h">Web meetings <span class="spacer" />
				<button type="button" class="btn btn-small" onClick={() => setPlanning(true)}>Plan a web meeting</button></h2>
			{err && <ErrorBox error={err} />}
			{!list && !err && <Loading what="the meetings" />}
			{list && list.length === 0 && <Empty>No web meeting on this deal yet.</Empty>}
			{list && list.length > 0 && (
				<ul class="meeting-list">
					{list.map((m) => (
						<li key={m.id} data-meeting={m.id}>
							<Link href={'/meetings/' + m.id}>{m.title}</Link>{' '}
							<Badge kind={STATE_BADGE[m.state]}>{label(m.state)}</Badge>
							<span class="muted"> {dateTime(m.starts_at)} · {label(m.kind)} · {answered(m)} of {plural((m.invitees || []).length, 'invitee', 'invitees')} accepted</span>
							{' '}<Link href={'/meetings/' + m.id + '/room'}>Room</Link> · <Link href={'/meetings/' + m.id + '/report'}>Report</Link>
						</li>
					))}
				</ul>
			)}
			{planning && <PlanDialog opp={opp} onClose={() => setPlanning(false)} />}
		</section>
	);
}

function PlanDialog({ opp, onClose }) {
	const start = new Date(Date.now() + 86400000);
	start.setHours(10, 0, 0, 0);
	const [f, setF] = useState({ kind: 'presentation', mode: 'web', title: 'Presentation: ' + opp.name,
		when: isoToLocalInput(start.toISOString()), duration: '45', timezone: localZone(), description: '' });
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		setErr(null);
		const body = { opportunity_id: opp.id, kind: f.kind, mode: f.mode, title: f.title,
			starts_at: localInputToIso(f.when), duration_minutes: Number(f.duration), timezone: f.timezone };
		if (f.description)
			body.description = f.description;
		try {
			const m = await post('/meetings', body);
			toast('Meeting planned: now invite people');
			navigate('/meetings/' + m.id);
		} catch (x) {
			setErr(x);
			setBusy(false);
		}
	};
	const fe = (k) => err && err.fields[k];
	return (
		<Modal open title="Plan a web meeting" onClose={onClose}
			footer={[<button key="c" type="button" class="btn" onClick={onClose}>Cancel</button>,
				<button key="s" type="submit" form="plan-form" class="btn btn-primary" disabled={busy}>Plan it</button>]}>
			<form id="plan-form" onSubmit={submit}>
				{err && <p class="alert alert-error" role="alert">{err.message}</p>}
				<Field label="Kind" name="mt-kind" error={fe('kind')}>
					{(id, d) => <select id={id} aria-describedby={d} value={f.kind} onChange={set('kind')}>
						{KINDS.map((k) => <option key={k} value={k}>{label(k)}</option>)}</select>}
				</Field>
				<Field label="Title" name="mt-title" error={fe('title')}>
					{(id, d) => <input id={id} aria-describedby={d} value={f.title} onInput={set('title')} required maxLength={200} />}
				</Field>
				<Field label="Starts" name="mt-when" error={fe('starts_at')}>
					{(id, d) => <input id={id} aria-describedby={d} type="datetime-local" value={f.when} onInput={set('when')} required />}
				</Field>
				<Field label="Minutes" name="mt-duration" error={fe('duration_minutes')}>
					{(id, d) => <input id={id} aria-describedby={d} type="number" min="5" max="1440" step="5" value={f.duration} onInput={set('duration')} required />}
				</Field>
				<Field label="Time zone of the invitation" name="mt-tz" error={fe('timezone')} hint="IANA name, such as Europe/Paris">
					{(id, d) => <input id={id} aria-describedby={d} value={f.timezone} onInput={set('timezone')} required maxLength={64} />}
				</Field>
				<Field label="How" name="mt-mode" error={fe('mode')}>
					{(id, d) => <select id={id} aria-describedby={d} value={f.mode} onChange={set('mode')}>
						{MODES.map((k) => <option key={k} value={k}>{label(k)}</option>)}</select>}
				</Field>
				<Field label="Agenda" name="mt-desc" error={fe('description')}>
					{(id, d) => <textarea id={id} aria-describedby={d} value={f.description} onInput={set('description')} maxLength={5000} />}
				</Field>
			</form>
		</Modal>
	);
}

// --- the meeting's page ----------------------------------------------------------------

export function MeetingPage({ id }) {
	const [m, setM] = useState(null);
	const [err, setErr] = useState(null);
	const [attendance, setAttendance] = useState(null);
	const [inviting, setInviting] = useState(false);
	const [busy, setBusy] = useState(false);
	const load = async () => {
		try {
			const x = await get('/meetings/' + id);
			await Promise.all([loadNames('opportunities', [x.opportunity_id]), loadNames('users', [x.master_id])]);
			setM(x);
			setErr(null);
			if (x.state === 'live' || x.state === 'ended')
				setAttendance(await get('/meetings/' + id + '/attendance'));
		} catch (e) {
			setErr(e);
		}
	};
	useEffect(() => { load(); }, [id]);

	if (err && !m)
		return <Page title="Meeting"><ErrorBox error={err} onRetry={err.status === 404 ? null : load} /></Page>;
	if (!m)
		return <Page title="Meeting"><Loading what="the meeting" /></Page>;

	const over = OVER.includes(m.state);
	const act = async (what, fn) => {
		setBusy(true);
		try {
			await fn();
			toast(what);
			await load();
		} catch (x) {
			setErr(x);
		} finally {
			setBusy(false);
		}
	};
	const send = (all) => act(all ? 'Invitations sent again' : 'Invitations sent',
		async () => { const r = await post('/meetings/' + id + '/invitations', all ? { all: true } : {}); toast(r.mail, 'ok'); });
	const cancel = () => act('Meeting cancelled: the invitees are told',
		() => patch('/meetings/' + id, { state: 'cancelled' }, { ifMatch: '"v' + m.version + '"' }));
	const uninvite = (inv) => act(inv.name + ' uninvited', () => del('/meetings/' + id + '/invitees/' + inv.id));
	const unsent = (m.invitees || []).filter((i) => i.mail === 'none').length;
	const actions = (
		<>
			<Link class="btn" href={'/meetings/' + id + '/report'}>Report</Link>
			{!over && <>
			<Link class="btn btn-primary" href={'/meetings/' + id + '/room'}>Open the room</Link>
			<button type="button" class="btn" disabled={busy || !unsent} onClick={() => send(false)}>
				{unsent ? 'Send ' + plural(unsent, 'invitation', 'invitations') : 'Invitations sent'}</button>
			{m.invited_at && <button type="button" class="btn btn-ghost" disabled={busy} onClick={() => send(true)}>Send to everyone again</button>}
			<button type="button" class="btn btn-ghost" disabled={busy} onClick={cancel}>Cancel the meeting</button>
			</>}
		</>
	);
	return (
		<Page title={m.title} actions={actions}>
			<div class="opp-summary" data-ready="1">
				<Badge kind={STATE_BADGE[m.state]}>{label(m.state)}</Badge>
				<span>{dateTime(m.starts_at)}</span>
				<span class="muted">{m.duration_minutes} min · {label(m.kind)} · {label(m.mode)} · {m.timezone}</span>
				<span class="muted">on <Link href={'/opportunities/' + m.opportunity_id}>{nameOf('opportunities', m.opportunity_id)}</Link></span>
				<span class="muted">run by {nameOf('users', m.master_id)}</span>
			</div>
			{err && <ErrorBox error={err} />}
			{m.description && <p class="meeting-agenda">{m.description}</p>}
			<section class="panel" aria-labelledby="invitees-h">
				<h2 id="invitees-h">Invited <span class="spacer" />
					{!over && <button type="button" class="btn btn-small" onClick={() => setInviting(true)}>Invite…</button>}</h2>
				<table class="table invitees">
					<thead><tr><th>Who</th><th>Role</th><th>Answer</th><th>Invitation</th><th><span class="visually-hidden">Actions</span></th></tr></thead>
					<tbody>
						{(m.invitees || []).map((i) => (
							<tr key={i.id} data-email={i.email}>
								<td>{i.name} <span class="muted">{i.email}</span></td>
								<td>{label(i.role)}</td>
								<td><Badge kind={RSVP_BADGE[i.rsvp]}>{i.rsvp === 'needs_action' ? 'no answer yet' : label(i.rsvp)}</Badge></td>
								<td>{i.mail === 'none' ? 'not sent' : label(i.mail)}{i.mail_error && <span class="muted"> — {i.mail_error}</span>}</td>
								<td>{!over && i.role !== 'master' &&
									<button type="button" class="btn btn-small btn-ghost" disabled={busy} onClick={() => uninvite(i)}
										aria-label={'Uninvite ' + i.name}>Uninvite</button>}</td>
							</tr>
						))}
					</tbody>
				</table>
			</section>
			{attendance && <Attendance rows={attendance} />}
			{inviting && <InviteDialog m={m} onClose={() => setInviting(false)} onSaved={load} />}
		</Page>
	);
}

function Attendance({ rows }) {
	const came = rows.filter((r) => r.intervals.length > 0);
	return (
		<section class="panel" aria-labelledby="attendance-h">
			<h2 id="attendance-h">Attendance</h2>
			{came.length === 0 ? <Empty>Nobody has joined yet.</Empty> : (
				<table class="table attendance">
					<thead><tr><th>Who</th><th>Joined – left</th><th>Minutes</th></tr></thead>
					<tbody>
						{came.map((r) => (
							<tr key={r.invitee_id}>
								<td>{r.name}</td>
								<td>{r.intervals.map((x, k) => <div key={k}>{dateTime(x.joined_at)} – {x.left_at ? dateTime(x.left_at) : 'still in'}</div>)}</td>
								<td>{r.minutes}</td>
							</tr>
						))}
					</tbody>
				</table>
			)}
		</section>
	);
}

function InviteDialog({ m, onClose, onSaved }) {
	const [who, setWho] = useState('contact');
	const [contact, setContact] = useState(null);
	const [user, setUser] = useState('');
	const [presenter, setPresenter] = useState(false);
	const [email, setEmail] = useState('');
	const [name, setName] = useState('');
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	const submit = async (e) => {
		e.preventDefault();
		const body = who === 'contact' ? { contact_id: contact }
			: who === 'user' ? { user_id: Number(user), role: presenter ? 'presenter' : 'attendee' }
			: { email, name };
		setBusy(true);
		setErr(null);
		try {
			const inv = await post('/meetings/' + m.id + '/invitees', body);
			toast(inv.name + ' invited');
			onSaved();
			onClose();
		} catch (x) {
			setErr(x);
			setBusy(false);
		}
	};
	const fe = (k) => err && err.fields[k];
	const ready = who === 'contact' ? !!contact : who === 'user' ? !!user : !!(email && name);
	return (
		<Modal open title="Invite someone" onClose={onClose}
			footer={[<button key="c" type="button" class="btn" onClick={onClose}>Cancel</button>,
				<button key="s" type="submit" form="invite-form" class="btn btn-primary" disabled={busy || !ready}>Invite</button>]}>
			<form id="invite-form" onSubmit={submit}>
				{err && <p class="alert alert-error" role="alert">{err.message}</p>}
				<fieldset class="choices">
					<legend>Who</legend>
					{[['contact', 'A contact of the account'], ['user', 'A co-worker'], ['email', 'Someone else, by e-mail']].map(([k, l]) => (
						<label key={k}><input type="radio" name="inv-who" value={k} checked={who === k} onChange={() => setWho(k)} /> {l}</label>
					))}
				</fieldset>
				{who === 'contact' && (
					<Field label="Contact" name="inv-contact" error={fe('contact_id')}>
						{(id, d) => <RecordPicker id={id} kind="contacts" value={contact} describedBy={d}
							extraQuery={{ account_id: m.account_id }} onChange={(v) => setContact(v)} />}
					</Field>
				)}
				{who === 'user' && (
					<>
						<Field label="Co-worker" name="inv-user" error={fe('user_id')}>
							{(id, d) => <UserSelect id={id} value={user} describedBy={d} activeOnly emptyLabel="Choose…" onChange={setUser} />}
						</Field>
						<label><input type="checkbox" checked={presenter} onChange={(e) => setPresenter(e.currentTarget.checked)} /> Presents too</label>
					</>
				)}
				{who === 'email' && (
					<>
						<Field label="E-mail" name="inv-email" error={fe('email')}>
							{(id, d) => <input id={id} aria-describedby={d} type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} maxLength={254} required />}
						</Field>
						<Field label="Name" name="inv-name" error={fe('name')}>
							{(id, d) => <input id={id} aria-describedby={d} value={name} onInput={(e) => setName(e.currentTarget.value)} maxLength={200} required />}
						</Field>
					</>
				)}
			</form>
		</Modal>
	);
}
