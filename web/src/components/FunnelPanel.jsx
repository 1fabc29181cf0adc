// The dashboard's funnel: GET /api/v1/reports/funnel for the period and scope —
// once for the whole scope (the big chart) and once grouped by salesperson, team
// or channel (one small funnel per group, on a shared scale so they compare).
// Figures are the server's (docs/reports.md); the chart only draws them.
import { get } from '../api.js';
import { money, plural } from '../format.js';
import { Chart, ChartTable, FitText, Segmented, scale, useNarrow } from './charts.jsx';
import { cmoney, days, num, pct, periodBounds } from './dashfmt.js';
import { Empty, ErrorBox, Loading, useAsync } from './ui.jsx';

export const GROUPS = [
	{ key: 'owner', label: 'Salesperson' },
	{ key: 'team', label: 'Team' },
	{ key: 'channel', label: 'Channel' },
];

// The stages a funnel draws: every stage but the lost ones, in the pipeline's order.
const drawn = (stages) => stages.filter((s) => s.section !== 'lost');
const lostOf = (stages) => stages.filter((s) => s.section === 'lost').reduce((n, s) => n + s.entries, 0);

function conversion(s, last) {
	if (last || !s.conversion || !s.conversion.denominator)
		return null;
	return s.conversion;
}

// The big funnel: per stage, the deals that entered it in the period (the funnel's
// shape), how many of them went further, and what is open in it now.
// On a phone (useNarrow) each stage takes three lines instead of one wide row.
export function FunnelChart({ stages, currency, title }) {
	const [box, narrow] = useNarrow();
	const rows = drawn(stages);
	const desc = rows.map((s, i) => {
		const c = conversion(s, i === rows.length - 1);
		return s.name + ': ' + plural(s.entries, 'entry', 'entries') +
			(c ? ', ' + pct(c.rate) + ' went further' : '') +
			', ' + s.open_count + ' open worth ' + money(s.open_amount, currency);
	}).join('; ') + '.';
	return (
		<div class="chart-scroll" ref={box}>
			{narrow
				? <FunnelNarrow rows={rows} currency={currency} title={title} desc={desc} />
				: <FunnelWide rows={rows} currency={currency} title={title} desc={desc} />}
			<ul class="chart-legend" aria-hidden="true">
				<li class="lg-upper">Upper funnel</li>
				<li class="lg-middle">Middle</li>
				<li class="lg-lower">Lower</li>
				<li class="lg-won">Won</li>
				<li class="lg-open">Open amount now</li>
			</ul>
		</div>
	);
}

function FunnelWide({ rows, currency, title, desc }) {
	const W = 900, top = 30, rowH = 46, H = top + rows.length * rowH + 4;
	const maxE = Math.max(1, ...rows.map((s) => s.entries));
	const maxA = Math.max(1, ...rows.map((s) => s.open_amount));
	const eW = scale(0, maxE, 0, 290), aW = scale(0, maxA, 0, 150);
	const cx = 365, cc = 565, ox = 640;
	return (
		<Chart title={title} desc={desc} width={W} height={H} class="funnel-chart">
			<g class="chart-head">
				<text x="196" y="18" text-anchor="end">Stage</text>
				<text x={cx} y="18" text-anchor="middle">Entered in the period</text>
				<text x={cc} y="18" text-anchor="middle">Went further</text>
				<text x={ox} y="18">Open now</text>
			</g>
			{rows.map((s, i) => {
				const y = top + i * rowH;
				const w = s.entries ? Math.max(2, eW(s.entries)) : 0;
				const aw = s.open_amount ? Math.max(2, aW(s.open_amount)) : 0;
				const c = conversion(s, i === rows.length - 1);
				const inside = w > 48;
				return (
					<g key={s.key} class={'funnel-row section-' + s.section} data-stage={s.key}>
						<FitText x="196" y={y + rowH / 2 + 5} text-anchor="end" class="funnel-label" text={s.name} max={28} />
						<rect class="section-mark" x="204" y={y + 6} width="4" height={rowH - 12} />
						<rect class="funnel-bar" x={cx - w / 2} y={y + 6} width={w} height={rowH - 12} rx="3" />
						<text class={'funnel-entries' + (inside ? ' on-bar' : '')} x={inside ? cx : cx + w / 2 + 6}
							y={y + rowH / 2 + 5} text-anchor={inside ? 'middle' : 'start'} data-value={s.entries}>{num(s.entries)}</text>
						<text class="funnel-rate" x={cc} y={y + rowH / 2} text-anchor="middle"
							data-value={c ? c.rate : ''}>{c ? pct(c.rate) : '—'}</text>
						<text class="chart-note" x={cc} y={y + rowH / 2 + 14} text-anchor="middle">
							{c ? c.numerator + ' of ' + c.denominator : ''}
						</text>
						<rect class="open-bar" x={ox} y={y + 10} width={aw} height="14" rx="2" />
						<text class="funnel-open" x={ox + aw + 6} y={y + 22} data-value={s.open_amount}>
							{s.open_count ? cmoney(s.open_amount, currency) : '—'}
						</text>
						<text class="chart-note" x={ox} y={y + 38}>
							{s.open_count ? s.open_count + ' open · weighted ' + cmoney(s.weighted_amount, currency) : ''}
						</text>
					</g>
				);
			})}
		</Chart>
	);
}

