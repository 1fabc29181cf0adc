// Forecast: each person submits their number for a period — commit and best case —
// beside what the engine says about their deals; a manager reads their team's roll-up
// (each member's latest number beside the engine's) and submits their own adjusted
// number for the team, an admin for the company; and how past periods' forecasts did
// against what was won.  docs/forecasting.md; docs/ui.md.
//
// Requests: GET /forecast (the engine's models), GET/POST /forecast/submissions
// (every POST with a fresh Idempotency-Key, so a retry is not stored twice),
// GET /forecast/rollup, GET /forecast/accuracy.  Period, team and accuracy period
// live in the URL.  Figures are shown as the server computed them; nothing is added
// up here.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, idempotencyKey, post } from '../api.js';
import { dateTime, money, plural } from '../format.js';
import { Link, navigate, searchParams } from '../router.jsx';
import { isAdmin, isManager, useSession } from '../session.js';
import { Chart, ChartTable, scale, ticks } from '../components/charts.jsx';
import { MODELS, RollupTable } from '../components/ForecastPanel.jsx';
import { cmoney, pct, periodBounds, periodKind, periodLabel, periodOf } from '../components/dashfmt.js';
import { Badge, Empty, ErrorBox, Field, Loading, Page, toast, useAsync } from '../components/ui.jsx';

// --- periods -----------------------------------------------------------------------

// p moved by n periods of its kind: shift('2026-Q4', 1) → '2027-Q1'
export function shift(p, n) {
	const y = +p.slice(0, 4);
	const per = periodKind(p) === 'quarter' ? 4 : 12;
	const i = (periodKind(p) === 'quarter' ? +p.slice(6) : +p.slice(5)) - 1 + n;
	const ny = y + Math.floor(i / per), k = ((i % per) + per) % per + 1;
	return per === 4 ? ny + '-Q' + k : ny + '-' + String(k).padStart(2, '0');
}

const utcToday = () => new Date().toISOString().slice(0, 10);
const closed = (p) => periodBounds(p).to < utcToday();

// The period picker's groups: this quarter and month first, then the next ones, then past.
function periodGroups(now) {
	const q = periodOf(now, 'quarter'), m = periodOf(now, 'month');
	return [
		['This period', [q, m]],
		['Next', [shift(q, 1), shift(m, 1)]],
		['Past quarters', [1, 2, 3, 4].map((i) => shift(q, -i))],
		['Past months', [1, 2, 3, 4, 5, 6].map((i) => shift(m, -i))],
	];
}

function PeriodSelect({ label, value, groups, onChange, id }) {
	const known = groups.some(([, ps]) => ps.includes(value));
	return (
		<label class="fcs-picker" for={id}>
			<span>{label}</span>
			<select id={id} class="inline-select" value={value} onChange={(e) => onChange(e.currentTarget.value)}>
				{!known && <option value={value}>{periodLabel(value)}</option>}
				{groups.map(([name, ps]) => (
					<optgroup key={name} label={name}>
						{ps.map((p) => <option key={p} value={p}>{periodLabel(p)}</option>)}
					</optgroup>
				))}
			</select>
		</label>
	);
}

function setParams(changes) {
	const q = searchParams();
	for (const [k, v] of Object.entries(changes)) {
		if (v)
			q.set(k, v);
		else
			q.delete(k);
	}
	const s = q.toString();
	navigate(location.pathname + (s ? '?' + s : ''), { replace: true });
}

// --- a chart that fits any width -------------------------------------------------------

// The container's width in CSS pixels, so an SVG can be drawn at 1:1 (text stays
// 12 px on a phone and on a desktop) instead of being scaled.
function useWidth(max) {
	const ref = useRef(null);
	const [w, setW] = useState(0);
	useEffect(() => {
		const el = ref.current;
		if (!el || typeof ResizeObserver === 'undefined')
			return undefined;
		const ro = new ResizeObserver((es) => {
			const cw = Math.floor(es[0].contentRect.width);
			if (cw > 0)
				setW(Math.min(cw, max));
		});
		ro.observe(el);
		return () => ro.disconnect();
	}, [max]);
	return [ref, w];
}

