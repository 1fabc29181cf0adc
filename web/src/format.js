// Formatting for people: money, dates, instants.  Amounts arrive as JSON numbers with
// exactly the currency's decimals; they are shown, never summed here as floats
// (totals come from the server's reports).

const moneyFmt = new Map();

export function money(amount, currency = 'EUR', { compact = false } = {}) {
	if (amount === null || amount === undefined || amount === '')
		return '—';
	const key = currency + (compact ? ':c' : '');
	if (!moneyFmt.has(key)) {
		try {
			moneyFmt.set(key, new Intl.NumberFormat('en', compact
				? { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }
				: { style: 'currency', currency }));
		} catch (e) {
			moneyFmt.set(key, { format: (n) => n + ' ' + currency });
		}
	}
	return moneyFmt.get(key).format(Number(amount));
}

export function date(iso) {
	if (!iso)
		return '—';
	const d = new Date(iso.length === 10 ? iso + 'T00:00:00Z' : iso);
	if (isNaN(d))
		return iso;
	return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

export function dateTime(iso) {
	if (!iso)
		return '—';
	const d = new Date(iso);
	if (isNaN(d))
		return iso;
	return d.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

// today as YYYY-MM-DD in the browser's zone
export function today() {
	const d = new Date();
	return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');
}

// <input type="datetime-local"> value ↔ RFC 3339 with the browser's offset
export function localInputToIso(v) {
	if (!v)
		return null;
	return new Date(v).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function isoToLocalInput(iso) {
	const d = iso ? new Date(iso) : new Date();
	const pad = (n) => String(n).padStart(2, '0');
	return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes());
}

export function plural(n, one, many) {
	return n + ' ' + (n === 1 ? one : many || one + 's');
}

export function label(key) {
	if (!key)
		return '';
	const s = String(key).replace(/_/g, ' ');
	return s.charAt(0).toUpperCase() + s.slice(1);
}
