// Live questionnaires in the room, and the participant report (docs/questionnaires.md).
//  - HostPolls: the master launches a poll (a template, or one improvised question),
//    watches the results come in, closes it and shows the results to everyone;
//  - ParticipantPolls: an invitee (by their link's token) answers the open polls and
//    sees the results the host shows;
//  - MeetingReport (/meetings/:id/report): who came, for how long, what each said,
//    and the results; CSV and PDF downloads.
// Both panels ask Funnel every 2 s, as the room already does for roles (poll.h: why).
import { useEffect, useState } from 'preact/hooks';
import { get, patch, post, request } from '../api.js';
import { Link } from '../router.jsx';

function every(ms, fn, deps) {
	useEffect(() => {
		fn();
		const t = setInterval(fn, ms);
		return () => clearInterval(t);
	}, deps);
}

const pct = (n, of) => (of ? Math.round((100 * n) / of) : 0);

function Bar({ label, value, of, extra }) {
	return (
		<li class="poll-bar">
			<span class="poll-bar-label">{label}</span>
			<span class="poll-bar-track" aria-hidden="true"><span class="poll-bar-fill" style={{ width: pct(value, of) + '%' }} /></span>
			<span class="poll-bar-value">{extra || value}</span>
		</li>
	);
}

// One poll's results (poll.h: poll_results), for the host, the room and the report.
export function Results({ results }) {
	return (
		<div class="poll-results">
			{(results || []).map((r) => (
				<section key={r.key} class="poll-result" data-question={r.key}>
					<h4>{r.text} <small class="muted">{r.respondents} answered</small></h4>
					{(r.kind === 'single' || r.kind === 'multiple') && (
						<ul class="poll-bars">{r.options.map((o) => <Bar key={o.option} label={o.option} value={o.count} of={r.respondents} />)}</ul>
					)}
					{r.kind === 'rating' && (
						<>
							<p class="poll-mean">Mean: <strong data-mean>{r.mean == null ? '–' : r.mean.toFixed(2)}</strong> <small class="muted">({r.min} to {r.max})</small></p>
							<ul class="poll-bars">{r.distribution.map((d) => <Bar key={d.value} label={String(d.value)} value={d.count} of={r.respondents} />)}</ul>
						</>
					)}
					{r.kind === 'ranking' && (
						<ol class="poll-ranking">
							{r.options.map((o) => (
								<li key={o.option}>{o.option} <small class="muted">Borda {o.borda}{o.mean_position == null ? '' : ' · mean place ' + o.mean_position.toFixed(2)}</small></li>
							))}
						</ol>
					)}
					{r.kind === 'text' && (
						<ul class="poll-texts">{r.texts.map((t, i) => <li key={i}>{t}</li>)}</ul>
					)}
				</section>
			))}
		</div>
	);
}

const KINDS = [['single', 'One choice'], ['multiple', 'Several choices'], ['rating', 'Rating 1–5'], ['ranking', 'Ranking'], ['text', 'Free text']];

