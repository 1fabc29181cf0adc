// The forecast of the period's bookings: GET /api/v1/forecast (docs/forecasting.md).
// Each model's total for the period — closed-won so far plus the further bookings
// it expects — drawn on one axis, with the P10–P90 band of the models that claim
// an interval; the forecast categories as the owners set them; and, on demand, the
// team's roll-up of people's submitted numbers against the models
// (GET /api/v1/forecast/rollup).
import { useState } from 'preact/hooks';
import { get } from '../api.js';
import { dateTime, label, money, plural } from '../format.js';
import { Link } from '../router.jsx';
import { Chart, ChartTable, scale, ticks, useNarrow } from './charts.jsx';
import { cmoney, pct } from './dashfmt.js';
import { Empty, ErrorBox, Loading, useAsync } from './ui.jsx';

export const MODELS = [
	{ key: 'weighted', label: 'Weighted pipeline', note: 'amount × probability' },
	{ key: 'categories', label: 'Categories (commit)', note: 'closed won + commit' },
	{ key: 'historical', label: 'Historical', note: "the team's own history" },
	{ key: 'simulation', label: 'Simulation', note: 'Monte Carlo, open deals' },
];

const hasBand = (m) => m.total_p90 !== m.total_p10;

// One row per model: a dot at the expected total, the P10–P90 band behind it when
// the model claims one; a line at what is already won.  On a phone (narrow) the names
// and figures go above and below each row's track, which takes the whole width.
export function ForecastChart({ f, title }) {
	const [box, narrow] = useNarrow();
	const models = MODELS.filter((x) => f.models[x.key]);
	const W = narrow ? 360 : 900, L = narrow ? 22 : 200, R = narrow ? 338 : 740, top = 34, rowH = narrow ? 64 : 44;
	const H = top + models.length * rowH + 26;
	const hi = Math.max(1, f.closed_won, ...models.map((x) => f.models[x.key].total_p90));
	const ts = ticks(0, hi, narrow ? 3 : 5);
	const x = scale(0, ts[ts.length - 1], L, R);
	const desc = 'Closed won so far ' + money(f.closed_won, f.currency) + '. ' + models.map((m) => {
		const v = f.models[m.key];
		return m.label + ': ' + money(v.total_expected, f.currency) +
			(hasBand(v) ? ', 80% between ' + money(v.total_p10, f.currency) + ' and ' + money(v.total_p90, f.currency) : '');
	}).join('; ') + '.';
	return (
		<div class="chart-scroll" ref={box}>
			<Chart title={title} desc={desc} width={W} height={H} class="forecast-chart" narrow={narrow}>
				<g class="axis">
					{ts.map((t) => (
						<g key={t}>
							<line class="grid" x1={x(t)} x2={x(t)} y1={top - 6} y2={H - 22} />
							<text x={x(t)} y={H - 6} text-anchor="middle">{cmoney(t, f.currency)}</text>
						</g>
					))}
				</g>
				<line class="won-line" x1={x(f.closed_won)} x2={x(f.closed_won)} y1={top - 14} y2={H - 22} />
				<text class="won-label" x={x(f.closed_won)} y={top - 18} text-anchor={x(f.closed_won) < L + 60 ? 'start' : x(f.closed_won) > W - 60 ? 'end' : 'middle'}
					data-value={f.closed_won}>Won so far {cmoney(f.closed_won, f.currency)}</text>
				{models.map((m, i) => {
					const v = f.models[m.key];
					const y = top + i * rowH + rowH / 2 + (narrow ? 4 : 0);
					// where the name and note go, and the figures: left and right of the track, or above and below it
					const name = narrow ? { x: 0, dy: -14, anchor: 'start' } : { x: L - 14, dy: -2, anchor: 'end' };
					const fig = narrow ? { x: W, dy: -14, anchor: 'end' } : { x: R + 12, dy: -2, anchor: 'start' };
					return (
						<g key={m.key} class={'fc-row fc-' + m.key} data-model={m.key}>
							<text class="fc-label" x={name.x} y={y + name.dy} text-anchor={name.anchor}>{m.label}</text>
							{!narrow && <text class="chart-note" x={L - 14} y={y + 13} text-anchor="end">{m.note}</text>}
							<line class="fc-track" x1={L} x2={R} y1={y} y2={y} />
							{hasBand(v) && (
								<rect class="fc-band" x={x(v.total_p10)} y={y - 9} width={Math.max(1, x(v.total_p90) - x(v.total_p10))} height="18" rx="3">
									<title>P10 {money(v.total_p10, f.currency)} – P90 {money(v.total_p90, f.currency)}</title>
								</rect>
							)}
							{hasBand(v) && <line class="fc-p50" x1={x(v.total_p50)} x2={x(v.total_p50)} y1={y - 9} y2={y + 9} />}
							<circle class="fc-dot" cx={x(v.total_expected)} cy={y} r="6" />
							<text class="fc-value" x={fig.x} y={y + fig.dy} text-anchor={fig.anchor} data-value={v.total_expected}>{cmoney(v.total_expected, f.currency)}</text>
							<text class="chart-note" x={fig.x} y={y + (narrow ? 24 : 13)} text-anchor={fig.anchor} data-p10={v.total_p10} data-p90={v.total_p90}>
								{hasBand(v) ? 'P10 ' + cmoney(v.total_p10, f.currency) + ' – P90 ' + cmoney(v.total_p90, f.currency) : 'no interval claimed'}
							</text>
						</g>
					);
				})}
			</Chart>
			<ul class="chart-legend" aria-hidden="true">
				<li class="lg-dot">Expected total</li>
				<li class="lg-band">P10–P90 (80% of outcomes)</li>
				<li class="lg-won">Closed won so far</li>
			</ul>
		</div>
	);
}