// 360 wide: the stage and the share that went further on a line, the funnel's bar
// under it (full width), then what is open now.
function FunnelNarrow({ rows, currency, title, desc }) {
	const W = 360, top = 24, rowH = 74, H = top + rows.length * rowH;
	const maxE = Math.max(1, ...rows.map((s) => s.entries));
	const maxA = Math.max(1, ...rows.map((s) => s.open_amount));
	const eW = scale(0, maxE, 0, 250), aW = scale(0, maxA, 0, 90);
	const cx = 130;
	return (
		<Chart title={title} desc={desc} width={W} height={H} class="funnel-chart" narrow>
			<g class="chart-head">
				<text x={cx} y="14" text-anchor="middle">Entered in the period</text>
				<text x={W} y="14" text-anchor="end">Went further</text>
			</g>
			{rows.map((s, i) => {
				const y = top + i * rowH;
				const w = s.entries ? Math.max(2, eW(s.entries)) : 0;
				const aw = s.open_amount ? Math.max(2, aW(s.open_amount)) : 0;
				const c = conversion(s, i === rows.length - 1);
				const inside = w > 48;
				return (
					<g key={s.key} class={'funnel-row section-' + s.section} data-stage={s.key}>
						<FitText x="0" y={y + 14} class="funnel-label" text={s.name} max={30} />
						<text class="funnel-rate" x={W} y={y + 14} text-anchor="end" data-value={c ? c.rate : ''}>{c ? pct(c.rate) : '—'}</text>
						<rect class="section-mark" x="0" y={y + 20} width="4" height="24" />
						<rect class="funnel-bar" x={cx - w / 2} y={y + 20} width={w} height="24" rx="3" />
						<text class={'funnel-entries' + (inside ? ' on-bar' : '')} x={inside ? cx : cx + w / 2 + 6}
							y={y + 37} text-anchor={inside ? 'middle' : 'start'} data-value={s.entries}>{num(s.entries)}</text>
						<text class="chart-note" x={W} y={y + 37} text-anchor="end">{c ? c.numerator + ' of ' + c.denominator : ''}</text>
						<rect class="open-bar" x="0" y={y + 52} width={aw} height="10" rx="2" />
						<text class="funnel-open" x={aw + 6} y={y + 62} data-value={s.open_amount}>
							{s.open_count ? cmoney(s.open_amount, currency) : 'nothing open'}
							{s.open_count ? <tspan class="chart-note"> · {s.open_count} open · weighted {cmoney(s.weighted_amount, currency)}</tspan> : null}
						</text>
					</g>
				);
			})}
		</Chart>
	);
}