// The master's panel: launch, the polls with live results, close, show.
export function HostPolls({ meetingId }) {
	const [polls, setPolls] = useState(null);
	const [templates, setTemplates] = useState([]);
	const [choice, setChoice] = useState('');
	const [q, setQ] = useState({ text: '', kind: 'single', options: '' });
	const [err, setErr] = useState('');
	const load = async () => {
		try {
			setPolls((await get('/meetings/' + meetingId + '/polls')).data);
		} catch (e) {
			setErr(e.message);
		}
	};
	every(2000, load, [meetingId]);
	useEffect(() => {
		get('/questionnaires', { active: true, limit: 100 }).then((r) => {
			setTemplates(r.data);
			if (r.data.length)
				setChoice(String(r.data[0].id));
		}, () => {});
	}, []);
	const launch = async (body) => {
		setErr('');
		try {
			await post('/meetings/' + meetingId + '/polls', body);
			load();
			return true;
		} catch (e) {
			setErr(e.message);
			return false;
		}
	};
	const improvise = async (ev) => {
		ev.preventDefault();
		const question = { key: 'q1', text: q.text, kind: q.kind };
		if (['single', 'multiple', 'ranking'].includes(q.kind))
			question.options = q.options.split(',').map((s) => s.trim()).filter(Boolean);
		if (await launch({ title: q.text, questions: [question] }))
			setQ({ text: '', kind: q.kind, options: '' });
	};
	const change = async (p, body) => {
		setErr('');
		try {
			await patch('/meetings/' + meetingId + '/polls/' + p.id, body);
			load();
		} catch (e) {
			setErr(e.message);
		}
	};
	return (
		<section class="room-polls" aria-label="Polls">
			<h2>Polls</h2>
			{err && <p role="alert">{err}</p>}
			<div class="poll-launch">
				{templates.length > 0 && (
					<form onSubmit={(ev) => { ev.preventDefault(); launch({ questionnaire_id: Number(choice) }); }}>
						<label>Questionnaire <select value={choice} onChange={(e) => setChoice(e.target.value)} name="questionnaire">
							{templates.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
						</select></label>{' '}
						<button class="btn btn-primary" type="submit">Launch</button>
					</form>
				)}
				<form class="poll-improvise" onSubmit={improvise}>
					<label>Quick question <input name="question" value={q.text} maxLength={200} onInput={(e) => setQ({ ...q, text: e.target.value })} required /></label>
					<label>Kind <select name="kind" value={q.kind} onChange={(e) => setQ({ ...q, kind: e.target.value })}>
						{KINDS.map(([k, l]) => <option key={k} value={k}>{l}</option>)}
					</select></label>
					{['single', 'multiple', 'ranking'].includes(q.kind) && (
						<label>Options, separated by commas <input name="options" value={q.options} onInput={(e) => setQ({ ...q, options: e.target.value })} required /></label>
					)}
					<button class="btn" type="submit">Ask now</button>
				</form>
			</div>
			{polls && polls.length === 0 && <p class="muted">No poll launched yet.</p>}
			{polls && [...polls].reverse().map((p) => (
				<article key={p.id} class="poll" data-poll={p.id} data-state={p.state}>
					<header class="poll-head">
						<h3>{p.title}</h3>
						<span class="muted">{p.state === 'open' ? 'open' : 'closed'} · <span data-respondents>{p.respondents}</span> answered{p.shown ? ' · shown to all' : ''}</span>
						<span class="poll-actions">
							{p.state === 'open' && <button class="btn" onClick={() => change(p, { state: 'closed' })}>Close</button>}
							<button class="btn" onClick={() => change(p, { shown: !p.shown })}>{p.shown ? 'Hide results' : 'Show results to all'}</button>
						</span>
					</header>
					<Results results={p.results} />
				</article>
			))}
			<p><Link href={'/meetings/' + meetingId + '/report'}>Participant report</Link></p>
		</section>
	);
}

function Ranking({ options, value, onChange }) {
	const order = value || options;
	const move = (i, d) => {
		const next = [...order];
		[next[i], next[i + d]] = [next[i + d], next[i]];
		onChange(next);
	};
	return (
		<ol class="poll-rank-input">
			{order.map((o, i) => (
				<li key={o}>
					<span>{i + 1}. {o}</span>
					<button type="button" class="btn btn-small" aria-label={'Move ' + o + ' up'} disabled={i === 0} onClick={() => move(i, -1)}>↑</button>
					<button type="button" class="btn btn-small" aria-label={'Move ' + o + ' down'} disabled={i === order.length - 1} onClick={() => move(i, 1)}>↓</button>
				</li>
			))}
		</ol>
	);
}

function Question({ q, value, set, error, name }) {
	const id = name + '-' + q.key;
	let input;
	if (q.kind === 'single')
		input = q.options.map((o) => (
			<label key={o} class="poll-choice"><input type="radio" name={id} checked={value === o} onChange={() => set(o)} /> {o}</label>
		));
	else if (q.kind === 'multiple')
		input = q.options.map((o) => {
			const on = (value || []).includes(o);
			return <label key={o} class="poll-choice"><input type="checkbox" name={id} checked={on} onChange={() => set(on ? value.filter((x) => x !== o) : [...(value || []), o])} /> {o}</label>;
		});
	else if (q.kind === 'rating') {
		const lo = q.min ?? 1, hi = q.max ?? 5, vals = [];
		for (let v = lo; v <= hi; v++)
			vals.push(v);
		input = (
			<span class="poll-scale">
				{q.min_label && <small>{q.min_label}</small>}
				{vals.map((v) => <label key={v} class="poll-choice"><input type="radio" name={id} checked={value === v} onChange={() => set(v)} /> {v}</label>)}
				{q.max_label && <small>{q.max_label}</small>}
			</span>
		);
	} else if (q.kind === 'ranking')
		input = <Ranking options={q.options} value={value} onChange={set} />;
	else
		input = <textarea name={id} maxLength={2000} value={value || ''} onInput={(e) => set(e.target.value)} />;
	return (
		<fieldset class="poll-question" data-question={q.key}>
			<legend>{q.text}{q.required ? ' *' : ''}</legend>
			{input}
			{error && <p class="field-error" role="alert">{error}</p>}
		</fieldset>
	);
}

function PollForm({ poll, token, onDone }) {
	const [vals, setVals] = useState(poll.mine || {});
	const [errors, setErrors] = useState({});
	const [note, setNote] = useState('');
	const submit = async (ev) => {
		ev.preventDefault();
		setErrors({});
		setNote('');
		const answers = {};
		for (const q of poll.questions) {
			let v = vals[q.key];
			if (q.kind === 'ranking' && v === undefined && q.required)
				v = q.options; // the order as shown is an answer too
			if (v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0 && q.kind !== 'multiple'))
				answers[q.key] = v;
		}
		try {
			await request('POST', '/join/' + encodeURIComponent(token) + '/polls/' + poll.id, { body: { answers }, noAuthRedirect: true });
			setNote('Thank you: your answers are in.');
			onDone();
		} catch (e) {
			const f = {};
			for (const [k, m] of Object.entries(e.fields || {}))
				f[k.replace(/^answers\./, '')] = m;
			setErrors(f);
			setNote(Object.keys(f).length ? 'Please check the answers marked.' : e.message);
		}
	};
	return (
		<form class="poll-form" onSubmit={submit} aria-label={poll.title}>
			{poll.questions.map((q) => (
				<Question key={q.key} q={q} name={'p' + poll.id} value={vals[q.key]} error={errors[q.key]} set={(v) => setVals({ ...vals, [q.key]: v })} />
			))}
			{note && <p role="status">{note}</p>}
			<button class="btn btn-primary" type="submit">{poll.mine ? 'Change my answers' : 'Send my answers'}</button>
		</form>
	);
}

