// Handover wizard: when a salesperson leaves, every open record they own gets a new
// owner by where it sits in the funnel (docs/handover.md).
//
//   1 pick the leaver ──POST /handovers──► 2 review the plan by funnel section
//                                            (PATCH …/items/{id}: new owner, included;
//                                             PATCH /handovers/{id}: successor → re-plan)
//   4 the result ◄──POST …/execute── 3 confirm
//
// The URL holds the handover (/handover?id=5), so a draft can be left and taken up
// again; an executed one opens on its result.  Managers and admins only.
import { useState } from 'preact/hooks';
import { ApiError, get, getAll, patch, post } from '../api.js';
import { date, dateTime, label, plural } from '../format.js';
import { Link, navigate, searchParams } from '../router.jsx';
import { isManager, useSession } from '../session.js';
import { Badge, Empty, ErrorBox, Field, Loading, Modal, Page, toast, useAsync } from '../components/ui.jsx';
import { managedUsers } from '../components/people.js';

const STEPS = ['Pick the leaver', 'Review the plan', 'Confirm', 'Done'];

const SECTIONS = [
	{ key: 'lower', title: 'Lower funnel', who: 'the manager takes over',
		text: 'Deals close to signing: the manager contacts the client personally and says they are responsible now.' },
	{ key: 'middle', title: 'Middle funnel', who: 'the leaver introduces the successor',
		text: 'The leaver phones the client with the successor, introduces them and books the next meeting, before leaving.' },
	{ key: 'upper', title: 'Upper funnel', who: 'the successor contacts the prospect',
		text: 'Early deals and leads: the successor contacts each prospect, after the lower and middle ones are handed over.' },
	{ key: 'other', title: 'Other records', who: 'to the successor',
		text: 'Accounts, contacts and activities not tied to an open deal go to the successor.' },
];

const RESOURCES = {
	opportunities: ['Deal', 'deals'], leads: ['Lead', 'leads'], accounts: ['Account', 'accounts'],
	contacts: ['Contact', 'contacts'], activities: ['Activity', 'activities'],
};
const MAIN = new Set(['opportunities', 'leads']);

function Steps({ at }) {
	return (
		<ol class="steps" aria-label="Handover steps">
			{STEPS.map((s, i) => (
				<li key={s} class={i < at ? 'done' : i === at ? 'here' : ''} aria-current={i === at ? 'step' : undefined}>
					<span class="step-n">{i + 1}</span> {s}
				</li>
			))}
		</ol>
	);
}

function openHandover(id) {
	navigate('/handover?id=' + id);
}

export function Handover() {
	const { user } = useSession();
	const id = searchParams().get('id');
	if (!isManager(user))
		return (
			<Page title="Handover">
				<div class="panel"><p>Only managers and admins hand over a salesperson's records.</p></div>
			</Page>
		);
	return id && /^\d+$/.test(id) ? <Plan id={+id} key={id} /> : <Start />;
}

// --- 1. pick the leaver -------------------------------------------------------

