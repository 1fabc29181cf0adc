// Small reference lists every screen needs as names and choices (users, teams,
// pipelines and their stages, forms), loaded once per page load and shared; the admin
// screens call refresh() after a change.  Plus the controls built on them: a user
// select, and a search box that picks a record by name (accounts, contacts) without
// ever loading a whole big list.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, getAll, nameOf, rememberNames } from '../api.js';

const cache = new Map();

function cached(key, load) {
	if (!cache.has(key))
		cache.set(key, load().catch((e) => {
			cache.delete(key);
			throw e;
		}));
	return cache.get(key);
}

export function refresh(key) {
	cache.delete(key);
}

export const users = () => cached('users', async () => {
	const all = await getAll('/users', { sort: 'name' });
	rememberNames('users', all);
	return all;
});
export const teams = () => cached('teams', async () => {
	const all = await getAll('/teams', { sort: 'name' });
	rememberNames('teams', all);
	return all;
});
export const pipelines = () => cached('pipelines', async () => (await get('/pipelines')).data);
export const forms = () => cached('forms', () => getAll('/forms', { sort: 'name' }));

// stage key → name over every pipeline (keys are shared by the default maps)
export async function stageNames() {
	const map = new Map();
	for (const p of await pipelines())
		for (const s of p.stages)
			if (!map.has(s.key))
				map.set(s.key, s.name);
	return map;
}

// Re-render when a lookup arrives: const list = useLookup(users) → [] until loaded.
export function useLookup(fn) {
	const [v, setV] = useState(null);
	useEffect(() => {
		let live = true;
		fn().then((x) => live && setV(x), () => live && setV([]));
		return () => { live = false; };
	}, [fn]);
	return v;
}

export function UserSelect({ id, value, onChange, describedBy, allowEmpty = true, emptyLabel = 'Anyone', disabled, activeOnly }) {
	const list = useLookup(users) || [];
	const shown = list.filter((u) => !activeOnly || u.active || String(u.id) === String(value));
	return (
		<select id={id} value={value ?? ''} disabled={disabled} aria-describedby={describedBy}
			onChange={(e) => onChange(e.currentTarget.value)}>
			{allowEmpty && <option value="">{emptyLabel}</option>}
			{value && !list.length && <option value={value}>{nameOf('users', Number(value))}</option>}
			{shown.map((u) => <option key={u.id} value={u.id}>{u.name}{u.active ? '' : ' (inactive)'}</option>)}
		</select>
	);
}

// A record picked by searching its list (?q=), ten at a time: for accounts and
// contacts, which may be a million rows.  value is an id; label what to show for it.
export function RecordPicker({ id, kind, value, label, onChange, describedBy, extraQuery }) {
	const [text, setText] = useState('');
	const [open, setOpen] = useState(false);
	const [found, setFound] = useState([]);
	const [busy, setBusy] = useState(false);
	const timer = useRef(null);
	const seq = useRef(0);

	const search = (q) => {
		setText(q);
		clearTimeout(timer.current);
		if (!q.trim()) {
			setFound([]);
			return;
		}
		timer.current = setTimeout(async () => {
			const n = ++seq.current;
			setBusy(true);
			try {
				const page = await get('/' + kind, { q: q.trim(), limit: 10, ...(extraQuery || {}) });
				if (n === seq.current) {
					rememberNames(kind, page.data);
					setFound(page.data);
					setOpen(true);
				}
			} catch (e) {
				if (n === seq.current)
					setFound([]);
			} finally {
				if (n === seq.current)
					setBusy(false);
			}
		}, 250);
	};
	useEffect(() => () => clearTimeout(timer.current), []);
	const pick = (r) => {
		onChange(r ? r.id : null, r);
		setText('');
		setFound([]);
		setOpen(false);
	};
	const listId = id + '-results';
	return (
		<div class="picker">
			{value ? (
				<p class="picker-current">
					<span>{label || nameOf(kind, value)}</span>
					<button type="button" class="btn btn-small btn-ghost" onClick={() => pick(null)}
						aria-label={'Change ' + (label || nameOf(kind, value))}>Change</button>
				</p>
			) : (
				<>
					<input id={id} type="search" value={text} autocomplete="off" aria-describedby={describedBy}
						aria-controls={listId} aria-expanded={open && found.length > 0 ? 'true' : 'false'}
						placeholder={'Search ' + kind + '…'} onInput={(e) => search(e.currentTarget.value)}
						onKeyDown={(e) => { if (e.key === 'Escape') setOpen(false); }} />
					{busy && <span class="visually-hidden" role="status">Searching…</span>}
					{open && (
						<ul class="picker-results" id={listId}>
							{found.length === 0 && <li class="muted">No match</li>}
							{found.map((r) => (
								<li key={r.id}>
									<button type="button" class="picker-option" onClick={() => pick(r)}>{nameOf(kind, r.id)}</button>
								</li>
							))}
						</ul>
					)}
				</>
			)}
		</div>
	);
}

// A select over one of the lookups above (teams, pipelines, forms); value is an id as text.
export function LookupSelect({ id, fn, value, onChange, describedBy, empty = '—' }) {
	const list = useLookup(fn) || [];
	return (
		<select id={id} value={value ? String(value) : ''} aria-describedby={describedBy} onChange={(e) => onChange(e.currentTarget.value)}>
			<option value="">{empty}</option>
			{list.map((x) => <option key={x.id} value={String(x.id)}>{x.name}</option>)}
		</select>
	);
}