// Rows of figures on one axis: each row's label and value above its track, a dot at
// the value, a band from lo to hi when the row claims one; a dashed line at `marker`
// (what is won so far, or the actual).
// rows: [{key, label, value, lo, hi}]; marker: {value, label}
function RangeChart({ title, desc, rows, marker, currency, class: cls }) {
	const [ref, measured] = useWidth(760);
	const W = measured || 340, pad = 10, top = 30, rowH = 50, H = top + rows.length * rowH + 22;
	const hi = Math.max(1, marker.value, ...rows.map((r) => Math.max(r.value, r.hi == null ? 0 : r.hi)));
	const ts = ticks(0, hi, W < 480 ? 3 : 5);
	const x = scale(0, ts[ts.length - 1], pad, W - pad);
	const mx = x(marker.value);
	const anchor = (v) => (v < W / 4 ? 'start' : v > (3 * W) / 4 ? 'end' : 'middle');
	return (
		<div class="fcs-chart-box" ref={ref}>
			<Chart title={title} desc={desc} width={W} height={H} class={'fcs-chart' + (cls ? ' ' + cls : '')}>
				<g class="axis">
					{ts.map((t) => (
						<g key={t}>
							<line class="grid" x1={x(t)} x2={x(t)} y1={top - 4} y2={H - 18} />
							<text x={x(t)} y={H - 4} text-anchor={anchor(x(t))}>{cmoney(t, currency)}</text>
						</g>
					))}
				</g>
				{rows.map((r, i) => {
					const y0 = top + i * rowH;
					const band = r.lo != null && r.hi != null && r.hi !== r.lo;
					return (
						<g key={r.key} class="fcs-row" data-row={r.key}>
							<text class="fc-label" x={pad} y={y0 + 14}>{r.label}</text>
							<text class="fc-value" x={W - pad} y={y0 + 14} text-anchor="end" data-value={r.value}>
								{cmoney(r.value, currency)}
							</text>
							<line class="fc-track" x1={pad} x2={W - pad} y1={y0 + 32} y2={y0 + 32} />
							{band && (
								<rect class="fc-band" x={x(r.lo)} y={y0 + 25} width={Math.max(1, x(r.hi) - x(r.lo))} height="14" rx="3">
									<title>{money(r.lo, currency)} – {money(r.hi, currency)}</title>
								</rect>
							)}
							<circle class="fc-dot" cx={x(r.value)} cy={y0 + 32} r="6" />
						</g>
					);
				})}
				<line class="won-line" x1={mx} x2={mx} y1={top - 10} y2={H - 18} />
				<text class="won-label" x={mx} y={top - 14} text-anchor={anchor(mx)} data-value={marker.value}>
					{marker.label} {cmoney(marker.value, currency)}
				</text>
			</Chart>
		</div>
	);
}

// --- the engine's figures for a scope ----------------------------------------------------

// How often the range held in past periods of this scope (GET /forecast's
// models.historical.basis.calibration): each past period forecast at the same point in
// it, its range from the periods before it; and whose errors the width comes from.
const BASIS = {
	own: 'measured on its own past periods',
	parent_scaled: 'too few past periods of its own: its parent\'s error, scaled to its size',
	prior: 'too few closed periods anywhere: a prior, widened for that',
};

function RangeHeld({ f, who }) {
	const c = f.models.historical.basis && f.models.historical.basis.calibration;
	if (!c) return null;
	const kind = /-Q/.test(f.period) ? 'quarter' : 'month';
	const n = c.periods_checked;
	return (
		<p class="fcs-held" data-held={c.periods_held} data-checked={n} data-basis={c.basis}>
			{n > 0
				? <>The 80% range held in <strong>{c.periods_held} of {n}</strong> past {kind}s for {who} ({Math.round(100 * c.periods_held / n)}%), each forecast at this point of its {kind}.</>
				: <>No past {kind} for {who} to check the range against yet.</>}
			{' '}Its width: {BASIS[c.basis] || c.basis}.
		</p>
	);
}