function Start() {
	const { user } = useSession();
	const data = useAsync(async () => {
		const [users, teams, list] = await Promise.all([getAll('/users'), getAll('/teams'), get('/handovers')]);
		return { users, teams, list: list.data };
	}, []);
	const [form, setForm] = useState({ from_user: '', successor: '', manager: '', note: '' });
	const [error, setError] = useState(null);
	const [busy, setBusy] = useState(false);

	if (data.error)
		return <Page title="Handover"><ErrorBox error={data.error} onRetry={data.reload} /></Page>;
	if (!data.data)
		return <Page title="Handover"><Loading what="people" /></Page>;
	const managed = managedUsers(data.data.users, data.data.teams, user);
	const people = managed.filter((u) => u.id !== user.id); // nobody hands over themselves
	const leavers = people.filter((u) => u.role !== 'admin');
	const others = people.filter((u) => String(u.id) !== form.from_user);
	// the lower funnel may go to the caller too
	const managers = managed.filter((u) => String(u.id) !== form.from_user && (u.role === 'manager' || u.role === 'admin'));
	if (!managers.some((u) => u.id === user.id))
		managers.unshift(user);
	const drafts = data.data.list.filter((h) => h.status === 'draft');
	const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });

	const submit = async (e) => {
		e.preventDefault();
		setError(null);
		setBusy(true);
		const body = { from_user: +form.from_user };
		if (form.successor)
			body.successor = +form.successor;
		if (form.manager)
			body.manager = +form.manager;
		if (form.note.trim())
			body.note = form.note.trim();
		try {
			const h = await post('/handovers', body);
			openHandover(h.id);
		} catch (err) {
			setError(err);
			setBusy(false);
		}
	};
	const draftFor = error && error.status === 409 && drafts.find((h) => String(h.from_user.id) === form.from_user);

	return (
		<Page title="Handover">
			<Steps at={0} />
			<div class="grid-2">
				<form class="panel" onSubmit={submit} data-ready="1" aria-labelledby="start-h">
					<h2 id="start-h">Who is leaving?</h2>
					<p class="hint">
						Funnel plans a new owner for every open record the leaver owns, by where it sits in the funnel.
						Nothing changes until you confirm the plan.
					</p>
					{error && !draftFor && <ErrorBox error={error} />}
					{draftFor && (
						<div class="alert alert-warn" role="alert">
							<p>{error.message}</p>
							<button type="button" class="btn btn-small" onClick={() => openHandover(draftFor.id)}>Open that draft</button>
						</div>
					)}
					<Field label="Leaver" name="from_user" error={error && error.fields && error.fields.from_user}>
						{(fid, desc) => (
							<select id={fid} aria-describedby={desc} required value={form.from_user} onChange={set('from_user')}>
								<option value="">Choose a person…</option>
								{leavers.map((u) => <option key={u.id} value={u.id}>{u.name} ({u.role})</option>)}
							</select>
						)}
					</Field>
					<Field label="Successor" name="successor" hint="Who takes over the upper and middle funnel. Left empty, Funnel proposes the colleague with the lowest load in the same team, territory and channel."
						error={error && error.fields && error.fields.successor}>
						{(fid, desc) => (
							<select id={fid} aria-describedby={desc} value={form.successor} onChange={set('successor')}>
								<option value="">Propose one for me</option>
								{others.filter((u) => u.role === 'rep').map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
							</select>
						)}
					</Field>
					<Field label="Manager" name="manager" hint="Who takes over the lower funnel. Left empty: the leaver's manager."
						error={error && error.fields && error.fields.manager}>
						{(fid, desc) => (
							<select id={fid} aria-describedby={desc} value={form.manager} onChange={set('manager')}>
								<option value="">The leaver's manager</option>
								{managers.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
							</select>
						)}
					</Field>
					<Field label="Note" name="note" error={error && error.fields && error.fields.note}>
						{(fid, desc) => <textarea id={fid} aria-describedby={desc} value={form.note} onInput={set('note')} />}
					</Field>
					<div class="form-actions">
						<button type="submit" class="btn btn-primary" disabled={busy || !form.from_user}>
							{busy ? 'Planning…' : 'Plan the handover'}
						</button>
					</div>
				</form>
				<section class="panel" aria-labelledby="list-h">
					<h2 id="list-h">Handovers</h2>
					{!data.data.list.length && <Empty>No handover yet.</Empty>}
					{data.data.list.length > 0 && (
						<ul class="ho-list">
							{data.data.list.map((h) => (
								<li key={h.id}>
									<Link href={'/handover?id=' + h.id}>{h.from_user.name}</Link>{' '}
									<Badge kind={h.status === 'executed' ? 'ok' : h.status === 'draft' ? 'warn' : undefined}>{h.status}</Badge>
									<span class="muted"> · {h.status === 'executed' ? 'executed ' + dateTime(h.executed_at) : 'planned ' + dateTime(h.planned_at)}</span>
								</li>
							))}
						</ul>
					)}
				</section>
			</div>
		</Page>
	);
}

// --- 2–4. the plan, its confirmation, its result -------------------------------

function Plan({ id }) {
	const { user } = useSession();
	const h = useAsync(() => get('/handovers/' + id), [id]);
	const people = useAsync(async () => {
		const [users, teams] = await Promise.all([getAll('/users'), getAll('/teams')]);
		return managedUsers(users, teams, user);
	}, []);
	const [step, setStep] = useState(1);

	if (h.error)
		return (
			<Page title="Handover">
				<ErrorBox error={h.error} onRetry={h.reload} />
				<p><Link href="/handover">All handovers</Link></p>
			</Page>
		);
	if (!h.data)
		return <Page title="Handover"><Loading what="the plan" /></Page>;
	const ho = h.data;
	const title = 'Handover of ' + ho.from_user.name;
	if (ho.status === 'executed')
		return <Page title={title}><Steps at={3} /><Result ho={ho} /></Page>;
	if (ho.status !== 'draft')
		return (
			<Page title={title}>
				<div class="panel" data-ready="1">
					<p>This handover was {ho.status}. Nothing was changed.</p>
					<Link class="btn" href="/handover">Plan another handover</Link>
				</div>
			</Page>
		);
	return (
		<Page title={title}>
			<Steps at={step} />
			{step === 1
				? <Review ho={ho} setHo={h.setData} users={people.data || []} onNext={() => { setStep(2); window.scrollTo(0, 0); }} />
				: <Confirm ho={ho} setHo={h.setData} onBack={() => setStep(1)} />}
		</Page>
	);
}

function itemsOf(ho) {
	return SECTIONS.flatMap((s) => ho.sections[s.key] || []);
}

function Who({ label: l, person, reason }) {
	return (
		<div class="ho-who">
			<dt>{l}</dt>
			<dd><strong>{person.name}</strong>{reason && <span class="muted ho-reason">{reason}</span>}</dd>
		</div>
	);
}

function Review({ ho, setHo, users, onNext }) {
	const [busy, setBusy] = useState(null); // item id being saved
	const [replan, setReplan] = useState(false);
	const [cancel, setCancel] = useState(false);
	const owners = users.filter((u) => u.id !== ho.from_user.id);
	const items = itemsOf(ho);
	const left = items.filter((i) => !i.included).length;

	const saveItem = async (item, body, what) => {
		setBusy(item.id);
		try {
			const r = await patch('/handovers/' + ho.id + '/items/' + item.id, body);
			setHo(r.data);
			toast(what);
		} catch (err) {
			toast(err.message, 'error');
		} finally {
			setBusy(null);
		}
	};

	return (
		<div data-ready="1">
			<section class="panel" aria-labelledby="plan-h">
				<h2 id="plan-h">The plan <span class="spacer" /><Badge kind="warn">draft</Badge></h2>
				<dl class="ho-people">
					<Who label="Leaving" person={ho.from_user} />
					<Who label="Successor" person={ho.successor} reason={ho.successor_choice && ho.successor_choice.reason} />
					<Who label="Manager" person={ho.manager} reason={ho.manager_reason} />
				</dl>
				{ho.note && <p class="ho-note">{ho.note}</p>}
				<ul class="ho-counts" aria-label="Records in the plan">
					{SECTIONS.map((s) => (
						<li key={s.key} data-section={s.key}><strong>{(ho.sections[s.key] || []).length}</strong> {s.title.toLowerCase()}</li>
					))}
					{Object.entries(ho.counts.planned.by_resource).map(([k, n]) => (
						<li key={k} class="muted">{n} {(RESOURCES[k] || [k, k])[1]}</li>
					))}
				</ul>
				<div class="form-actions ho-plan-actions">
					<button type="button" class="btn btn-small" onClick={() => setReplan(true)}>Change successor or manager</button>
					<button type="button" class="btn btn-small btn-ghost" onClick={() => setCancel(true)}>Cancel this handover</button>
				</div>
			</section>

			{SECTIONS.map((s) => {
				const list = ho.sections[s.key] || [];
				if (!list.length)
					return null;
				const main = list.filter((i) => MAIN.has(i.resource));
				const rest = list.filter((i) => !MAIN.has(i.resource));
				return (
					<section key={s.key} class={'panel ho-section ho-' + s.key} aria-labelledby={'sec-' + s.key} data-section={s.key}>
						<h2 id={'sec-' + s.key}>{s.title} <span class="muted ho-who-line">— {s.who}</span>
							<span class="spacer" /><span class="muted dash-sub">{plural(list.length, 'record')}</span></h2>
						<p class="hint">{s.text}</p>
						{main.length > 0 && <ItemTable items={main} owners={owners} busy={busy} save={saveItem} withTasks />}
						{rest.length > 0 && (
							<details class="chart-table" open={!main.length}>
								<summary>
									{main.length ? 'With them: ' : ''}
									{Object.entries(countBy(rest)).map(([k, n]) => n + ' ' + (RESOURCES[k] || [k, k])[n === 1 ? 0 : 1].toLowerCase()).join(', ')}
								</summary>
								<ItemTable items={rest} owners={owners} busy={busy} save={saveItem} />
							</details>
						)}
					</section>
				);
			})}
			{!items.length && <div class="panel"><Empty>{ho.from_user.name} owns no open record: there is nothing to hand over.</Empty></div>}

			<div class="ho-next">
				{left > 0 && (
					<p class="alert alert-warn">
						{plural(left, 'record')} left out of the plan stay with {ho.from_user.name}. Execution is refused while
						the leaver still owns an open record: give them an owner first, or include them again.
					</p>
				)}
				<button type="button" class="btn btn-primary" onClick={onNext}>Continue to confirm</button>
			</div>

			<Replan ho={ho} setHo={setHo} users={owners} open={replan} onClose={() => setReplan(false)} />
			<CancelPlan ho={ho} open={cancel} onClose={() => setCancel(false)} />
		</div>
	);
}

function countBy(items) {
	const out = {};
	for (const i of items)
		out[i.resource] = (out[i.resource] || 0) + 1;
	return out;
}

const FIRST = 25; // rows shown before "Show all"

function ItemTable({ items, owners, busy, save, withTasks }) {
	const [all, setAll] = useState(items.length <= FIRST + 5);
	const rows = all ? items : items.slice(0, FIRST);
	return (
		<div class="table-wrap">
			<table class="ho-items">
				<thead>
					<tr>
						<th scope="col">Record</th>
						<th scope="col">New owner</th>
						{withTasks && <th scope="col">Task</th>}
						<th scope="col">Included</th>
					</tr>
				</thead>
				<tbody>
					{rows.map((i) => {
						const kind = (RESOURCES[i.resource] || [label(i.resource)])[0];
						const ownerId = 'owner-' + i.id;
						const listed = owners.some((u) => u.id === i.new_owner_id);
						return (
							<tr key={i.id} data-item={i.id} data-resource={i.resource} data-record={i.record_id}
								class={i.included ? '' : 'excluded'}>
								<th scope="row">
									<span class="ho-kind muted">{kind}{i.stage ? ' · ' + label(i.stage) : ''}</span>
									{i.resource === 'opportunities'
										? <Link href={'/opportunities/' + i.record_id}>{i.label}</Link>
										: <span>{i.label}</span>}
								</th>
								<td>
									<label class="visually-hidden" for={ownerId}>New owner of {i.label}</label>
									<select id={ownerId} class="inline-select" value={i.new_owner_id} disabled={busy === i.id}
										onChange={(e) => {
											const v = +e.currentTarget.value;
											const u = owners.find((x) => x.id === v);
											save(i, { new_owner_id: v }, i.label + ' → ' + (u ? u.name : '#' + v));
										}}>
										{!listed && <option value={i.new_owner_id}>{i.new_owner_name}</option>}
										{owners.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
									</select>
								</td>
								{withTasks && (
									<td class="ho-task">
										{i.task_subject
											? <>
												<span>{i.task_subject}</span>
												<span class="muted"> — {i.task_owner_name}, due {date(i.task_due_at)}</span>
											</>
											: <span class="muted">—</span>}
									</td>
								)}
								<td>
									<input type="checkbox" checked={i.included} disabled={busy === i.id}
										aria-label={'Include ' + i.label}
										onChange={(e) => save(i, { included: e.currentTarget.checked },
											i.label + (e.currentTarget.checked ? ' included' : ' left out'))} />
								</td>
							</tr>
						);
					})}
				</tbody>
			</table>
			{!all && (
				<button type="button" class="btn btn-small" onClick={() => setAll(true)}>
					Show all {items.length}
				</button>
			)}
		</div>
	);
}

function Replan({ ho, setHo, users, open, onClose }) {
	const [successor, setSuccessor] = useState('');
	const [manager, setManager] = useState('');
	const [error, setError] = useState(null);
	const [busy, setBusy] = useState(false);
	const submit = async () => {
		setBusy(true);
		setError(null);
		const body = {
			successor: successor === '' ? ho.successor.id : successor === 'auto' ? null : +successor,
			manager: manager === '' ? ho.manager.id : manager === 'auto' ? null : +manager,
		};
		try {
			const r = await patch('/handovers/' + ho.id, body);
			setHo(r.data);
			toast('Plan made again');
			onClose();
		} catch (err) {
			setError(err);
		} finally {
			setBusy(false);
		}
	};
	return (
		<Modal title="Change successor or manager" open={open} onClose={onClose}
			footer={<>
				<button type="button" class="btn" onClick={onClose}>Keep the plan</button>
				<button type="button" class="btn btn-primary" disabled={busy} onClick={submit}>{busy ? 'Planning…' : 'Make the plan again'}</button>
			</>}>
			<p class="alert alert-warn">The plan is made again from {ho.from_user.name}'s records as they are now: changes made to single items are lost.</p>
			{error && !Object.keys(error.fields).length && <ErrorBox error={error} />}
			<Field label="Successor" name="re-successor" error={error && error.fields.successor}>
				{(fid, desc) => (
					<select id={fid} aria-describedby={desc} value={successor} onChange={(e) => setSuccessor(e.currentTarget.value)}>
						<option value="">{ho.successor.name} (as now)</option>
						<option value="auto">Propose one for me</option>
						{users.filter((u) => u.role === 'rep' && u.id !== ho.successor.id).map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
					</select>
				)}
			</Field>
			<Field label="Manager" name="re-manager" error={error && error.fields.manager}>
				{(fid, desc) => (
					<select id={fid} aria-describedby={desc} value={manager} onChange={(e) => setManager(e.currentTarget.value)}>
						<option value="">{ho.manager.name} (as now)</option>
						<option value="auto">The leaver's manager</option>
						{users.filter((u) => (u.role === 'manager' || u.role === 'admin') && u.id !== ho.manager.id)
							.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
					</select>
				)}
			</Field>
		</Modal>
	);
}

function CancelPlan({ ho, open, onClose }) {
	const [error, setError] = useState(null);
	const go = async () => {
		try {
			await patch('/handovers/' + ho.id, { status: 'cancelled' });
			toast('Handover cancelled');
			navigate('/handover');
		} catch (err) {
			setError(err);
		}
	};
	return (
		<Modal title="Cancel this handover?" open={open} onClose={onClose}
			footer={<>
				<button type="button" class="btn" onClick={onClose}>Keep it</button>
				<button type="button" class="btn btn-danger" onClick={go}>Cancel the handover</button>
			</>}>
			<ErrorBox error={error} />
			<p>The draft ends and nothing changes: {ho.from_user.name} keeps their records and their login.</p>
		</Modal>
	);
}

function Confirm({ ho, setHo, onBack }) {
	const [sure, setSure] = useState(false);
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState(null);
	const items = itemsOf(ho);
	const moving = items.filter((i) => i.included);
	const tasks = moving.filter((i) => i.task_subject).length;
	const left = items.length - moving.length;
	const by = countBy(moving);
	const run = async () => {
		setBusy(true);
		setError(null);
		try {
			const r = await post('/handovers/' + ho.id + '/execute');
			setHo(r);
			window.scrollTo(0, 0);
		} catch (err) {
			setError(err);
			setBusy(false);
		}
	};
	const replan = async () => {
		try {
			const r = await patch('/handovers/' + ho.id, { successor: ho.successor.id, manager: ho.manager.id });
			setHo(r.data);
			setError(null);
			toast('Plan made again with every record the leaver owns now');
			onBack();
		} catch (err) {
			setError(err);
		}
	};
	return (
		<section class="panel ho-confirm" aria-labelledby="confirm-h" data-ready="1">
			<h2 id="confirm-h">Confirm the handover of {ho.from_user.name}</h2>
			<p>In one step, and all or nothing:</p>
			<ul>
				<li data-confirm="records">
					{Object.entries(by).map(([k, n]) => n + ' ' + (RESOURCES[k] || [k, k])[n === 1 ? 0 : 1].toLowerCase()).join(', ') || 'no record'} change owner
					({ho.manager.name} takes the lower funnel, {ho.successor.name} the rest);
				</li>
				<li>{plural(tasks, 'handover task')} {tasks === 1 ? 'is' : 'are'} created with their due dates;</li>
				<li><strong>{ho.from_user.name}'s login is disabled</strong>: their sessions end and their API tokens are revoked.</li>
			</ul>
			{left > 0 && <p class="alert alert-warn">{plural(left, 'record')} left out of the plan: the server refuses to execute while {ho.from_user.name} still owns an open one.</p>}
			{error && (
				<div class="alert alert-error" role="alert">
					<p>{error.message}</p>
					{error.errors.length > 0 && (
						<ul>{error.errors.map((e, i) => <li key={i}>{e.field ? e.field + ': ' : ''}{e.message}</li>)}</ul>
					)}
					{error instanceof ApiError && error.status === 409 && (
						<button type="button" class="btn btn-small" onClick={replan}>Make the plan again with every record</button>
					)}
				</div>
			)}
			<label class="ho-sure">
				<input type="checkbox" checked={sure} onChange={(e) => setSure(e.currentTarget.checked)} />
				{' '}I have reviewed the plan; {ho.from_user.name} may no longer sign in afterwards.
			</label>
			<div class="form-actions">
				<button type="button" class="btn" onClick={onBack} disabled={busy}>Back to the plan</button>
				<button type="button" class="btn btn-danger" disabled={!sure || busy} onClick={run}>
					{busy ? 'Executing…' : 'Execute the handover'}
				</button>
			</div>
		</section>
	);
}

// --- 4. the result -------------------------------------------------------------

const COUNTED = ['opportunities', 'leads', 'accounts', 'contacts', 'activities'];
const COUNT_LABELS = { opportunities: 'Open deals', leads: 'Open leads', accounts: 'Accounts', contacts: 'Contacts', activities: 'Pending activities' };

function Result({ ho }) {
	const items = itemsOf(ho);
	const outcomes = countOutcomes(items);
	const tasks = items.filter((i) => i.activity_id).length;
	const leaver = (ho.counts.after || []).find((r) => r.role === 'leaver');
	const clean = leaver && COUNTED.every((k) => !leaver[k]);
	const before = new Map((ho.counts.before || []).map((r) => [r.user_id, r]));
	return (
		<section class="panel ho-result" aria-labelledby="result-h" data-ready="1">
			<h2 id="result-h">Handed over <span class="spacer" /><Badge kind="ok">executed</Badge></h2>
			<p>Executed {dateTime(ho.executed_at)}. {ho.from_user.name}'s login is disabled.</p>
			{clean
				? <p class="alert alert-ok" data-clean="1">{ho.from_user.name} owns nothing open any more.</p>
				: <p class="alert alert-warn">{ho.from_user.name} still owns records: see the counts below.</p>}
			<p>
				{plural(outcomes.applied || 0, 'record')} changed owner
				{outcomes.skipped ? ', ' + outcomes.skipped + ' skipped (no longer the leaver\'s, or closed meanwhile)' : ''};
				{' '}{plural(tasks, 'handover task')} created.
			</p>
			<div class="table-wrap">
				<table class="ho-after">
					<caption>What each person owns, before → after</caption>
					<thead>
						<tr>
							<th scope="col">Person</th>
							{COUNTED.map((k) => <th key={k} scope="col" class="num">{COUNT_LABELS[k]}</th>)}
						</tr>
					</thead>
					<tbody>
						{(ho.counts.after || []).map((r) => {
							const b = before.get(r.user_id) || {};
							return (
								<tr key={r.user_id} data-user={r.user_id} data-role={r.role}>
									<th scope="row">{r.name} <span class="muted">({r.role})</span></th>
									{COUNTED.map((k) => (
										<td key={k} class="num" data-count={k} data-value={r[k]}>{b[k] ?? '—'} → <strong>{r[k]}</strong></td>
									))}
								</tr>
							);
						})}
					</tbody>
				</table>
			</div>
			<p><Link href="/handover">All handovers</Link></p>
		</section>
	);
}

function countOutcomes(items) {
	const out = {};
	for (const i of items)
		if (i.outcome)
			out[i.outcome] = (out[i.outcome] || 0) + 1;
	return out;
}
