// The one API client.  Every request of the UI goes through request():
//  - same-origin fetch with the session cookie (credentials: 'same-origin');
//  - the CSRF token on every write, kept in this module's memory only (never
//    web storage): login answers it, GET /api/v1/me answers it again after a reload;
//  - application/problem+json answers become an ApiError whose message is readable
//    and whose fields map names each invalid field;
//  - 401 calls the handler the app registered (back to the login page).

let csrf = null;
let onUnauthorized = () => {};

export function setCsrf(token) {
	csrf = token || null;
}

export function setUnauthorizedHandler(fn) {
	onUnauthorized = fn;
}

export class ApiError extends Error {
	constructor(status, problem) {
		const p = problem || {};
		const errors = Array.isArray(p.errors) ? p.errors : [];
		super(readable(status, p, errors));
		this.name = 'ApiError';
		this.status = status;
		this.title = p.title || '';
		this.detail = p.detail || '';
		this.errors = errors;
		this.fields = {};
		for (const e of errors)
			if (e.field)
				this.fields[e.field] = this.fields[e.field] ? this.fields[e.field] + '; ' + e.message : e.message;
		this.retryAfter = p.retryAfter || null;
	}
}

// "amount: must not be negative; close_date: must be a date" — people read this.
function readable(status, p, errors) {
	if (status === 0)
		return 'The server cannot be reached. Check the connection and try again.';
	if (errors.length && status === 400)
		return errors.map((e) => (e.field ? humanField(e.field) + ' ' : '') + e.message).join('; ');
	if (p.detail)
		return p.detail.charAt(0).toUpperCase() + p.detail.slice(1);
	return p.title || 'The request failed (' + status + ')';
}

export function humanField(name) {
	const s = String(name).replace(/_id$/, '').replace(/_/g, ' ');
	return s.charAt(0).toUpperCase() + s.slice(1);
}

export function query(params) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params || {})) {
		if (v === undefined || v === null || v === '')
			continue;
		q.set(k, Array.isArray(v) ? v.join(',') : String(v));
	}
	const s = q.toString();
	return s ? '?' + s : '';
}

// request(method, path, {query, body | raw + contentType, ifMatch, headers}) → {status, data, etag, headers}
export async function request(method, path, opts = {}) {
	const headers = { Accept: 'application/json, application/problem+json' };
	const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
	if (opts.raw !== undefined) {
		// a file as the body, as it is (uploads): its own type, streamed by the browser
		headers['Content-Type'] = opts.contentType || 'application/octet-stream';
		init.body = opts.raw;
	} else if (opts.body !== undefined) {
		headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(opts.body);
	}
	if (method !== 'GET' && method !== 'HEAD' && csrf)
		headers['X-CSRF-Token'] = csrf;
	if (opts.ifMatch)
		headers['If-Match'] = opts.ifMatch;
	Object.assign(headers, opts.headers || {});
	const url = '/api/v1' + path + query(opts.query);
	let res;
	try {
		res = await fetch(url, init);
	} catch (e) {
		throw new ApiError(0, null);
	}
	const type = res.headers.get('Content-Type') || '';
	let data = null;
	if (res.status !== 204 && /json/.test(type)) {
		try {
			data = await res.json();
		} catch (e) {
			data = null;
		}
	}
	if (!res.ok) {
		const problem = data || { title: res.statusText };
		if (res.status === 429)
			problem.retryAfter = res.headers.get('Retry-After');
		const err = new ApiError(res.status, problem);
		if (res.status === 401 && !opts.noAuthRedirect)
			onUnauthorized(err);
		throw err;
	}
	return { status: res.status, data, etag: res.headers.get('ETag'), headers: res.headers };
}

export const get = async (path, q) => (await request('GET', path, { query: q })).data;
export const post = async (path, body, opts = {}) => (await request('POST', path, { ...opts, body: body || {} })).data;
export const patch = async (path, body, opts = {}) => (await request('PATCH', path, { ...opts, body }));
export const put = async (path, body, opts = {}) => (await request('PUT', path, { ...opts, body })).data;
export const del = async (path, opts = {}) => (await request('DELETE', path, opts)).data;
// A file as the body of a POST (POST /attachments?related_type=…): the File's own
// Content-Type, or application/octet-stream when the browser does not know it.
export const upload = async (path, file, q) =>
	(await request('POST', path, { query: q, raw: file, contentType: file.type || 'application/octet-stream' })).data;

// A fresh Idempotency-Key for one create (POST): the server answers a retry with the
// same key and body with the first answer instead of creating twice (docs/api.md).
// getRandomValues, not randomUUID: the latter needs a secure context.
export function idempotencyKey() {
	const b = new Uint8Array(16);
	crypto.getRandomValues(b);
	return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// GETs of things that rarely change (pipelines), shared by every screen for the life of
// the page; prefetch() starts one early, without sending the user to the login page.
const shared = new Map();
export function cached(path, q) {
	const key = path + query(q);
	if (!shared.has(key)) {
		const p = get(path, q);
		shared.set(key, p);
		p.catch(() => shared.delete(key));
	}
	return shared.get(key);
}

export function prefetch(path, q) {
	const key = path + query(q);
	if (shared.has(key))
		return;
	const p = request('GET', path, { query: q, noAuthRedirect: true }).then((r) => r.data);
	shared.set(key, p);
	p.catch(() => shared.delete(key));
}

export function forgetCached() {
	shared.clear();
}

// Every page of a list (keyset cursor), up to max records.
export async function getAll(path, q = {}, max = 2000) {
	const out = [];
	let cursor = null;
	do {
		const page = await get(path, { ...q, limit: 200, cursor });
		out.push(...page.data);
		cursor = page.next_cursor;
	} while (cursor && out.length < max);
	return out;
}

// --- names by id, cached for the page's life ---------------------------------
// Lists answer ids (owner_id, account_id …); cards and tables show names.  One
// request per 60 unknown ids (?id=1,2,3), never one per record.
const nameCache = { users: new Map(), accounts: new Map(), contacts: new Map(), teams: new Map(), opportunities: new Map() };

export function nameOf(kind, id) {
	if (id === null || id === undefined)
		return '';
	const v = nameCache[kind] && nameCache[kind].get(id);
	return v === undefined ? '#' + id : v;
}

export function rememberNames(kind, records) {
	for (const r of records)
		nameCache[kind].set(r.id, displayName(kind, r));
}

function displayName(kind, r) {
	if (kind === 'contacts')
		return [r.first_name, r.last_name].filter(Boolean).join(' ') || r.email || '#' + r.id;
	return r.name || '#' + r.id;
}

export async function loadNames(kind, ids) {
	const want = [...new Set(ids.filter((id) => id && !nameCache[kind].has(id)))];
	const chunks = [];
	for (let i = 0; i < want.length; i += 60)
		chunks.push(want.slice(i, i + 60));
	await Promise.all(chunks.map(async (chunk) => {
		const page = await get('/' + kind, { id: chunk, limit: 200 });
		rememberNames(kind, page.data);
		for (const id of chunk)
			if (!nameCache[kind].has(id))
				nameCache[kind].set(id, '#' + id); // not visible to this user
	}));
}

export function forgetNames() {
	for (const m of Object.values(nameCache))
		m.clear();
	shared.clear();
}