function EngineFigures({ f, who }) {
	const cur = f.currency;
	const models = MODELS.filter((m) => f.models[m.key]);
	const hasBand = (v) => v.total_p90 !== v.total_p10;
	const c = f.models.categories;
	if (f.open_deals === 0 && f.closed_won === 0)
		return (
			<div class="fcs-figures" data-ready="1">
				<Empty>Nothing won or open for {who} in {periodLabel(f.period)}.</Empty>
			</div>
		);
	return (
		<div class="fcs-figures" data-ready="1">
			<p class="dash-summary">
				<span>won so far <strong data-figure="closed_won">{money(f.closed_won, cur)}</strong></span>
				<span><strong>{f.open_deals}</strong> open deals worth <strong>{money(f.open_amount, cur)}</strong></span>
			</p>
			{models.length > 0 && (
				<RangeChart title={'What the engine expects ' + who + ' to book in ' + periodLabel(f.period)}
					desc={'Won so far ' + money(f.closed_won, cur) + '. ' + models.map((m) => {
						const v = f.models[m.key];
						return m.label + ': ' + money(v.total_expected, cur) +
							(hasBand(v) ? ', 80% between ' + money(v.total_p10, cur) + ' and ' + money(v.total_p90, cur) : '');
					}).join('; ') + '.'}
					currency={cur} marker={{ value: f.closed_won, label: 'Won' }}
					rows={models.map((m) => {
						const v = f.models[m.key];
						return { key: m.key, label: m.label, value: v.total_expected, lo: hasBand(v) ? v.total_p10 : null, hi: hasBand(v) ? v.total_p90 : null };
					})} />
			)}
			{f.models.historical && <RangeHeld f={f} who={who} />}
			<ChartTable caption={'The engine\'s models for ' + who}
				columns={[
					{ key: 'model', label: 'Model' },
					{ key: 'expected', label: 'Expected total', num: true },
					{ key: 'p10', label: 'P10', num: true },
					{ key: 'p90', label: 'P90', num: true },
					{ key: 'further', label: 'Still to book', num: true },
				]}
				rows={models.map((m) => {
					const v = f.models[m.key];
					return {
						key: m.key,
						cells: {
							model: m.label, expected: money(v.total_expected, cur),
							p10: hasBand(v) ? money(v.total_p10, cur) : '—', p90: hasBand(v) ? money(v.total_p90, cur) : '—',
							further: money(v.expected, cur),
						},
					};
				})} />
			{c && (
				<dl class="fcs-cats" aria-label="Forecast categories of the open deals">
					<div><dt>Open in commit</dt><dd data-category="commit">{money(c.commit, cur)}</dd></div>
					<div><dt>Open in best case</dt><dd data-category="best_case">{money(c.best_case, cur)}</dd></div>
					<div><dt>Open in pipeline</dt><dd data-category="pipeline">{money(c.pipeline, cur)}</dd></div>
					<div><dt>Won + commit</dt><dd data-category="total">{money(c.total_expected, cur)}</dd></div>
				</dl>
			)}
		</div>
	);
}

// --- submitting, and what was submitted ------------------------------------------------------

