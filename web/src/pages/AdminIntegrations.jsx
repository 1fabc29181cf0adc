// Two admin tabs whose records hold lists the generic RecordForm does not edit:
// webhooks (docs/webhooks.md) — the address, the events it receives, its signing
// secret, the delivery log and replay — and lobby themes for meetings
// (docs/meetings.md) — the industries a theme serves, its welcome and colours.
import { useState } from 'preact/hooks';
import { del, get, getAll, patch, post } from '../api.js';
import { Badge, Empty, ErrorBox, Field, Modal, toast, useAsync } from '../components/ui.jsx';
import { dateTime, label as human } from '../format.js';

const etagOf = (r) => '"v' + r.version + '"';
const STATE_BADGE = { delivered: 'ok', failed: 'danger', pending: 'warn' };

// the event names the server takes, read from its own description of the field
async function eventNames() {
	const doc = await get('/openapi.json');
	const desc = doc.components.schemas.Webhook.properties.events.description;
	return (desc.split(': an array of ')[1] || '').split(',').map((s) => s.trim()).filter(Boolean);
}

async function removeRecord(path, r, what, reload) {
	if (!confirm('Delete ' + what + '?'))
		return;
	try {
		await del(path + '/' + r.id, { ifMatch: etagOf(r) });
		toast('Deleted ' + what);
		reload();
	} catch (err) {
		toast(err.message, 'error');
	}
}

// --- webhooks ------------------------------------------------------------------------

