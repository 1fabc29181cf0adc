// Performance normalised by segment: GET /api/v1/reports/performance?period=…
// Each salesperson's figures with where they stand among peers selling in the same
// conditions (territory, industry, channel): the percentile or the z-score the
// server computed (docs/reports-stale-performance.md).  The report takes no scope
// parameter (it is what the caller sees); a team or person picked above narrows
// the rows shown, not the peers they are compared with.
import { useState } from 'preact/hooks';
import { get } from '../api.js';
import { label, money } from '../format.js';
import { Segmented } from './charts.jsx';
import { cmoney, days, num, pct } from './dashfmt.js';
import { Empty, ErrorBox, Loading, useAsync } from './ui.jsx';

const FIGURES = [
	{ key: 'attainment', label: 'Attainment', fmt: (v) => pct(v) },
	{ key: 'closed_won', label: 'Closed won', money: true },
	{ key: 'coverage', label: 'Coverage', fmt: (v) => (v === null ? '—' : num(v, 2) + '×') },
	{ key: 'win_rate', label: 'Win rate', fmt: (v) => pct(v) },
	{ key: 'cycle_days', label: 'Cycle', fmt: days },
	{ key: 'activities', label: 'Activities', fmt: (v) => num(v) },
	{ key: 'new_opportunities', label: 'New deals', fmt: (v) => num(v) },
];

const SEGMENT_LEVELS = {
	'territory+industry+channel': 'same territory, industry and channel',
	'territory+channel': 'same territory and channel',
	channel: 'same channel',
	all: 'everyone',
};

// How good a standing is, 0..100, whichever way the figure is better.
function goodness(f) {
	if (f.percentile === null || f.percentile === undefined)
		return null;
	return f.better === 'lower' ? 100 - f.percentile : f.percentile;
}

function tone(g) {
	return g === null ? 'none' : g >= 75 ? 'good' : g <= 25 ? 'bad' : 'mid';
}

// A small gauge: where the rep stands among peers (percentile 0..100, or z from −3 to +3).
function Standing({ f, mode }) {
	const g = goodness(f);
	if (g === null)
		return null;
	const z = f.z;
	const x = mode === 'z'
		? (z === null ? null : 4 + ((Math.max(-3, Math.min(3, f.better === 'lower' ? -z : z)) + 3) / 6) * 72)
		: 4 + (g / 100) * 72;
	const text = mode === 'z' ? (z === null ? 'z —' : 'z ' + (z > 0 ? '+' : '') + z.toFixed(2)) : 'P' + Math.round(f.percentile);
	return (
		<span class={'standing tone-' + tone(g)}>
			<svg class="gauge" viewBox="0 0 80 10" aria-hidden="true">
				<rect class="gauge-track" x="4" y="4" width="72" height="2" />
				<rect class="gauge-mid" x="39.5" y="1" width="1" height="8" />
				{x !== null && <circle class="gauge-dot" cx={x} cy="5" r="4" />}
			</svg>
			<span class="standing-text">{text}</span>
		</span>
	);
}

function describe(f, mode) {
	if (f.percentile === null || f.percentile === undefined)
		return 'no comparison';
	const better = f.better === 'lower' ? ' (lower is better)' : '';
	return mode === 'z'
		? 'z-score ' + (f.z === null ? 'undefined' : f.z.toFixed(2)) + ' against ' + f.n + ' peers, mean ' + num(f.mean, 2) + better
		: 'percentile ' + Math.round(f.percentile) + ' among ' + f.n + ' peers, median ' + num(f.median, 2) + better;
}

export function PerformancePanel({ period, only }) {
	const [mode, setMode] = useState('percentile');
	const r = useAsync(() => get('/reports/performance', { period }), [period]);
	const d = r.data;
	const rows = d ? d.data.filter((x) => !only || only.has(x.user_id)) : [];
	const fmt = (f, v) => (f.money ? (v === null ? '—' : cmoney(v, d.currency)) : f.fmt(v));
	return (
		<section class="panel dash-panel" aria-labelledby="perf-h" data-ready={d ? '1' : undefined}>
			<h2 id="perf-h">Performance <span class="spacer" />
				<Segmented legend="Compare by" name="perf-mode" value={mode} onChange={setMode}
					options={[['percentile', 'Percentiles'], ['z', 'z-scores']]} />
			</h2>
			<ErrorBox error={r.error} onRetry={r.reload} />
			{!d && r.loading && <Loading what="performance" />}
			{d && !rows.length && <Empty>No salesperson in this scope.</Empty>}
			{d && rows.length > 0 && (
				<>
					<p class="hint">
						{d.from} – {d.to}, amounts in {d.currency}. Each figure is placed among the salesperson's peers — people
						selling in the same conditions — so a small territory compares fairly with a large one.
						{' '}{mode === 'z' ? 'The dot is the z-score from −3 to +3, right is better.' : 'The dot is the percentile, right is better.'}
					</p>
					<div class="table-wrap">
						<table class="perf-table">
							<caption class="visually-hidden">Performance of each salesperson among peers, {d.period}</caption>
							<thead>
								<tr>
									<th scope="col">Salesperson</th>
									{FIGURES.map((f) => (
										<th key={f.key} scope="col" class="num" title={f.key === 'cycle_days' ? 'shorter is better' : undefined}>
											{f.label}{f.key === 'cycle_days' && <span class="visually-hidden">, shorter is better</span>}
										</th>
									))}
								</tr>
							</thead>
							<tbody>
								{rows.map((x) => (
									<tr key={x.user_id} data-user={x.user_id}>
										<th scope="row">
											{x.name}
											<span class="perf-seg muted">
												vs {x.segment.n} {x.segment.n === 1 ? 'peer' : 'peers'}: {SEGMENT_LEVELS[x.segment.level] || label(x.segment.level)}
											</span>
										</th>
										{FIGURES.map((f) => {
											const fig = x.figures[f.key];
											return (
												<td key={f.key} class="num" title={describe(fig, mode)}>
													<span class="perf-value">{fmt(f, fig.value)}</span>
													<Standing f={fig} mode={mode} />
													<span class="visually-hidden">, {describe(fig, mode)}</span>
												</td>
											);
										})}
									</tr>
								))}
							</tbody>
						</table>
					</div>
					<details class="chart-table">
						<summary>How salespeople are compared</summary>
						<p>{d.method}</p>
						{rows.some((x) => x.figures.quota) && <p>Quotas: {rows.map((x) => x.name + ' ' + (x.figures.quota.value === null ? 'none' : money(x.figures.quota.value, d.currency))).join(' · ')}.</p>}
					</details>
				</>
			)}
		</section>
	);
}