// A small funnel for one group: entries per stage on the scale shared by all groups.
function MiniFunnel({ group, maxE, title }) {
	const rows = drawn(group.stages);
	const W = 320, rowH = 22, H = rows.length * rowH + 2;
	const eW = scale(0, maxE, 0, 170), cx = 205;
	const desc = rows.map((s) => s.name + ': ' + s.entries).join(', ') + ' entries in the period.';
	return (
		<Chart title={title} desc={desc} width={W} height={H} class="funnel-chart mini">
			{rows.map((s, i) => {
				const y = i * rowH;
				const w = s.entries ? Math.max(2, eW(s.entries)) : 0;
				return (
					<g key={s.key} class={'funnel-row section-' + s.section} data-stage={s.key}>
						<FitText x="0" y={y + 15} class="funnel-label" text={s.name} max={15} />
						<rect class="funnel-bar" x={cx - w / 2} y={y + 3} width={w} height={rowH - 6} rx="2" />
						<text class="funnel-entries" x={W - 2} y={y + 15} text-anchor="end" data-value={s.entries}>{s.entries}</text>
					</g>
				);
			})}
		</Chart>
	);
}

// The largest entries of any stage of any group: the scale the small funnels share.
const maxCache = new WeakMap();
function sharedMax(groups) {
	if (!maxCache.has(groups))
		maxCache.set(groups, Math.max(1, ...groups.flatMap((x) => drawn(x.stages).map((s) => s.entries))));
	return maxCache.get(groups);
}

function groupName(g, by) {
	if (g.name === null || g.name === undefined)
		return by === 'channel' ? 'No channel' : by === 'team' ? 'No team' : 'Nobody';
	return by === 'channel' ? g.name.charAt(0).toUpperCase() + g.name.slice(1) : g.name;
}

function Summary({ g, currency }) {
	return (
		<p class="dash-summary">
			<span><strong>{num(g.deals)}</strong> deals</span>
			<span><strong data-figure="open_amount">{money(g.open_amount, currency)}</strong> open in {plural(g.open_count, 'deal')}</span>
			<span>weighted <strong data-figure="weighted_amount">{money(g.weighted_amount, currency)}</strong></span>
			<span>won <strong>{g.won_count}</strong>, lost <strong>{g.lost_count}</strong> (win rate {pct(g.win_rate)})</span>
			<span>velocity <strong>{g.sales_velocity === null ? '—' : cmoney(g.sales_velocity, currency) + '/day'}</strong></span>
		</p>
	);
}