export function Webhooks() {
	const list = useAsync(() => getAll('/webhooks', { sort: 'url' }), []);
	const events = useAsync(eventNames, []);
	const [editing, setEditing] = useState(null); // a webhook or {} for new
	const [log, setLog] = useState(null);         // the webhook whose deliveries show
	return (
		<section aria-labelledby="wh-h" data-ready={list.data ? '' : undefined}>
			<div class="section-head">
				<h2 id="wh-h">Webhooks</h2>
				<button type="button" class="btn btn-primary" onClick={() => setEditing({})}>Add webhook</button>
			</div>
			<p class="muted">Funnel posts each event to the address, signed with the webhook's secret
				(<code>Funnel-Signature</code>), and retries with back-off for a day; a write never waits for it.</p>
			<ErrorBox error={list.error || events.error} onRetry={list.reload} />
			{list.data && list.data.length === 0 && <Empty>No webhook yet.</Empty>}
			{list.data && list.data.length > 0 && (
				<div class="panel table-wrap">
					<table>
						<thead><tr><th scope="col">Address</th><th scope="col">Events</th><th scope="col">Active</th><th scope="col">Actions</th></tr></thead>
						<tbody>
							{list.data.map((w) => (
								<tr key={w.id} data-webhook={w.id}>
									<td>{w.url}{w.description && <div class="muted">{w.description}</div>}</td>
									<td>{w.events.join(', ')}</td>
									<td>{w.active ? 'yes' : 'no'}</td>
									<td class="row-actions">
										<button type="button" class="btn btn-small" onClick={() => setLog(w)} aria-label={'Deliveries of ' + w.url}>Deliveries</button>
										<button type="button" class="btn btn-small" onClick={() => setEditing(w)} aria-label={'Edit ' + w.url}>Edit</button>
										<button type="button" class="btn btn-small btn-ghost" onClick={() => removeRecord('/webhooks', w, 'the webhook to ' + w.url, list.reload)}
											aria-label={'Delete ' + w.url}>Delete</button>
									</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
			{editing && events.data && <WebhookDialog hook={editing} names={events.data} onClose={() => setEditing(null)} onSaved={list.reload} />}
			{log && <Deliveries hook={log} onClose={() => setLog(null)} />}
		</section>
	);
}

function WebhookDialog({ hook, names, onClose, onSaved }) {
	const [url, setUrl] = useState(hook.url || '');
	const [description, setDescription] = useState(hook.description || '');
	const [chosen, setChosen] = useState(new Set(hook.events || []));
	const [active, setActive] = useState(hook.id ? hook.active : true);
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	const toggle = (n) => {
		const s = new Set(chosen);
		s.has(n) ? s.delete(n) : s.add(n);
		setChosen(s);
	};
	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		setErr(null);
		const body = { url, events: names.filter((n) => chosen.has(n)), active, description: description || null };
		try {
			if (hook.id)
				await patch('/webhooks/' + hook.id, body, { ifMatch: etagOf(hook) });
			else
				await post('/webhooks', body);
			toast('Saved');
			onSaved();
			onClose();
		} catch (x) {
			setErr(x);
			setBusy(false);
		}
	};
	const fe = (k) => err && err.fields[k];
	return (
		<Modal open title={hook.id ? 'Edit webhook' : 'Add webhook'} onClose={onClose}
			footer={[<button key="c" type="button" class="btn" onClick={onClose}>Cancel</button>,
				<button key="s" type="submit" form="wh-form" class="btn btn-primary" disabled={busy}>Save</button>]}>
			<form id="wh-form" onSubmit={submit}>
				{err && <p class="alert alert-error" role="alert">{err.message}</p>}
				<Field label="Address" name="wh-url" error={fe('url')} hint="http:// or https://">
					{(id, d) => <input id={id} aria-describedby={d} type="url" value={url} onInput={(e) => setUrl(e.currentTarget.value)} required maxLength={2000} />}
				</Field>
				<Field label="What it is for" name="wh-desc" error={fe('description')}>
					{(id, d) => <input id={id} aria-describedby={d} value={description} onInput={(e) => setDescription(e.currentTarget.value)} maxLength={200} />}
				</Field>
				<fieldset class="choices" aria-describedby={fe('events') ? 'wh-events-err' : undefined}>
					<legend>Events</legend>
					{names.map((n) => (
						<label key={n}><input type="checkbox" checked={chosen.has(n)} onChange={() => toggle(n)} /> {n}</label>
					))}
					{fe('events') && <p id="wh-events-err" class="field-error">{fe('events')}</p>}
				</fieldset>
				<label><input type="checkbox" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} /> Active</label>
				{hook.id && <Secret hook={hook} />}
			</form>
		</Modal>
	);
}

function Secret({ hook }) {
	const [secret, setSecret] = useState(null);
	const [err, setErr] = useState(null);
	const show = async (rotate) => {
		if (rotate && !confirm('Rotate the secret? The old one stops signing at once.'))
			return;
		try {
			setSecret((rotate ? await post('/webhooks/' + hook.id + '/secret') : await get('/webhooks/' + hook.id + '/secret')).secret);
			if (rotate)
				toast('A new secret signs from now on');
		} catch (x) {
			setErr(x);
		}
	};
	return (
		<div class="webhook-secret">
			<p><strong>Signing secret</strong></p>
			{err && <ErrorBox error={err} />}
			{secret ? <p><code class="secret">{secret}</code></p> : <p class="muted">Hidden.</p>}
			<button type="button" class="btn btn-small" onClick={() => show(false)}>Show the secret</button>{' '}
			<button type="button" class="btn btn-small btn-ghost" onClick={() => show(true)}>Rotate</button>
		</div>
	);
}

function Deliveries({ hook, onClose }) {
	const log = useAsync(() => get('/webhooks/' + hook.id + '/deliveries', { limit: 50 }), [hook.id]);
	const replay = async (ev) => {
		try {
			await post('/webhooks/' + hook.id + '/deliveries/' + ev.id + '/replay');
			toast('Sent again as a new event');
			log.reload();
		} catch (x) {
			toast(x.message, 'error');
		}
	};
	return (
		<Modal open title={'Deliveries to ' + hook.url} onClose={onClose}
			footer={[<button key="r" type="button" class="btn" onClick={log.reload}>Refresh</button>,
				<button key="c" type="button" class="btn btn-primary" onClick={onClose}>Close</button>]}>
			<ErrorBox error={log.error} onRetry={log.reload} />
			{log.data && log.data.data.length === 0 && <Empty>No event yet.</Empty>}
			{log.data && log.data.data.length > 0 && (
				<table class="deliveries">
					<thead><tr><th scope="col">Event</th><th scope="col">State</th><th scope="col">Last attempt</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
					<tbody>
						{log.data.data.map((ev) => {
							const last = ev.attempts[ev.attempts.length - 1];
							return (
								<tr key={ev.id} data-event={ev.id}>
									<td>{ev.event} <span class="muted">{ev.resource} #{ev.record_id} · {dateTime(ev.created_at)}</span></td>
									<td><Badge kind={STATE_BADGE[ev.state]}>{human(ev.state)}</Badge> <span class="muted">{ev.attempt_count} tries</span></td>
									<td>{last ? (last.status ? 'HTTP ' + last.status : last.error) + ' · ' + last.duration_ms + ' ms' : '—'}</td>
									<td><button type="button" class="btn btn-small" onClick={() => replay(ev)} aria-label={'Send event ' + ev.id + ' again'}>Send again</button></td>
								</tr>
							);
						})}
					</tbody>
				</table>
			)}
		</Modal>
	);
}

// --- lobby themes ------------------------------------------------------------------------

export function Lobbies() {
	const list = useAsync(() => getAll('/lobbies', { sort: 'name' }), []);
	const [editing, setEditing] = useState(null);
	return (
		<section aria-labelledby="lobby-h" data-ready={list.data ? '' : undefined}>
			<div class="section-head">
				<h2 id="lobby-h">Meeting lobbies</h2>
				<button type="button" class="btn btn-primary" onClick={() => setEditing({})}>Add lobby</button>
			</div>
			<p class="muted">What guests see before a web meeting starts. A meeting shows the active lobby
				whose industries name its account's industry, unless one is chosen for it.</p>
			<ErrorBox error={list.error} onRetry={list.reload} />
			{list.data && list.data.length === 0 && <Empty>No lobby yet: meetings show a plain one.</Empty>}
			{list.data && list.data.length > 0 && (
				<div class="panel table-wrap">
					<table>
						<thead><tr><th scope="col">Lobby</th><th scope="col">Industries</th><th scope="col">Active</th><th scope="col">Actions</th></tr></thead>
						<tbody>
							{list.data.map((l) => (
								<tr key={l.id} data-lobby={l.id}>
									<td><span class="swatch" style={l.primary_color ? { background: l.primary_color } : undefined} aria-hidden="true" /> {l.name}</td>
									<td>{(l.industries || []).join(', ') || <span class="muted">any</span>}</td>
									<td>{l.active ? 'yes' : 'no'}</td>
									<td class="row-actions">
										<button type="button" class="btn btn-small" onClick={() => setEditing(l)} aria-label={'Edit ' + l.name}>Edit</button>
										<button type="button" class="btn btn-small btn-ghost" onClick={() => removeRecord('/lobbies', l, 'the lobby ' + l.name, list.reload)}
											aria-label={'Delete ' + l.name}>Delete</button>
									</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
			{editing && <LobbyDialog lobby={editing} onClose={() => setEditing(null)} onSaved={list.reload} />}
		</section>
	);
}

function LobbyDialog({ lobby, onClose, onSaved }) {
	const [f, setF] = useState({ name: lobby.name || '', industries: (lobby.industries || []).join(', '),
		welcome: lobby.welcome || '', primary_color: lobby.primary_color || '#1f5fbf',
		accent_color: lobby.accent_color || '#e07a1f', active: lobby.id ? lobby.active : true });
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		setErr(null);
		const body = { ...f, industries: f.industries.split(',').map((s) => s.trim()).filter(Boolean), welcome: f.welcome || null };
		try {
			if (lobby.id)
				await patch('/lobbies/' + lobby.id, body, { ifMatch: etagOf(lobby) });
			else
				await post('/lobbies', body);
			toast('Saved');
			onSaved();
			onClose();
		} catch (x) {
			setErr(x);
			setBusy(false);
		}
	};
	const fe = (k) => err && err.fields[k];
	return (
		<Modal open title={lobby.id ? 'Edit ' + lobby.name : 'Add lobby'} onClose={onClose}
			footer={[<button key="c" type="button" class="btn" onClick={onClose}>Cancel</button>,
				<button key="s" type="submit" form="lobby-form" class="btn btn-primary" disabled={busy}>Save</button>]}>
			<form id="lobby-form" onSubmit={submit}>
				{err && <p class="alert alert-error" role="alert">{err.message}</p>}
				<Field label="Name" name="lobby-name" error={fe('name')}>
					{(id, d) => <input id={id} aria-describedby={d} value={f.name} onInput={set('name')} required maxLength={200} />}
				</Field>
				<Field label="Industries" name="lobby-ind" error={fe('industries')} hint="As accounts name them, separated by commas; empty: any">
					{(id, d) => <input id={id} aria-describedby={d} value={f.industries} onInput={set('industries')} maxLength={2000} />}
				</Field>
				<Field label="Welcome" name="lobby-welcome" error={fe('welcome')}>
					{(id, d) => <textarea id={id} aria-describedby={d} value={f.welcome} onInput={set('welcome')} maxLength={2000} />}
				</Field>
				<Field label="Main colour" name="lobby-primary" error={fe('primary_color')}>
					{(id, d) => <input id={id} aria-describedby={d} type="color" value={f.primary_color} onInput={set('primary_color')} />}
				</Field>
				<Field label="Accent colour" name="lobby-accent" error={fe('accent_color')}>
					{(id, d) => <input id={id} aria-describedby={d} type="color" value={f.accent_color} onInput={set('accent_color')} />}
				</Field>
				<label><input type="checkbox" checked={f.active} onChange={set('active')} /> Offered to meetings</label>
			</form>
		</Modal>
	);
}