// target: {scope: 'user'} | {scope: 'team', team_id} | {scope: 'company'}
function SubmitForm({ period, target, currency, latest, categories, forWhom, onSubmitted }) {
	const [commit, setCommit] = useState(latest ? String(latest.commit) : '');
	const [best, setBest] = useState(latest ? String(latest.best_case) : '');
	const [note, setNote] = useState('');
	const [error, setError] = useState(null);
	const [busy, setBusy] = useState(false);
	const cur = currency || (latest && latest.currency) || 'EUR';
	const fe = (error && error.fields) || {};
	const ours = ['commit', 'best_case', 'note'];
	const other = error && !ours.some((k) => fe[k]) ? error : null;
	const id = (name) => target.scope + '-' + name;

	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		setError(null);
		const body = { period, ...target, currency: cur };
		if (commit.trim())
			body.commit = commit.trim();
		if (best.trim())
			body.best_case = best.trim();
		if (note.trim())
			body.note = note.trim();
		try {
			const s = await post('/forecast/submissions', body, { headers: { 'Idempotency-Key': idempotencyKey() } });
			toast('Submitted for ' + periodLabel(period) + ': commit ' + money(s.commit, s.currency) + ', best case ' + money(s.best_case, s.currency));
			setNote('');
			onSubmitted(s);
		} catch (err) {
			setError(err);
		} finally {
			setBusy(false);
		}
	};

	return (
		<form class="fcs-form" onSubmit={submit} aria-label={'Submit ' + forWhom + ' number for ' + periodLabel(period)} noValidate>
			<ErrorBox error={other} />
			<div class="form-row">
				<Field label={'Commit (' + cur + ')'} name={id('commit')} error={fe.commit}
					hint="What will book for sure, closed won included">
					{(fid, d) => <input id={fid} aria-describedby={d} inputMode="decimal" autoComplete="off" value={commit}
						aria-invalid={fe.commit ? 'true' : undefined} onInput={(e) => setCommit(e.currentTarget.value)} />}
				</Field>
				<Field label={'Best case (' + cur + ')'} name={id('best_case')} error={fe.best_case}
					hint="What may book at best (at least the commit)">
					{(fid, d) => <input id={fid} aria-describedby={d} inputMode="decimal" autoComplete="off" value={best}
						aria-invalid={fe.best_case ? 'true' : undefined} onInput={(e) => setBest(e.currentTarget.value)} />}
				</Field>
			</div>
			<Field label="Note (optional)" name={id('note')} error={fe.note}
				hint={target.scope === 'user' ? 'Why, for your manager' : 'Why, for the record'}>
				{(fid, d) => <textarea id={fid} aria-describedby={d} maxLength={2000} rows={2} value={note}
					onInput={(e) => setNote(e.currentTarget.value)} />}
			</Field>
			<div class="fcs-form-foot">
				{categories && (
					<p class="hint">
						Won so far plus the open deals in commit: {money(categories.total_expected, cur)}.
					</p>
				)}
				<button type="submit" class="btn btn-primary" disabled={busy}>{busy ? 'Submitting…' : 'Submit'}</button>
			</div>
		</form>
	);
}

function HistoryTable({ h, showSubmitter, caption }) {
	if (h.error)
		return <ErrorBox error={h.error} onRetry={h.reload} />;
	if (!h.data)
		return <Loading what="the submissions" />;
	const rows = h.data.data;
	if (!rows.length)
		return <Empty>Nothing submitted for this period yet.</Empty>;
	const current = new Set();
	const seen = new Set();
	for (const s of rows) // newest first: the first of each submitter is their current number
		if (!seen.has(s.submitter_id)) {
			seen.add(s.submitter_id);
			current.add(s.id);
		}
	return (
		<div class="fcs-table-wrap">
			<table class="fcs-table fcs-history">
				<caption class="visually-hidden">{caption}</caption>
				<thead>
					<tr>
						<th scope="col">Submitted</th>
						{showSubmitter && <th scope="col">By</th>}
						<th scope="col" class="num">Commit</th>
						<th scope="col" class="num">Best case</th>
						<th scope="col">Note</th>
					</tr>
				</thead>
				<tbody>
					{rows.map((s) => (
						<tr key={s.id} data-submission={s.id}>
							<th scope="row" data-label="Submitted">
								<time datetime={s.submitted_at}>{dateTime(s.submitted_at)}</time>
								{current.has(s.id) && <> <Badge kind="ok">current</Badge></>}
							</th>
							{showSubmitter && <td data-label="By">{s.submitter_name}</td>}
							<td class="num" data-label="Commit">{money(s.commit, s.currency)}</td>
							<td class="num" data-label="Best case">{money(s.best_case, s.currency)}</td>
							<td data-label="Note">{s.note || <span class="muted">—</span>}</td>
						</tr>
					))}
				</tbody>
			</table>
		</div>
	);
}