export function FunnelPanel({ period, scope, scopeName, group, onGroup }) {
	const { from, to } = periodBounds(period);
	const skey = JSON.stringify(scope);
	const total = useAsync(() => get('/reports/funnel', { from, to, ...scope }), [from, to, skey]);
	const grouped = useAsync(() => get('/reports/funnel', { from, to, group_by: group, ...scope }), [from, to, skey, group]);
	const t = total.data, gd = grouped.data;
	const all = t && t.groups[0];
	const groupLabel = GROUPS.find((x) => x.key === group).label.toLowerCase();

	return (
		<section class="panel dash-panel" aria-labelledby="funnel-h" data-ready={t && gd ? '1' : undefined}>
			<h2 id="funnel-h">Funnel <span class="spacer" />
				{t && <span class="muted dash-sub">{t.from} – {t.to} · {t.currency}</span>}
			</h2>
			<ErrorBox error={total.error} onRetry={total.reload} />
			{total.loading && !t && <Loading what="the funnel" />}
			{t && !all && <Empty>No deal in this scope and period.</Empty>}
			{all && (
				<>
					<Summary g={all} currency={t.currency} />
					<FunnelChart stages={all.stages} currency={t.currency}
						title={'Funnel of ' + scopeName + ', ' + t.from + ' to ' + t.to} />
					{lostOf(all.stages) > 0 && (
						<p class="chart-note-html">{plural(lostOf(all.stages), 'deal')} moved to a lost stage in the period.</p>
					)}
					<ChartTable caption={'Funnel of ' + scopeName + ' by stage'}
						columns={[
							{ key: 'stage', label: 'Stage' },
							{ key: 'entries', label: 'Entered', num: true },
							{ key: 'exits', label: 'Left', num: true },
							{ key: 'conv', label: 'Went further', num: true },
							{ key: 'open', label: 'Open now', num: true },
							{ key: 'amount', label: 'Open amount', num: true },
							{ key: 'weighted', label: 'Weighted', num: true },
							{ key: 'median', label: 'Median stay', num: true },
						]}
						rows={all.stages.map((s) => ({
							key: s.key,
							cells: {
								stage: s.name, entries: num(s.entries), exits: num(s.exits),
								conv: s.conversion && s.conversion.denominator ? pct(s.conversion.rate) + ' (' + s.conversion.numerator + '/' + s.conversion.denominator + ')' : '—',
								open: num(s.open_count), amount: money(s.open_amount, t.currency),
								weighted: money(s.weighted_amount, t.currency),
								median: s.time_in_stage ? days(s.time_in_stage.median_days) : '—',
							},
						}))} />
				</>
			)}

			<div class="dash-groupbar">
				<h3 id="funnel-groups-h">By {groupLabel}</h3>
				<Segmented legend="Group the funnel by" name="funnel-group" value={group} onChange={onGroup}
					options={GROUPS.map((x) => [x.key, x.label])} />
			</div>
			<ErrorBox error={grouped.error} onRetry={grouped.reload} />
			{grouped.loading && !gd && <Loading what={'the funnel by ' + groupLabel} />}
			{gd && gd.group_by === group && (
				<>
					<ul class="funnel-grid" aria-labelledby="funnel-groups-h">
						{gd.groups.map((g, _, gs) => {
							const maxE = sharedMax(gs);
							const name = groupName(g, group);
							return (
								<li key={String(g.id) + name} class="funnel-card" data-group={g.id === null ? '' : g.id}>
									<h4>{name}</h4>
									<p class="muted funnel-card-figs">
										{plural(g.deals, 'deal')} · <span data-figure="open_amount">{cmoney(g.open_amount, gd.currency)}</span> open · win rate {pct(g.win_rate)}
									</p>
									<MiniFunnel group={g} maxE={maxE} title={'Funnel of ' + name} />
								</li>
							);
						})}
					</ul>
					<ChartTable caption={'Funnel by ' + groupLabel}
						columns={[
							{ key: 'name', label: GROUPS.find((x) => x.key === group).label },
							{ key: 'deals', label: 'Deals', num: true },
							{ key: 'open', label: 'Open', num: true },
							{ key: 'amount', label: 'Open amount', num: true },
							{ key: 'weighted', label: 'Weighted', num: true },
							{ key: 'won', label: 'Won', num: true },
							{ key: 'lost', label: 'Lost', num: true },
							{ key: 'rate', label: 'Win rate', num: true },
							{ key: 'size', label: 'Avg. deal', num: true },
							{ key: 'cycle', label: 'Cycle', num: true },
							{ key: 'velocity', label: 'Velocity / day', num: true },
						]}
						rows={gd.groups.map((g) => ({
							key: String(g.id) + g.name,
							cells: {
								name: groupName(g, group), deals: num(g.deals), open: num(g.open_count),
								amount: money(g.open_amount, gd.currency), weighted: money(g.weighted_amount, gd.currency),
								won: num(g.won_count), lost: num(g.lost_count), rate: pct(g.win_rate),
								size: g.average_deal_size === null ? '—' : money(g.average_deal_size, gd.currency),
								cycle: days(g.cycle_length_days),
								velocity: g.sales_velocity === null ? '—' : money(g.sales_velocity, gd.currency),
							},
						}))} />
				</>
			)}
			{t && t.excluded_other_currency > 0 && (
				<p class="hint">{plural(t.excluded_other_currency, 'deal')} in other currencies than {t.currency} are counted but left out of the amounts.</p>
			)}
		</section>
	);
}
