// A list of records (accounts, contacts, leads, opportunities): search, filters, sort
// and keyset pages, with the person's saved filters.
//
// The URL's query string *is* the list's state and exactly the API's list parameters
// (q, sort, filters, ranges): a reload, a shared link and a saved filter all give the
// same rows, and the server checks every parameter.  Pages follow next_cursor ("Load
// more"); nothing asks for offsets or a total count, so a million rows cost the same
// as a thousand.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, del, get, loadNames, nameOf, post } from '../api.js';
import { Link, navigate, useLocation } from '../router.jsx';
import { listSpec } from '../schema.js';
import { label as human } from '../format.js';
import { ErrorBox, toast } from './ui.jsx';
import { LookupSelect, UserSelect, forms as formsLookup, pipelines as pipelinesLookup, stageNames, useLookup } from './lookups.jsx';

export const PAGE = 50;
const NOT_FILTERS = new Set(['q', 'sort', 'cursor', 'limit', 'total']);

// The query string in one order, so that equal filters compare equal.
export function canonical(qs) {
	const p = new URLSearchParams(qs);
	p.delete('cursor');
	p.sort();
	return p.toString();
}

function currentParams(loc) {
	const i = loc.indexOf('?');
	const p = new URLSearchParams(i < 0 ? '' : loc.slice(i + 1));
	p.delete('cursor');
	return p;
}

function setParams(p) {
	p.sort();
	const qs = p.toString();
	navigate(location.pathname + (qs ? '?' + qs : ''), { replace: true });
}

// What to call a filter in words: "Owner", "Amount from"
function filterLabel(name, labels) {
	if (labels && labels[name])
		return labels[name];
	const m = /^(.*)_(from|to|set)$/.exec(name);
	if (m && m[2] === 'set')
		return filterLabel(m[1], labels) + ' filled in';
	if (m)
		return filterLabel(m[1], labels) + (m[2] === 'from' ? ' from' : ' to');
	return human(name.replace(/_id$/, ''));
}

// The whole list with the current filters and sort, as a file the server streams
// (GET /api/v1/<resource>.csv; contacts also as vCards): a plain link, so the
// browser downloads it with the session cookie and nothing is held in the page.
function ExportLinks({ resource, query }) {
	const p = new URLSearchParams(query);
	p.delete('cursor');
	p.delete('limit');
	p.sort();
	const qs = p.toString() ? '?' + p.toString() : '';
	return (
		<span class="export-links">
			<a class="btn btn-ghost" href={'/api/v1/' + resource + '.csv' + qs} download={resource + '.csv'}>Export CSV</a>
			{resource === 'contacts' && (
				<a class="btn btn-ghost" href={'/api/v1/contacts.vcf' + qs} download="contacts.vcf">Export vCards</a>
			)}
			<Link class="btn btn-ghost" href={'/imports?resource=' + resource}>Import</Link>
		</span>
	);
}