// A scope's figures, the form and the history of its submissions.
function SubmitSection({ period, target, histQuery, figures, latestOf, forWhom, showSubmitter, onSubmitted }) {
	const [version, setVersion] = useState(0);
	const hkey = JSON.stringify(histQuery);
	const h = useAsync(() => get('/forecast/submissions', { period, ...histQuery, limit: 50 }), [period, hkey, version]);
	const latest = h.data ? latestOf(h.data.data) : null;
	const f = figures.data;
	const ready = h.data || h.error;
	return (
		<>
			<h3>Submit {forWhom} number</h3>
			{!ready
				? <Loading what="the submissions" />
				: <SubmitForm key={period + hkey + (latest ? latest.id : '')} period={period} target={target}
					currency={f ? f.currency : null} latest={latest} categories={f && f.models.categories}
					forWhom={forWhom} onSubmitted={(s) => {
						setVersion((v) => v + 1);
						if (onSubmitted)
							onSubmitted(s);
					}} />}
			<h3>Submissions for {periodLabel(period)}</h3>
			<HistoryTable h={h} showSubmitter={showSubmitter} caption={'Submissions for ' + periodLabel(period) + ', newest first'} />
		</>
	);
}

// --- a salesperson's own number ----------------------------------------------------------------

function Mine({ user, period, own }) {
	const figures = useAsync(() => get('/forecast', { period, owner_id: user.id, top: 0 }), [period, user.id]);
	return (
		<section class="panel fcs-panel" aria-labelledby="fcs-mine-h" data-section="mine">
			<h2 id="fcs-mine-h">{own ? 'Your own deals' : 'Your forecast'} <span class="muted dash-sub">{periodLabel(period)}</span></h2>
			<ErrorBox error={figures.error} onRetry={figures.reload} />
			{!figures.data && figures.loading && <Loading what="the forecast" />}
			{figures.data && <EngineFigures f={figures.data} who="you" />}
			<SubmitSection period={period} target={{ scope: 'user' }} figures={figures} forWhom="your"
				histQuery={{ scope: 'user', user_id: user.id }} latestOf={(rows) => rows[0] || null} />
		</section>
	);
}

// --- a manager's team, an admin's company ------------------------------------------------------

function Team({ user, period, teamId }) {
	const [version, setVersion] = useState(0);
	const r = useAsync(() => get('/forecast/rollup', { period, team_id: teamId || undefined }), [period, teamId, version]);
	const d = r.data;
	const sc = d && d.scope;
	const skey = sc ? sc.kind + ':' + sc.id : '';
	const figures = useAsync(() => (sc ? get('/forecast', { period, ...(sc.kind === 'team' ? { team_id: sc.id } : {}), top: 0 }) : null),
		[period, skey]);
	const target = sc && (sc.kind === 'company' ? { scope: 'company' } : { scope: 'team', team_id: sc.id });
	const histQuery = sc && (sc.kind === 'company' ? { scope: 'company' } : { scope: 'team', team_id: sc.id });
	const name = sc ? (sc.kind === 'company' ? 'the company' : sc.name) : '';
	return (
		<section class="panel fcs-panel" aria-labelledby="fcs-team-h" data-section="team" data-ready={d ? '1' : undefined}>
			<h2 id="fcs-team-h">
				{sc ? (sc.kind === 'company' ? 'Company forecast' : 'Team forecast: ' + sc.name) : 'Team forecast'}
				<span class="muted dash-sub">{periodLabel(period)}</span>
				<span class="spacer" />
				{teamId && <Link class="btn btn-small" href={'/forecast?period=' + period}>{isAdmin(user) ? 'Back to the company' : 'Back to your team'}</Link>}
			</h2>
			<ErrorBox error={r.error} onRetry={r.reload} />
			{!d && r.loading && <Loading what="the roll-up" />}
			{d && (
				<>
					<ErrorBox error={figures.error} onRetry={figures.reload} />
					{figures.data && <EngineFigures f={figures.data} who={name} />}
					<h3>Roll-up of the members</h3>
					<p class="fcs-sum" data-ready="1">
						{plural(d.sum.submitted, 'member')} submitted a number
						{d.sum.missing > 0 && ', ' + d.sum.missing + ' did not'}
						{d.sum.other_currency > 0 && ', ' + d.sum.other_currency + ' in another currency (left out)'}.
						Their commits add up to <strong data-figure="sum_commit">{money(d.sum.commit, d.currency)}</strong>,
						best cases to <strong data-figure="sum_best_case">{money(d.sum.best_case, d.currency)}</strong>.
					</p>
					{d.members.length ? <RollupTable d={d} period={period} model="historical" /> : <Empty>No members.</Empty>}
					{d.submissions.length > 0 && (
						<p class="hint">
							Current numbers for {name}: {d.submissions.map((s) => s.submitter_name + ' commit ' + money(s.commit, s.currency) + ', best case ' + money(s.best_case, s.currency)).join('; ')}.
						</p>
					)}
					<SubmitSection period={period} target={target} figures={figures} histQuery={histQuery} showSubmitter
						forWhom={sc.kind === 'company' ? 'the company\'s' : 'your adjusted team'}
						latestOf={(rows) => rows.find((s) => s.submitter_id === user.id) || null}
						onSubmitted={() => setVersion((v) => v + 1)} />
				</>
			)}
		</section>
	);
}

