// Who a manager manages: their team and every team below it (admins: everyone).
// The server decides what each role may do (src/crm/records/principal.h); the dashboard and
// the handover wizard use this to offer only choices the server will accept.
import { isAdmin } from '../session.js';

export function teamSubtree(teams, user) {
	if (isAdmin(user))
		return new Set(teams.map((t) => t.id));
	const out = new Set(user.team_id ? [user.team_id] : []);
	let grew = true;
	while (grew) {
		grew = false;
		for (const t of teams)
			if (t.parent_id && out.has(t.parent_id) && !out.has(t.id)) {
				out.add(t.id);
				grew = true;
			}
	}
	return out;
}

// Active users of the caller's teams (admins: every active user), by name.
export function managedUsers(users, teams, user) {
	const mine = teamSubtree(teams, user);
	return users
		.filter((u) => u.active && (isAdmin(user) || mine.has(u.team_id)))
		.sort((a, b) => a.name.localeCompare(b.name));
}