export function RecordList({ resource, singular, columns, defaultSort, labels, hideFilters = [], rowClass, actions, onRows }) {
	const loc = useLocation();
	const params = currentParams(loc);
	const key = canonical(params.toString());
	const [state, setState] = useState({ rows: [], next: null, loading: true, error: null, more: false });
	const [, setTick] = useState(0);
	const seq = useRef(0);

	const apiQuery = () => {
		const q = Object.fromEntries(params.entries());
		if (!q.sort && defaultSort)
			q.sort = defaultSort;
		return q;
	};

	const names = async (rows) => {
		const want = (f, kind) => loadNames(kind, rows.map((r) => r[f]).filter(Boolean));
		await Promise.all([
			want('owner_id', 'users'),
			rows.some((r) => 'account_id' in r) ? want('account_id', 'accounts') : null,
			rows.some((r) => 'contact_id' in r) ? want('contact_id', 'contacts') : null,
		]).catch(() => {});
		setTick((t) => t + 1);
	};

	const load = async (cursor) => {
		const n = ++seq.current;
		setState((s) => ({ ...s, loading: !cursor, more: !!cursor, error: null }));
		try {
			const page = await get('/' + resource, { ...apiQuery(), limit: PAGE, cursor });
			if (n !== seq.current)
				return;
			setState((s) => ({ rows: cursor ? [...s.rows, ...page.data] : page.data, next: page.next_cursor, loading: false, more: false, error: null }));
			names(page.data);
		} catch (error) {
			if (n === seq.current)
				setState((s) => ({ ...s, loading: false, more: false, error }));
		}
	};

	useEffect(() => {
		load(null);
	}, [resource, key]); // eslint-disable-line

	useEffect(() => {
		if (onRows)
			onRows(state.rows);
	}, [state.rows]); // eslint-disable-line

	const update = (changes) => {
		const p = currentParams(location.pathname + location.search);
		for (const [k, v] of Object.entries(changes)) {
			if (v === undefined || v === null || v === '')
				p.delete(k);
			else
				p.set(k, v);
		}
		setParams(p);
	};
	const sort = params.get('sort') || defaultSort || 'id';
	const active = [...params.entries()].filter(([k]) => !NOT_FILTERS.has(k));

	return (
		<div class="record-list" data-ready={state.loading ? undefined : ''}>
			<div class="list-tools">
				<SearchBox resource={resource} value={params.get('q') || ''} onSearch={(q) => update({ q })} />
				<SavedFilters resource={resource} query={key} />
				{actions}
				<ExportLinks resource={resource} query={apiQuery()} />
			</div>
			<FilterPanel resource={resource} params={params} update={update} labels={labels} hide={hideFilters} activeCount={active.length} />
			{active.length > 0 && (
				<ul class="chips" aria-label="Active filters">
					{active.map(([k, v]) => (
						<li key={k} class="chip">
							<span>{filterLabel(k, labels)}: {chipValue(k, v)}</span>
							<button type="button" class="chip-x" aria-label={'Remove filter ' + filterLabel(k, labels)} onClick={() => update({ [k]: null })}>×</button>
						</li>
					))}
					<li><button type="button" class="btn btn-small btn-ghost" onClick={() => setParams(new URLSearchParams(params.get('sort') ? { sort: params.get('sort') } : {}))}>Clear filters</button></li>
				</ul>
			)}
			<ErrorBox error={state.error} onRetry={() => load(null)} />
			<div class="table-wrap">
				<table class="list-table" aria-busy={state.loading ? 'true' : 'false'}>
					<thead>
						<tr>
							{columns.map((c) => <SortHeader key={c.key} col={c} sort={sort} onSort={(s) => update({ sort: s })} />)}
						</tr>
					</thead>
					<tbody>
						{!state.loading && state.rows.map((r) => (
							<tr key={r.id} class={rowClass ? rowClass(r) : undefined}>
								{columns.map((c) => <td key={c.key} class={c.num ? 'num' : undefined}>{c.render ? c.render(r) : r[c.key] ?? '—'}</td>)}
							</tr>
						))}
					</tbody>
				</table>
			</div>
			{state.loading && <p class="loading" role="status">Loading {resource}…</p>}
			{!state.loading && !state.error && state.rows.length === 0 && (
				<p class="empty">No {resource} {active.length || params.get('q') ? 'match these filters' : 'yet'}.</p>
			)}
			<div class="list-foot">
				<span class="muted" role="status">{state.loading ? '' : state.rows.length + ' shown' + (state.next ? '' : ' — that is all')}</span>
				{state.next && (
					<button type="button" class="btn" disabled={state.more} onClick={() => load(state.next)}>
						{state.more ? 'Loading…' : 'Load ' + PAGE + ' more'}
					</button>
				)}
			</div>
		</div>
	);

	function chipValue(k, v) {
		if (k === 'owner_id')
			return v.split(',').map((id) => nameOf('users', Number(id))).join(', ');
		if (k === 'account_id')
			return v.split(',').map((id) => nameOf('accounts', Number(id))).join(', ');
		if (k === 'contact_id')
			return v.split(',').map((id) => nameOf('contacts', Number(id))).join(', ');
		if (v === 'true')
			return 'yes';
		if (v === 'false')
			return 'no';
		return v.split(',').join(', ');
	}
}

function SortHeader({ col, sort, onSort }) {
	if (!col.sort)
		return <th scope="col" class={col.num ? 'num' : undefined}>{col.label}</th>;
	const here = sort === col.sort || sort === '-' + col.sort;
	const desc = sort === '-' + col.sort;
	const next = here && !desc ? '-' + col.sort : col.sort;
	return (
		<th scope="col" class={col.num ? 'num' : undefined} aria-sort={here ? (desc ? 'descending' : 'ascending') : undefined}>
			<button type="button" class="sort-btn" onClick={() => onSort(next)}
				aria-label={'Sort by ' + col.label + (here && !desc ? ', descending' : ', ascending')}>
				{col.label}<span aria-hidden="true" class="sort-mark">{here ? (desc ? ' ▼' : ' ▲') : ' ↕'}</span>
			</button>
		</th>
	);
}