// --- accuracy of a past period ---------------------------------------------------------------

const sourceLabel = (fc) => (fc.source === 'submission'
	? 'Submitted by ' + (fc.submitter_name || '#' + fc.submitter_id)
	: (MODELS.find((m) => m.key === fc.source) || { label: fc.source }).label);

const signedPct = (x) => (x === null || x === undefined ? '—' : (x > 0 ? '+' : '') + pct(x, 1));
const insideText = (v) => (v === null || v === undefined ? 'no interval' : v ? 'yes' : 'no');

function Accuracy({ user, accPeriod, groups, preferScope }) {
	const r = useAsync(() => get('/forecast/accuracy', { period: accPeriod }), [accPeriod]);
	const [picked, setPicked] = useState('');
	const scopes = (r.data && r.data.scopes) || [];
	const key = (s) => s.scope.kind + ':' + (s.scope.id === null ? '' : s.scope.id);
	const want = picked || preferScope;
	const s = scopes.find((x) => key(x) === want) || scopes[0];
	const past = groups.filter(([name]) => name.startsWith('Past'));
	return (
		<section class="panel fcs-panel" aria-labelledby="fcs-acc-h" data-section="accuracy" data-ready={r.data ? '1' : undefined}>
			<h2 id="fcs-acc-h">Accuracy of past forecasts</h2>
			<div class="fcs-pickers">
				<PeriodSelect id="fcs-acc-period" label="Period" value={accPeriod} groups={past}
					onChange={(p) => setParams({ acc: p })} />
				{scopes.length > 1 && (
					<label class="fcs-picker" for="fcs-acc-scope">
						<span>Whose</span>
						<select id="fcs-acc-scope" class="inline-select" value={s ? key(s) : ''} onChange={(e) => setPicked(e.currentTarget.value)}>
							{scopes.map((x) => (
								<option key={key(x)} value={key(x)}>
									{x.scope.kind === 'company' ? 'The company' : x.scope.name + (x.scope.kind === 'team' ? ' (team)' : '')}
								</option>
							))}
						</select>
					</label>
				)}
			</div>
			<ErrorBox error={r.error} onRetry={r.reload} />
			{!r.data && r.loading && <Loading what="the accuracy" />}
			{r.data && !s && (
				<Empty>
					No forecast was kept for {periodLabel(accPeriod)}: accuracy compares the weekly snapshots of a
					period with what it booked, and none were taken of this one that you may see.
				</Empty>
			)}
			{s && <AccuracyScope s={s} period={accPeriod} user={user} />}
		</section>
	);
}