// The categories as the deal owners set them: what is won, then commit, best case and
// pipeline, one bar.
function CategoriesBar({ f }) {
	const c = f.models.categories;
	const parts = [
		{ key: 'won', label: 'Closed won', v: f.closed_won },
		{ key: 'commit', label: 'Commit', v: c.commit },
		{ key: 'best_case', label: 'Best case', v: c.best_case },
		{ key: 'pipeline', label: 'Pipeline', v: c.pipeline },
	];
	const total = parts.reduce((s, p) => s + p.v, 0) || 1; // geometry only, never shown
	const [box, narrow] = useNarrow();
	const W = narrow ? 360 : 900, bar = 22;
	let at = 0;
	return (
		<div class="chart-scroll" ref={box}>
			<Chart title="Forecast categories" width={W} height={bar + (narrow ? 56 : 40)} class="cat-chart" narrow={narrow}
				desc={parts.map((p) => p.label + ' ' + money(p.v, f.currency)).join(', ') + '.'}>
				{parts.map((p) => {
					const w = (p.v / total) * W;
					const g = (
						<g key={p.key} class={'cat-' + p.key} data-category={p.key}>
							<rect class="cat-seg" x={at} y="0" width={w} height={bar} />
							{w > 90 && <text class="cat-in" x={at + 6} y={bar - 6}>{cmoney(p.v, f.currency)}</text>}
						</g>
					);
					at += w;
					return g;
				})}
				{parts.map((p, i) => (
					<text key={p.key} class="chart-note" x={narrow ? (i % 2) * W / 2 : (i * W) / 4} y={bar + 18 + (narrow ? Math.floor(i / 2) * 18 : 0)}
						data-value={p.v}>{p.label}: {money(p.v, f.currency)}</text>
				))}
			</Chart>
		</div>
	);
}

/* A model's total for a member, with its P10–P90 when it claims one. */
function modelCell(md, key, cur) {
	const v = md && md[key];
	if (!v)
		return '—';
	return (
		<span class="fcs-v">
			{money(v.total, cur)}
			{v.total_p90 !== v.total_p10 && <span class="muted fc-range">{cmoney(v.total_p10, cur)}–{cmoney(v.total_p90, cur)}</span>}
		</span>
	);
}

