// The lead inbox: the leads still to work (not converted, not disqualified), best first
// by score, with their tier and the reasons for the score; filter by tier; convert one
// in one click and see what it became.  Keyset pages, as every list.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, loadNames, nameOf } from '../api.js';
import { date, label as human } from '../format.js';
import { Link, navigate, useLocation } from '../router.jsx';
import { Badge, ErrorBox, Page } from '../components/ui.jsx';
import { leadStatusKinds, personName } from '../components/columns.jsx';
import { ConvertButton, ConvertResult } from '../components/convert.jsx';
import { Factors, TierBadge } from './Leads.jsx';

const TIERS = ['A', 'B', 'C', 'D'];
const PAGE = 25;

export function Inbox() {
	const loc = useLocation();
	const tier = new URLSearchParams(loc.split('?')[1] || '').get('tier') || '';
	const [state, setState] = useState({ rows: [], next: null, loading: true, error: null, more: false });
	const [done, setDone] = useState({}); // lead id → conversion result
	const seq = useRef(0);

	const load = async (cursor) => {
		const n = ++seq.current;
		setState((s) => ({ ...s, loading: !cursor, more: !!cursor, error: null }));
		try {
			const page = await get('/leads', {
				sort: '-score', status: 'new,working,qualified', converted_at_set: 'false',
				tier: tier || undefined, limit: PAGE, cursor,
			});
			if (n !== seq.current)
				return;
			await loadNames('users', page.data.map((r) => r.owner_id)).catch(() => {});
			setState((s) => ({ rows: cursor ? [...s.rows, ...page.data] : page.data, next: page.next_cursor, loading: false, more: false, error: null }));
		} catch (error) {
			if (n === seq.current)
				setState((s) => ({ ...s, loading: false, more: false, error }));
		}
	};
	useEffect(() => {
		load(null);
	}, [tier]); // eslint-disable-line

	const pick = (t) => navigate('/inbox' + (t ? '?tier=' + t : ''), { replace: true });
	return (
		<Page title="Lead inbox" actions={<Link class="btn btn-ghost" href="/leads">All leads</Link>}>
			<p class="muted">Leads to work, best first: the score (0–100) combines the admins' fit rules with what converted before; the tier is A (best) to D.</p>
			<div class="tier-filter" role="group" aria-label="Tier">
				<button type="button" class="btn btn-small" aria-pressed={tier === '' ? 'true' : 'false'} onClick={() => pick('')}>All tiers</button>
				{TIERS.map((t) => (
					<button key={t} type="button" class="btn btn-small" aria-pressed={tier === t ? 'true' : 'false'} onClick={() => pick(t)}>Tier {t}</button>
				))}
			</div>
			<ErrorBox error={state.error} onRetry={() => load(null)} />
			{state.loading && <p class="loading" role="status">Loading the inbox…</p>}
			{!state.loading && !state.error && state.rows.length === 0 && <p class="empty">No lead to work{tier ? ' in tier ' + tier : ''}. </p>}
			{!state.loading && (
				<ol class="inbox" data-ready="">
					{state.rows.map((l) => (
						<li key={l.id} class="panel inbox-item" aria-labelledby={'lead-' + l.id}>
							<div class="inbox-head">
								<TierBadge lead={l} />
								<h2 id={'lead-' + l.id} class="inbox-name"><Link href={'/leads/' + l.id}>{personName(l)}</Link></h2>
								<span class="muted">{[l.title, l.company].filter(Boolean).join(', ')}</span>
								<span class="spacer" />
								{!done[l.id] && <ConvertButton lead={l} small onDone={(res) => setDone((d) => ({ ...d, [l.id]: res }))} />}
							</div>
							<p class="inbox-meta">
								<Badge kind={leadStatusKinds[l.status]}>{human(l.status)}</Badge>{' '}
								{l.source && <span>{l.source} · </span>}
								<span>{nameOf('users', l.owner_id)} · since {date(l.created_at)}</span>
							</p>
							<Factors factors={l.score_factors} />
							{done[l.id] && <ConvertResult result={done[l.id]} />}
						</li>
					))}
				</ol>
			)}
			{!state.loading && (
				<div class="list-foot">
					<span class="muted" role="status">{state.rows.length} shown{state.next ? '' : ' — that is all'}</span>
					{state.next && <button type="button" class="btn" disabled={state.more} onClick={() => load(state.next)}>{state.more ? 'Loading…' : 'Load ' + PAGE + ' more'}</button>}
				</div>
			)}
		</Page>
	);
}
