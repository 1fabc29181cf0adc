// Stale deals with their diagnosis and the action to take: GET /api/v1/reports/stale
// (docs/reports-stale-performance.md).  The server picks the most severe ones
// and says why; this lists them, each linked to its opportunity page.
import { useState } from 'preact/hooks';
import { get } from '../api.js';
import { label, money, plural } from '../format.js';
import { Link } from '../router.jsx';
import { Badge, Empty, ErrorBox, Loading, useAsync } from './ui.jsx';

const HYPOTHESES = {
	lost_contact: 'Lost contact',
	undecided: 'Undecided prospect',
	competitor: 'Competitor',
	dilemma: 'Dilemma',
	approval: 'Waiting for approval',
	budget: 'Budget',
	internal_disagreement: 'Internal disagreement',
};

const ACTIONS = {
	call: 'Call the prospect',
	requalify: 'Re-qualify',
	competitive_check: 'Competitive check',
	decision_meeting: 'Decision meeting',
	map_decision_makers: 'Map the decision makers',
	involve_manager: 'Involve the manager',
};

const SECTION_BADGE = { upper: 'primary', middle: 'warn', lower: 'danger' };

const STEP = 12;

function StaleDeal({ d }) {
	const g = d.diagnosis;
	return (
		<li class="stale-item" data-id={d.id}>
			<div class="stale-head">
				<Link href={'/opportunities/' + d.id} class="stale-name">{d.name}</Link>
				<span class="stale-amount num">{money(d.amount, d.currency)}</span>
			</div>
			<p class="stale-meta muted">
				{d.account_name} · {d.owner_name} · {d.stage_name}{' '}
				<Badge kind={SECTION_BADGE[d.section]}>{d.section} funnel</Badge>
			</p>
			<p class="stale-limits">
				<span class={d.thresholds.includes('stage') ? 'over' : ''}>
					{plural(d.days_in_stage, 'day')} in stage{d.stale_days ? ' (limit ' + d.stale_days + ')' : ''}
				</span>
				<span class={d.thresholds.includes('idle') ? 'over' : ''}>
					{plural(d.days_idle, 'day')} without activity{d.idle_days ? ' (limit ' + d.idle_days + ')' : ''}
				</span>
			</p>
			<div class="stale-diagnosis">
				<p>
					<strong class="stale-hypothesis" data-hypothesis={g.hypothesis}>{HYPOTHESES[g.hypothesis] || label(g.hypothesis)}</strong>
					{' — '}{g.summary}
				</p>
				<p class="stale-action">
					<Badge kind="ok">{ACTIONS[g.action] || label(g.action)}</Badge> {g.suggestion}
				</p>
			</div>
			<details class="stale-evidence">
				<summary>Evidence</summary>
				<ul>
					{d.evidence.map((e, i) => (
						<li key={i}><span class="muted">{label(e.kind)}:</span> {e.detail}</li>
					))}
				</ul>
			</details>
		</li>
	);
}

// Chips that narrow the list to one diagnosis, with how many of the listed deals have it.
function DiagnosisFilter({ deals, value, onChange }) {
	const counts = new Map();
	for (const d of deals)
		counts.set(d.diagnosis.hypothesis, (counts.get(d.diagnosis.hypothesis) || 0) + 1);
	if (counts.size < 2)
		return null;
	const chips = [['', 'All', deals.length], ...[...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, HYPOTHESES[k] || label(k), n])];
	return (
		<div class="chips" role="group" aria-label="Show the deals with one diagnosis">
			{chips.map(([k, l, n]) => (
				<button key={k} type="button" class={'chip' + (value === k ? ' on' : '')} aria-pressed={value === k ? 'true' : 'false'}
					onClick={() => onChange(k)}>{l} <span class="chip-n">{n}</span></button>
			))}
		</div>
	);
}

export function StalePanel({ scope }) {
	const [limit, setLimit] = useState(STEP);
	const [only, setOnly] = useState('');
	const skey = JSON.stringify(scope);
	const r = useAsync(() => get('/reports/stale', { ...scope, limit }), [skey, limit]);
	const d = r.data;
	const shown = d ? d.data.filter((x) => !only || x.diagnosis.hypothesis === only) : [];
	return (
		<section class="panel dash-panel" aria-labelledby="stale-h" data-ready={d ? '1' : undefined}>
			<h2 id="stale-h">Stale deals <span class="spacer" />
				{d && <span class="muted dash-sub">{plural(d.total, 'deal')} · {money(d.amount, d.currency)}</span>}
			</h2>
			<ErrorBox error={r.error} onRetry={r.reload} />
			{!d && r.loading && <Loading what="stale deals" />}
			{d && d.total === 0 && <Empty>No stale deal: every open deal is within its stage's limits.</Empty>}
			{d && d.total > 0 && (
				<>
					<p class="hint">
						The {d.data.length < d.total ? d.data.length + ' most severe of ' + d.total : d.total} open deals past a
						limit of their stage, worst first, with what is probably holding each one and what to do.
						{d.excluded > 0 && ' ' + plural(d.excluded, 'deal') + ' in other currencies than ' + d.currency + ' are left out of the amount.'}
					</p>
					<DiagnosisFilter deals={d.data} value={only} onChange={setOnly} />
					<ol class="stale-list">
						{shown.map((x) => <StaleDeal key={x.id} d={x} />)}
					</ol>
					{d.truncated && limit < 500 && (
						<button type="button" class="btn btn-small" disabled={r.loading}
							onClick={() => setLimit(Math.min(500, limit + 24))}>
							{r.loading ? 'Loading…' : 'Show more'}
						</button>
					)}
				</>
			)}
		</section>
	);
}
