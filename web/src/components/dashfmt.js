// Formatting and periods for the manager dashboard.  Figures arrive computed by
// the server's reports; nothing here adds amounts up.
import { money } from '../format.js';

export function pct(x, digits = 0) {
	if (x === null || x === undefined)
		return '—';
	return (x * 100).toFixed(digits) + '%';
}

export function num(x, digits = 0) {
	if (x === null || x === undefined)
		return '—';
	return Number(x).toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function days(x) {
	if (x === null || x === undefined)
		return '—';
	return num(x, x < 10 ? 1 : 0) + ' d';
}

export const cmoney = (amount, currency) => money(amount, currency, { compact: true });

// --- periods: "2026-Q4" or "2026-11" ------------------------------------------

export function periodOf(date, kind) {
	const y = date.getFullYear(), m = date.getMonth();
	return kind === 'month' ? y + '-' + String(m + 1).padStart(2, '0') : y + '-Q' + (Math.floor(m / 3) + 1);
}

export function periodKind(p) {
	return /^\d{4}-Q[1-4]$/.test(p) ? 'quarter' : /^\d{4}-(0[1-9]|1[0-2])$/.test(p) ? 'month' : null;
}

// First and last day, as YYYY-MM-DD.
export function periodBounds(p) {
	const y = +p.slice(0, 4);
	let m0, m1;
	if (periodKind(p) === 'quarter') {
		m0 = (+p.slice(6) - 1) * 3;
		m1 = m0 + 2;
	} else {
		m0 = m1 = +p.slice(5) - 1;
	}
	const last = new Date(Date.UTC(y, m1 + 1, 0)).getUTCDate();
	const pad = (n) => String(n).padStart(2, '0');
	return { from: y + '-' + pad(m0 + 1) + '-01', to: y + '-' + pad(m1 + 1) + '-' + pad(last) };
}

// The periods offered: from `back` before the current one to `ahead` after it, newest first.
export function periodChoices(kind, now = new Date(), back = kind === 'month' ? 11 : 5, ahead = 1) {
	const out = [];
	const step = kind === 'month' ? 1 : 3;
	for (let i = ahead; i >= -back; i--) {
		const d = new Date(now.getFullYear(), now.getMonth() + i * step, 1);
		out.push(periodOf(d, kind));
	}
	return out;
}

export function periodLabel(p) {
	if (periodKind(p) === 'quarter')
		return p.slice(5) + ' ' + p.slice(0, 4);
	const d = new Date(Date.UTC(+p.slice(0, 4), +p.slice(5) - 1, 1));
	return d.toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}