function SearchBox({ resource, value, onSearch }) {
	const [text, setText] = useState(value);
	const [what, setWhat] = useState('');
	const timer = useRef(null);
	useEffect(() => setText(value), [value]);
	useEffect(() => {
		listSpec(resource).then((s) => setWhat(s.search || ''), () => {});
		return () => clearTimeout(timer.current);
	}, [resource]);
	const go = (q) => {
		clearTimeout(timer.current);
		onSearch(q.trim());
	};
	return (
		<form class="search" role="search" onSubmit={(e) => { e.preventDefault(); go(text); }}>
			<label for={'search-' + resource} class="visually-hidden">Search {resource}</label>
			<input id={'search-' + resource} type="search" value={text} placeholder={'Search ' + resource + '…'}
				title={what ? 'Looks in ' + what : undefined} aria-describedby={'search-' + resource + '-hint'}
				onInput={(e) => {
					const v = e.currentTarget.value;
					setText(v);
					clearTimeout(timer.current);
					timer.current = setTimeout(() => go(v), 400);
				}} />
			<span id={'search-' + resource + '-hint'} class="visually-hidden">{what ? 'Looks in ' + what : ''}</span>
			<button type="submit" class="btn">Search</button>
		</form>
	);
}

// --- filters -------------------------------------------------------------------------

function FilterPanel({ resource, params, update, labels, hide, activeCount }) {
	const [spec, setSpec] = useState(null);
	const [error, setError] = useState(null);
	useEffect(() => {
		listSpec(resource).then(setSpec, setError);
	}, [resource]);
	const filters = spec ? spec.filters.filter((f) => !hide.includes(f.name)) : [];
	const ranges = spec ? spec.ranges.filter((f) => !hide.includes(f.name)) : [];
	const presence = spec ? spec.presence.filter((f) => !hide.includes(f.name)) : [];
	return (
		<details class="filters">
			<summary>Filters{activeCount ? ' (' + activeCount + ' on)' : ''}</summary>
			{error && <ErrorBox error={error} />}
			{!spec && !error && <p class="loading">Loading filters…</p>}
			{spec && (
				<div class="filter-grid">
					{filters.map((f) => (
						<FilterField key={f.name} f={f} id={'flt-' + resource + '-' + f.name} label={filterLabel(f.name, labels)}
							value={params.get(f.name) || ''} onChange={(v) => update({ [f.name]: v })} />
					))}
					{ranges.map((r) => (
						<fieldset key={r.name} class="range">
							<legend>{filterLabel(r.name, labels)}</legend>
							{['from', 'to'].map((end) => (
								<RangeInput key={end} r={r} end={end} id={'flt-' + resource + '-' + r.name + '-' + end}
									value={params.get(r.name + '_' + end) || ''} onChange={(v) => update({ [r.name + '_' + end]: v })} />
							))}
						</fieldset>
					))}
					{presence.map((f) => (
						<FilterField key={f.name} f={f} id={'flt-' + resource + '-' + f.name} label={filterLabel(f.name, labels)}
							value={params.get(f.name) || ''} onChange={(v) => update({ [f.name]: v })} />
					))}
				</div>
			)}
		</details>
	);
}

function RangeInput({ r, end, id, value, onChange }) {
	const isDate = r.format === 'date' || r.format === 'date-time';
	const [text, setText] = useState(value);
	useEffect(() => setText(value), [value]);
	return (
		<span class="range-end">
			<label for={id}>{end}</label>
			<input id={id} type={isDate ? 'date' : 'text'} inputmode={isDate ? undefined : 'decimal'} value={isDate ? value.slice(0, 10) : text}
				onInput={isDate ? undefined : (e) => setText(e.currentTarget.value)}
				onChange={(e) => onChange(e.currentTarget.value.trim())} />
		</span>
	);
}