// What an invitee sees: open polls to answer, and the results the host shows.
export function ParticipantPolls({ token }) {
	const [polls, setPolls] = useState([]);
	const load = async () => {
		try {
			setPolls((await request('GET', '/join/' + encodeURIComponent(token) + '/polls', { noAuthRedirect: true })).data.data);
		} catch (e) {
			/* the room's own poll says when the link is gone */
		}
	};
	every(2000, load, [token]);
	if (!polls.length)
		return null;
	return (
		<section class="room-polls" aria-label="Polls">
			{polls.map((p) => (
				<article key={p.id} class="poll" data-poll={p.id} data-state={p.state}>
					<h2>{p.title}</h2>
					{p.state === 'open' && <PollForm key={p.id} poll={p} token={token} onDone={load} />}
					{p.state !== 'open' && <p class="muted">This poll is closed.</p>}
					{p.shown && p.results && <><h3>Results</h3><Results results={p.results} /></>}
				</article>
			))}
		</section>
	);
}

const answerText = (a) => (Array.isArray(a.answer) ? (a.kind === 'ranking' ? a.answer.map((x, i) => i + 1 + '. ' + x).join('; ') : a.answer.join('; ')) : String(a.answer));

// /meetings/:id/report
export function MeetingReport({ id }) {
	const [rep, setRep] = useState(null);
	const [err, setErr] = useState('');
	useEffect(() => {
		get('/meetings/' + id + '/report').then(setRep, (e) => setErr(e.message));
	}, [id]);
	if (err)
		return <section class="page"><h1>Meeting report</h1><p role="alert">{err}</p></section>;
	if (!rep)
		return <section class="page"><p role="status">Loading…</p></section>;
	const m = rep.meeting;
	return (
		<section class="page meeting-report" data-ready="1">
			<h1>Report: {m.title}</h1>
			<p class="muted">{m.kind.replace('_', ' ')} · {new Date(m.starts_at).toLocaleString()} · {m.duration_minutes} min · host {m.host} · {m.state}
				{' · '}<Link href={'/opportunities/' + m.opportunity_id}>{m.opportunity || 'the deal'}</Link></p>
			<p>
				<a class="btn" href={'/api/v1/meetings/' + id + '/report?format=csv'} download>Download CSV</a>{' '}
				<a class="btn" href={'/api/v1/meetings/' + id + '/report?format=pdf'} download>Download PDF</a>
			</p>
			<h2>Participants</h2>
			<div class="table-wrap">
				<table class="table">
					<thead><tr><th>Name</th><th>Role</th><th>RSVP</th><th>Minutes</th><th>In the room</th><th>Answers</th></tr></thead>
					<tbody>
						{rep.participants.map((p) => (
							<tr key={p.invitee_id} data-invitee={p.invitee_id}>
								<td>{p.contact_id ? <Link href={'/contacts/' + p.contact_id}>{p.name}</Link> : p.name}<br /><small class="muted">{p.email}</small></td>
								<td>{p.role}</td>
								<td>{p.rsvp.replace('_', ' ')}</td>
								<td data-minutes>{p.minutes}</td>
								<td>{p.intervals.map((iv, i) => <div key={i}><small>{new Date(iv.joined_at).toLocaleTimeString()}–{iv.left_at ? new Date(iv.left_at).toLocaleTimeString() : 'now'}</small></div>)}</td>
								<td>{p.answers.map((a) => <div key={a.poll_id + a.key}><small class="muted">{a.question}</small> <span class="poll-answer" data-answer={a.key}>{answerText(a)}</span></div>)}</td>
							</tr>
						))}
					</tbody>
				</table>
			</div>
			<h2>Questionnaire results</h2>
			{rep.polls.length === 0 && <p class="muted">No poll was launched.</p>}
			{rep.polls.map((p) => (
				<article key={p.id} class="poll" data-poll={p.id}>
					<h3>{p.title} <small class="muted">{p.respondents} answered · {p.state}</small></h3>
					<Results results={p.results} />
				</article>
			))}
		</section>
	);
}