/* Each member's latest number beside the engine's figures for them
 * (GET /forecast/rollup); a team member links to its own roll-up on the
 * Forecast screen.  `model`: the engine's model with a range to show. */
export function RollupTable({ d, period, model }) {
	const ml = MODELS.find((x) => x.key === model).label;
	const cur = d.currency;
	return (
		<div class="fcs-table-wrap">
			<table class="fcs-table fcs-members">
				<caption class="visually-hidden">Each member's latest number and the engine's models, {d.scope.name}</caption>
				<thead>
					<tr>
						<th scope="col">Member</th>
						<th scope="col" class="num">Commit</th>
						<th scope="col" class="num">Best case</th>
						<th scope="col">Submitted</th>
						<th scope="col" class="num">Weighted</th>
						<th scope="col" class="num">Categories</th>
						<th scope="col" class="num">{ml} (P10–P90)</th>
					</tr>
				</thead>
				<tbody>
					{d.members.map((m) => {
						const s = m.submission, md = m.models;
						return (
							<tr key={m.kind + m.id} data-member={m.kind + ':' + m.id}>
								<th scope="row" data-label="Member">
									{m.kind === 'team'
										? <><Link href={'/forecast?period=' + period + '&team=' + m.id}>{m.name}</Link> <span class="muted">(team)</span></>
										: m.name}
								</th>
								<td class="num" data-label="Commit">{s ? money(s.commit, s.currency) : '—'}</td>
								<td class="num" data-label="Best case">{s ? money(s.best_case, s.currency) : '—'}</td>
								<td data-label="Submitted">{s ? <span class="fcs-v">{dateTime(s.submitted_at)}{s.note && <span class="muted fcs-note">“{s.note}”</span>}</span> : <span class="muted">not yet</span>}</td>
								<td class="num" data-label="Weighted">{modelCell(md, 'weighted', cur)}</td>
								<td class="num" data-label="Categories">{modelCell(md, 'categories', cur)}</td>
								<td class="num" data-label={ml}>{modelCell(md, model, cur)}</td>
							</tr>
						);
					})}
				</tbody>
			</table>
		</div>
	);
}

function Rollup({ period, scope }) {
	const q = { period, ...(scope.team_id ? { team_id: scope.team_id } : {}) };
	const r = useAsync(() => get('/forecast/rollup', q), [period, scope.team_id]);
	const d = r.data;
	if (r.error)
		return <ErrorBox error={r.error} onRetry={r.reload} />;
	if (!d)
		return <Loading what="the roll-up" />;
	const cur = d.currency;
	return (
		<div class="fc-rollup" data-ready="1">
			<p>
				Roll-up of <strong>{d.scope.name}</strong>: {plural(d.sum.submitted, 'member')} submitted a number
				{d.sum.missing > 0 && ', ' + d.sum.missing + ' did not'}
				{d.sum.other_currency > 0 && ', ' + d.sum.other_currency + ' in another currency (left out)'}.
				Their commits add up to <strong>{money(d.sum.commit, cur)}</strong>, best cases to <strong>{money(d.sum.best_case, cur)}</strong>.
			</p>
			{d.submissions.length > 0 && (
				<p class="hint">
					The team's own numbers: {d.submissions.map((s) => s.submitter_name + ' commit ' + money(s.commit, cur) + ', best case ' + money(s.best_case, cur)).join('; ')}.
				</p>
			)}
			<RollupTable d={d} period={period} model="simulation" />
		</div>
	);
}