function FilterField({ f, id, label, value, onChange }) {
	const [text, setText] = useState(value);
	useEffect(() => setText(value), [value]);
	let control;
	if (f.name === 'owner_id')
		control = <UserSelect id={id} value={value} onChange={onChange} />;
	else if (f.name === 'pipeline_id')
		control = <LookupSelect id={id} value={value} onChange={onChange} fn={pipelinesLookup} empty="Any" />;
	else if (f.name === 'form_id')
		control = <LookupSelect id={id} value={value} onChange={onChange} fn={formsLookup} empty="Any" />;
	else if (f.name === 'stage')
		control = <StageSelect id={id} value={value} onChange={onChange} />;
	else if (f.enum)
		control = (
			<select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
				<option value="">Any</option>
				{f.enum.map((v) => <option key={v} value={v}>{human(v)}</option>)}
			</select>
		);
	else if (f.type === 'boolean')
		control = (
			<select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
				<option value="">Any</option>
				<option value="true">Yes</option>
				<option value="false">No</option>
			</select>
		);
	else if (/_id$/.test(f.name))
		return null; // a reference (account, contact): set from a record's page, shown as a chip
	else
		control = (
			<input id={id} type={f.format === 'email' ? 'email' : 'text'} value={text} aria-describedby={id + '-hint'}
				onInput={(e) => setText(e.currentTarget.value)} onChange={(e) => onChange(e.currentTarget.value.trim())} />
		);
	return (
		<div class="field">
			<label for={id}>{label}</label>
			{control}
			{!f.enum && f.type === 'string' && f.name !== 'stage' && <p class="hint" id={id + '-hint'}>exact value; a, b for either</p>}
		</div>
	);
}

function StageSelect({ id, value, onChange }) {
	const map = useLookup(stageNames);
	const entries = map ? [...map.entries()] : [];
	return (
		<select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
			<option value="">Any</option>
			{value && !map?.has(value) && <option value={value}>{value}</option>}
			{entries.map(([k, n]) => <option key={k} value={k}>{n}</option>)}
		</select>
	);
}

// --- saved filters ---------------------------------------------------------------------

function SavedFilters({ resource, query }) {
	const [list, setList] = useState(null);
	const [naming, setNaming] = useState(false);
	const [name, setName] = useState('');
	const [error, setError] = useState(null);
	const [busy, setBusy] = useState(false);

	const reload = () => get('/saved_filters', { resource, sort: 'name', limit: 200 }).then((p) => setList(p.data), () => setList([]));
	useEffect(() => {
		reload();
	}, [resource]); // eslint-disable-line

	const current = useMemo(() => (list || []).find((f) => canonical(f.query) === query), [list, query]);
	const apply = (id) => {
		const f = (list || []).find((x) => String(x.id) === id);
		if (f)
			navigate(location.pathname + (f.query ? '?' + f.query : ''), { replace: true });
	};
	const save = async (e) => {
		e.preventDefault();
		setBusy(true);
		setError(null);
		try {
			await post('/saved_filters', { name: name.trim(), resource, query });
			toast('Saved filter “' + name.trim() + '”');
			setNaming(false);
			setName('');
			await reload();
		} catch (err) {
			setError(err instanceof ApiError ? err : new Error(String(err)));
		} finally {
			setBusy(false);
		}
	};
	const remove = async () => {
		if (!current || !confirm('Delete the saved filter “' + current.name + '”?'))
			return;
		try {
			await del('/saved_filters/' + current.id);
			toast('Deleted “' + current.name + '”');
			reload();
		} catch (err) {
			toast(err.message, 'error');
		}
	};
	const sid = 'saved-' + resource;
	return (
		<div class="saved-filters">
			<label for={sid} class="visually-hidden">Saved filters</label>
			<select id={sid} value={current ? String(current.id) : ''} onChange={(e) => apply(e.currentTarget.value)} class="inline-select">
				<option value="">{list && list.length ? 'Saved filters…' : 'No saved filters'}</option>
				{(list || []).map((f) => <option key={f.id} value={String(f.id)}>{f.name}</option>)}
			</select>
			{current
				? <button type="button" class="btn btn-small btn-ghost" onClick={remove}>Delete saved filter</button>
				: <button type="button" class="btn btn-small" onClick={() => { setNaming(!naming); setError(null); }} aria-expanded={naming ? 'true' : 'false'}>Save filter</button>}
			{naming && !current && (
				<form class="save-filter" onSubmit={save}>
					<label for={sid + '-name'}>Name of this filter</label>
					<input id={sid + '-name'} value={name} maxLength={100} required onInput={(e) => setName(e.currentTarget.value)}
						aria-describedby={error ? sid + '-err' : undefined} />
					<button type="submit" class="btn btn-primary btn-small" disabled={busy || !name.trim()}>Save</button>
					{error && <p class="field-error" id={sid + '-err'} role="alert">{error.fields?.name || error.fields?.query || error.message}</p>}
				</form>
			)}
		</div>
	);
}
