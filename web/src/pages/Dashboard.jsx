// Manager dashboard: the funnel per salesperson / team / channel, stale deals with
// their diagnosis, performance normalised by segment, and the forecast — for a
// period (quarter or month) and a scope (everyone the manager sees, a team of
// theirs, one salesperson).  Period, scope and grouping live in the URL, so a
// view can be bookmarked and sent.  Each panel loads on its own.
import { useMemo } from 'preact/hooks';
import { getAll } from '../api.js';
import { navigate, searchParams } from '../router.jsx';
import { isAdmin, useSession } from '../session.js';
import { ErrorBox, Page, useAsync } from '../components/ui.jsx';
import { FunnelPanel, GROUPS } from '../components/FunnelPanel.jsx';
import { StalePanel } from '../components/StalePanel.jsx';
import { PerformancePanel } from '../components/PerformancePanel.jsx';
import { ForecastPanel } from '../components/ForecastPanel.jsx';
import { periodChoices, periodKind, periodLabel, periodOf } from '../components/dashfmt.js';
import { teamSubtree } from '../components/people.js';

function setParam(key, value) {
	const q = searchParams();
	if (value)
		q.set(key, value);
	else
		q.delete(key);
	const s = q.toString();
	navigate(location.pathname + (s ? '?' + s : ''), { replace: true });
}

export function Dashboard() {
	const { user } = useSession();
	const q = searchParams();
	const now = new Date();
	let period = q.get('period') || '';
	if (!periodKind(period))
		period = periodOf(now, 'quarter');
	const kind = periodKind(period);
	const group = GROUPS.some((g) => g.key === q.get('group')) ? q.get('group') : 'owner';
	const scopeKey = q.get('scope') || '';

	const people = useAsync(async () => {
		const [teams, users] = await Promise.all([getAll('/teams'), getAll('/users')]);
		return { teams, users };
	}, []);
	const options = useMemo(() => {
		if (!people.data)
			return { teams: [], reps: [] };
		const mine = teamSubtree(people.data.teams, user);
		const teams = people.data.teams.filter((t) => mine.has(t.id)).sort((a, b) => a.name.localeCompare(b.name));
		const reps = people.data.users
			.filter((u) => u.active && u.role === 'rep' && (isAdmin(user) || mine.has(u.team_id)))
			.sort((a, b) => a.name.localeCompare(b.name));
		return { teams, reps, mine };
	}, [people.data, user]);

	// scope "team:5" → {team_id: 5}, "user:7" → {owner_id: 7}; unknown → everyone
	let scope = {}, scopeName = isAdmin(user) ? 'the company' : 'your teams', only = null;
	const m = /^(team|user):(\d+)$/.exec(scopeKey);
	if (m && people.data) {
		const id = +m[2];
		if (m[1] === 'team' && options.teams.some((t) => t.id === id)) {
			scope = { team_id: id };
			scopeName = options.teams.find((t) => t.id === id).name;
			const sub = teamSubtree(people.data.teams, { role: 'manager', team_id: id });
			only = new Set(people.data.users.filter((u) => sub.has(u.team_id)).map((u) => u.id));
		} else if (m[1] === 'user' && options.reps.some((u) => u.id === id)) {
			scope = { owner_id: id };
			scopeName = options.reps.find((u) => u.id === id).name;
			only = new Set([id]);
		}
	}
	const scopeReady = !m || people.data || people.error;

	const periods = periodChoices(kind, now);
	if (!periods.includes(period))
		periods.push(period);

	const pickers = (
		<form class="dash-pickers" onSubmit={(e) => e.preventDefault()} aria-label="What the dashboard shows">
			<label>
				<span class="visually-hidden">Period length</span>
				<select class="inline-select" value={kind}
					onChange={(e) => setParam('period', periodOf(now, e.currentTarget.value))}>
					<option value="quarter">Quarter</option>
					<option value="month">Month</option>
				</select>
			</label>
			<label>
				<span class="visually-hidden">Period</span>
				<select class="inline-select" value={period} onChange={(e) => setParam('period', e.currentTarget.value)}>
					{periods.map((p) => <option key={p} value={p}>{periodLabel(p)}</option>)}
				</select>
			</label>
			<label>
				<span class="visually-hidden">Scope</span>
				<select class="inline-select" value={scope.team_id ? 'team:' + scope.team_id : scope.owner_id ? 'user:' + scope.owner_id : ''}
					onChange={(e) => setParam('scope', e.currentTarget.value)} disabled={!people.data}>
					<option value="">{isAdmin(user) ? 'The whole company' : 'Everyone in your teams'}</option>
					{options.teams.length > 0 && (
						<optgroup label="Team">
							{options.teams.map((t) => <option key={t.id} value={'team:' + t.id}>{t.name}</option>)}
						</optgroup>
					)}
					{options.reps.length > 0 && (
						<optgroup label="Salesperson">
							{options.reps.map((u) => <option key={u.id} value={'user:' + u.id}>{u.name}</option>)}
						</optgroup>
					)}
				</select>
			</label>
		</form>
	);

	return (
		<Page title="Dashboard" actions={pickers} wide>
			<ErrorBox error={people.error} onRetry={people.reload} />
			{scopeReady && (
				<div class="dash">
					<FunnelPanel period={period} scope={scope} scopeName={scopeName} group={group}
						onGroup={(g) => setParam('group', g === 'owner' ? '' : g)} />
					<ForecastPanel period={period} scope={scope} scopeName={scopeName} />
					<PerformancePanel period={period} only={only} />
					<StalePanel scope={scope} />
				</div>
			)}
		</Page>
	);
}