export function ForecastPanel({ period, scope, scopeName }) {
	const skey = JSON.stringify(scope);
	const r = useAsync(() => get('/forecast', { period, ...scope, top: 5 }), [period, skey]);
	const [rollup, setRollup] = useState(false);
	const f = r.data;
	const canRoll = !scope.owner_id;
	return (
		<section class="panel dash-panel" aria-labelledby="forecast-h" data-ready={f ? '1' : undefined}>
			<h2 id="forecast-h">Forecast <span class="spacer" />
				{f && <span class="muted dash-sub">{f.period} · {f.scope.kind === 'company' ? scopeName : f.scope.name} · as of {dateTime(f.as_of)}</span>}
			</h2>
			<ErrorBox error={r.error} onRetry={r.reload} />
			{!f && r.loading && <Loading what="the forecast" />}
			{f && f.open_deals === 0 && f.closed_won === 0 && <Empty>Nothing won or open in this scope for {f.period}.</Empty>}
			{f && (f.open_deals > 0 || f.closed_won > 0) && (
				<>
					<p class="dash-summary">
						<span>won so far <strong data-figure="closed_won">{money(f.closed_won, f.currency)}</strong></span>
						<span><strong>{f.open_deals}</strong> open deals worth <strong>{money(f.open_amount, f.currency)}</strong></span>
						{f.models.simulation && (
							<span>simulation <strong>{money(f.models.simulation.total_expected, f.currency)}</strong></span>
						)}
					</p>
					<ForecastChart f={f} title={'Forecast of ' + (f.scope.kind === 'company' ? scopeName : f.scope.name) + ' for ' + f.period} />
					<ChartTable caption={'Forecast for ' + f.period}
						columns={[
							{ key: 'model', label: 'Model' },
							{ key: 'expected', label: 'Expected total', num: true },
							{ key: 'p10', label: 'P10', num: true },
							{ key: 'p50', label: 'P50', num: true },
							{ key: 'p90', label: 'P90', num: true },
							{ key: 'further', label: 'Still to book', num: true },
							{ key: 'deals', label: 'Deals', num: true },
						]}
						rows={MODELS.filter((m) => f.models[m.key]).map((m) => {
							const v = f.models[m.key];
							return {
								key: m.key,
								cells: {
									model: m.label, expected: money(v.total_expected, f.currency),
									p10: money(v.total_p10, f.currency), p50: money(v.total_p50, f.currency),
									p90: money(v.total_p90, f.currency), further: money(v.expected, f.currency),
									deals: v.deals,
								},
							};
						})} />
					{f.models.categories && (
						<>
							<h3>Categories</h3>
							<CategoriesBar f={f} />
							<p class="hint">
								Commit number (closed won + commit): <strong>{money(f.models.categories.total_expected, f.currency)}</strong>;
								best case number (commit + best case): <strong>{money(f.models.categories.best_case_number, f.currency)}</strong>.
							</p>
						</>
					)}
					{f.top && f.top.length > 0 && (
						<details class="chart-table">
							<summary>The deals that weigh most</summary>
							<div class="table-wrap">
								<table>
									<thead>
										<tr>
											<th scope="col">Deal</th><th scope="col">Owner</th><th scope="col">Stage</th>
											<th scope="col">Category</th><th scope="col" class="num">Amount</th>
											<th scope="col" class="num">Probability</th><th scope="col" class="num">Expected</th>
										</tr>
									</thead>
									<tbody>
										{f.top.map((t) => (
											<tr key={t.id}>
												<th scope="row"><Link href={'/opportunities/' + t.id}>{t.name}</Link></th>
												<td>{t.owner}</td><td>{t.stage_name}</td><td>{label(t.forecast_category)}</td>
												<td class="num">{money(t.amount, f.currency)}</td>
												<td class="num">{pct(t.probability)}</td>
												<td class="num">{money(t.expected, f.currency)}</td>
											</tr>
										))}
									</tbody>
								</table>
							</div>
						</details>
					)}
					{canRoll && (
						<div class="fc-rollup-wrap">
							{!rollup
								? <button type="button" class="btn btn-small" onClick={() => setRollup(true)}>Show the team's roll-up</button>
								: <Rollup period={period} scope={scope} />}
						</div>
					)}
				</>
			)}
		</section>
	);
}