function AccuracyScope({ s, period }) {
	const cur = s.currency;
	const who = s.scope.kind === 'company' ? 'the company' : s.scope.name;
	const rows = s.forecasts.filter((fc) => fc.weeks.length).map((fc) => {
		const w = fc.weeks[0];
		const lo = fc.source === 'submission' ? w.commit : w.p10, hi = fc.source === 'submission' ? w.best_case : w.p90;
		return { key: fc.source + (fc.submitter_id || ''), label: sourceLabel(fc), value: w.forecast, lo: lo === undefined ? null : lo, hi: hi === undefined ? null : hi, fc, w };
	});
	return (
		<div class="fcs-accuracy" data-scope={s.scope.kind + ':' + (s.scope.id === null ? '' : s.scope.id)}>
			<p class="dash-summary">
				<span>{who}: actually won in {periodLabel(period)} <strong data-figure="actual">{money(s.actual, cur)}</strong></span>
				<span>{plural(rows.length, 'forecast')} compared at their first snapshot</span>
			</p>
			{rows.length > 0 && (
				<RangeChart title={'First forecasts of ' + who + ' for ' + periodLabel(period) + ' against the actual'}
					desc={'Actual ' + money(s.actual, cur) + '. ' + rows.map((x) => x.label + ': ' + money(x.value, cur) +
						(x.w.ape === null ? '' : ', off by ' + pct(x.w.ape, 1)) +
						(x.w.inside === null ? '' : x.w.inside ? ', actual inside its range' : ', actual outside its range')).join('; ') + '.'}
					currency={cur} marker={{ value: s.actual, label: 'Actual' }} rows={rows} class="fcs-acc-chart" />
			)}
			<p class="hint">Bands: P10–P90 of the models that claim one; commit–best case of a submission.</p>
			<ChartTable caption={'Accuracy of the forecasts of ' + who + ' for ' + periodLabel(period)}
				columns={[
					{ key: 'source', label: 'Forecast' },
					{ key: 'first', label: 'First snapshot', num: true },
					{ key: 'error', label: 'Error', num: true },
					{ key: 'ape', label: 'APE', num: true },
					{ key: 'bias', label: 'Bias', num: true },
					{ key: 'inside', label: 'Inside P10–P90' },
					{ key: 'n', label: 'Snapshots', num: true },
					{ key: 'mape', label: 'Mean APE', num: true },
					{ key: 'mbias', label: 'Mean bias', num: true },
					{ key: 'coverage', label: 'Coverage', num: true },
				]}
				rows={rows.map((x) => ({
					key: x.key,
					cells: {
						source: x.label, first: money(x.w.forecast, cur), error: money(x.w.error, cur),
						ape: pct(x.w.ape, 1), bias: signedPct(x.w.bias), inside: insideText(x.w.inside), n: x.fc.n,
						mape: pct(x.fc.mape, 1), mbias: signedPct(x.fc.bias), coverage: pct(x.fc.coverage),
					},
				}))} />
		</div>
	);
}

// --- the screen -----------------------------------------------------------------------------

export function Forecast() {
	const { user } = useSession();
	const q = searchParams();
	const now = new Date();
	const groups = periodGroups(now);
	let period = q.get('period') || '';
	if (!periodKind(period))
		period = periodOf(now, 'quarter');
	let accPeriod = q.get('acc') || '';
	if (!periodKind(accPeriod) || !closed(accPeriod))
		accPeriod = closed(period) ? period : shift(period, -1);
	const teamId = /^\d+$/.test(q.get('team') || '') ? +q.get('team') : null;
	const manager = isManager(user);
	const preferScope = !manager ? 'user:' + user.id : teamId ? 'team:' + teamId
		: isAdmin(user) ? 'company:' : 'team:' + (user.team_id || '');
	const pickers = (
		<form class="dash-pickers" onSubmit={(e) => e.preventDefault()} aria-label="Which period">
			<PeriodSelect id="fcs-period" label="Period" value={period} groups={groups}
				onChange={(p) => setParams({ period: p })} />
		</form>
	);
	return (
		<Page title="Forecast" actions={pickers}>
			<div class="fcs">
				{manager && <Team user={user} period={period} teamId={teamId} />}
				{!isAdmin(user) && <Mine user={user} period={period} own={manager} />}
				<Accuracy user={user} accPeriod={accPeriod} groups={groups} preferScope={preferScope} />
			</div>
		</Page>
	);
}
