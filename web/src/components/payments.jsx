// A won deal's money (docs/api.md, src/crm/process/payment.h): GET /opportunities/{id}/payments
// — status, to pay, paid, outstanding, the schedule and the payments — with the
// schedule's editor (PUT …/installments, which replaces it whole) and "Record a
// payment" (POST …/payments).  The server's rules, checked here as it checks them so
// the form says so while typing, and by the server, whose answer is what counts:
// each installment a date and an amount above zero with no more decimals than the
// currency has; together at most the deal's amount (less is allowed: only that much
// is to be collected).
import { useState } from 'preact/hooks';
import { get, post, put } from '../api.js';
import { date, label, money, today } from '../format.js';
import { Badge, ErrorBox, Field, Loading, toast, useAsync } from './ui.jsx';

const METHODS = ['bank_transfer', 'card', 'cash', 'cheque', 'direct_debit', 'other'];

// decimals of a currency (EUR 2, JPY 0), as Intl knows them — the server's table is ISO 4217 too
export function digitsOf(currency) {
	try {
		return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
	} catch (e) {
		return 2;
	}
}

// "1234.5" → 123450 minor units (digits 2); a reason when it is not an amount the server takes
export function toMinor(text, digits) {
	const s = String(text).trim();
	const m = /^(\d+)(?:\.(\d*))?$/.exec(s);
	if (!m)
		return { why: s ? 'must be a number like 1250.00' : 'is required' };
	const frac = m[2] || '';
	if (frac.replace(/0+$/, '').length > digits)
		return { why: 'has more decimals than the currency allows' };
	const minor = Number(m[1]) * 10 ** digits + Number((frac + '0'.repeat(digits)).slice(0, digits) || 0);
	if (!Number.isSafeInteger(minor))
		return { why: 'is too large' };
	if (minor <= 0)
		return { why: 'must be more than zero' };
	return { minor };
}

const fromMinor = (n, digits) => n / 10 ** digits;

// The live check of a schedule: per row problems, total and what it leaves.
export function checkSchedule(rows, amount, currency) {
	const digits = digitsOf(currency);
	const limit = Math.round(amount * 10 ** digits);
	let total = 0;
	const rowErr = rows.map((r) => {
		const e = {};
		if (!/^\d{4}-\d{2}-\d{2}$/.test(r.due_date))
			e.due_date = 'must be a date';
		const v = toMinor(r.amount, digits);
		if (v.why)
			e.amount = v.why;
		else
			total += v.minor;
		return e;
	});
	const ok = rowErr.every((e) => !e.due_date && !e.amount) && total <= limit;
	return { rowErr, total: fromMinor(total, digits), over: total > limit, left: fromMinor(Math.max(0, limit - total), digits), ok };
}

export function Payments({ opp, tick, onChanged }) {
	const st = useAsync(() => get('/opportunities/' + opp.id + '/payments'), [opp.id, tick]);
	const [form, setForm] = useState(null);
	const [editing, setEditing] = useState(false);
	const data = st.data;
	const done = (msg) => {
		toast(msg);
		st.reload();
		onChanged();
	};
	return (
		<section class="panel" aria-labelledby="pay-h">
			<h2 id="pay-h">Payments</h2>
			<ErrorBox error={st.error} onRetry={st.reload} />
			{!data && !st.error && <Loading />}
			{data && (
				<>
					<dl class="fields compact">
						<dt>Status</dt><dd><Badge kind={data.status === 'paid' ? 'ok' : data.status === 'overdue' ? 'danger' : undefined}>{label(data.status)}</Badge></dd>
						<dt>To pay</dt><dd>{money(data.to_pay, data.currency)}{data.scheduled !== null ? ' (schedule)' : ''}</dd>
						<dt>Paid</dt><dd>{money(data.paid, data.currency)}</dd>
						<dt>Outstanding</dt><dd>{money(data.outstanding, data.currency)}</dd>
					</dl>
					{data.installments.length > 0 && !editing && (
						<div class="table-wrap"><table class="schedule">
							<caption class="visually-hidden">Payment schedule</caption>
							<thead><tr><th>Due</th><th class="num">Amount</th><th class="num">Paid</th><th>Status</th></tr></thead>
							<tbody>{data.installments.map((i, n) => (
								<tr key={n}><td>{date(i.due_date)}</td><td class="num">{money(i.amount, data.currency)}</td>
									<td class="num">{money(i.paid, data.currency)}</td><td>{i.status ? label(i.status) : ''}</td></tr>
							))}</tbody>
						</table></div>
					)}
					{data.payments.length > 0 && (
						<ul class="payments">
							{data.payments.map((p, n) => <li key={n}>{date(p.paid_at)}: {money(p.amount, data.currency)}{p.method ? ' · ' + label(p.method) : ''}{p.reference ? ' · ' + p.reference : ''}</li>)}
						</ul>
					)}
					{opp.status !== 'won' && <p class="hint">A payment schedule and payments are for won deals.</p>}
					{opp.status === 'won' && !editing && !form && (
						<div class="form-actions start">
							<button type="button" class="btn btn-small" onClick={() => setEditing(true)}>
								{data.installments.length ? 'Edit the schedule' : 'Set up a payment schedule'}</button>
							{data.outstanding > 0 && (
								<button type="button" class="btn btn-small" onClick={() => setForm({ amount: String(data.outstanding), paid_at: today(), method: '', reference: '' })}>Record a payment</button>
							)}
						</div>
					)}
					{editing && <ScheduleEditor opp={opp} data={data} onCancel={() => setEditing(false)}
						onSaved={(n) => { setEditing(false); done(n ? 'Payment schedule saved: ' + n + ' installment' + (n === 1 ? '' : 's') : 'Payment schedule removed'); }} />}
					{form && <PaymentForm opp={opp} form={form} setForm={setForm} onSaved={(r) => done('Payment recorded' + (r.moved_to ? ': the deal moved to payment collected' : ''))} />}
				</>
			)}
		</section>
	);
}

function PaymentForm({ opp, form, setForm, onSaved }) {
	const submit = async (e) => {
		e.preventDefault();
		setForm({ ...form, busy: true, error: null });
		try {
			const body = { amount: form.amount, paid_at: form.paid_at };
			if (form.method)
				body.method = form.method;
			if (form.reference)
				body.reference = form.reference;
			const r = await post('/opportunities/' + opp.id + '/payments', body);
			setForm(null);
			onSaved(r || {});
		} catch (err) {
			setForm({ ...form, busy: false, error: err });
		}
	};
	const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
	const fe = (k) => form.error && form.error.fields && form.error.fields[k];
	return (
		<form onSubmit={submit} class="pay-form" aria-label="Record a payment">
			{form.error && <p class="alert alert-error" role="alert">{form.error.message}</p>}
			<div class="form-row">
				<Field label="Amount" name="pay-amount" error={fe('amount')}>
					{(id, d) => <input id={id} aria-describedby={d} inputMode="decimal" value={form.amount} onInput={set('amount')} required />}
				</Field>
				<Field label="Paid on" name="pay-date" error={fe('paid_at')}>
					{(id, d) => <input id={id} aria-describedby={d} type="date" value={form.paid_at} max={today()} onInput={set('paid_at')} required />}
				</Field>
			</div>
			<div class="form-row">
				<Field label="Method" name="pay-method" error={fe('method')}>
					{(id, d) => (
						<select id={id} aria-describedby={d} value={form.method} onChange={set('method')}>
							<option value="">—</option>
							{METHODS.map((m) => <option key={m} value={m}>{label(m)}</option>)}
						</select>
					)}
				</Field>
				<Field label="Reference" name="pay-ref" error={fe('reference')}>{(id, d) => <input id={id} aria-describedby={d} value={form.reference} onInput={set('reference')} maxLength={200} />}</Field>
			</div>
			<div class="form-actions">
				<button type="button" class="btn" onClick={() => setForm(null)}>Cancel</button>
				<button type="submit" class="btn btn-primary" disabled={form.busy}>Record payment</button>
			</div>
		</form>
	);
}

let rowKey = 0;

function ScheduleEditor({ opp, data, onCancel, onSaved }) {
	const digits = digitsOf(data.currency);
	const [rows, setRows] = useState(() => data.installments.length
		? data.installments.map((i) => ({ key: ++rowKey, due_date: i.due_date, amount: i.amount.toFixed(digits) }))
		: [{ key: ++rowKey, due_date: plusDays(30), amount: data.amount.toFixed(digits) }]);
	const [err, setErr] = useState(null);
	const [busy, setBusy] = useState(false);
	const check = checkSchedule(rows, data.amount, data.currency);
	const set = (i, k) => (e) => setRows(rows.map((r, n) => (n === i ? { ...r, [k]: e.currentTarget.value } : r)));
	const add = () => {
		const last = rows[rows.length - 1];
		setRows([...rows, { key: ++rowKey, due_date: last ? plusDays(30, last.due_date) : plusDays(30), amount: check.left > 0 ? check.left.toFixed(digits) : '' }]);
	};
	const remove = (i) => setRows(rows.filter((_, n) => n !== i));
	const submit = async (e) => {
		e.preventDefault();
		setBusy(true);
		setErr(null);
		try {
			await put('/opportunities/' + opp.id + '/installments', { installments: rows.map((r) => ({ due_date: r.due_date, amount: r.amount.trim() })) });
			onSaved(rows.length);
		} catch (x) {
			setErr(x);
			setBusy(false);
		}
	};
	// the server names a row's field as installments[2].amount; its total as installments
	const serverErr = (i, k) => err && err.fields && err.fields['installments[' + i + '].' + k];
	return (
		<form class="schedule-editor" onSubmit={submit} aria-label="Payment schedule">
			<h3>Payment schedule</h3>
			<p class="hint">Each installment is due on a date; together they make at most the deal's amount,
				{' '}{money(data.amount, data.currency)} (less: only that much is to be collected). Saving replaces the schedule.</p>
			{err && <p class="alert alert-error" role="alert">{err.message}</p>}
			{rows.length === 0 && <p class="muted">No installments: saving removes the schedule.</p>}
			<ol class="schedule-rows">
				{rows.map((r, i) => {
					const dErr = serverErr(i, 'due_date') || (r.due_date ? null : check.rowErr[i].due_date);
					const aErr = serverErr(i, 'amount') || (r.amount !== '' ? check.rowErr[i].amount : null);
					return (
						<li key={r.key} class="schedule-row">
							<Field label={'Installment ' + (i + 1) + ' due'} name={'inst-' + i + '-date'} error={dErr}>
								{(id, d) => <input id={id} aria-describedby={d} type="date" value={r.due_date} onInput={set(i, 'due_date')} required aria-invalid={dErr ? 'true' : undefined} />}
							</Field>
							<Field label={'Installment ' + (i + 1) + ' amount (' + data.currency + ')'} name={'inst-' + i + '-amount'} error={aErr}>
								{(id, d) => <input id={id} aria-describedby={d} inputMode="decimal" value={r.amount} onInput={set(i, 'amount')} required aria-invalid={aErr ? 'true' : undefined} />}
							</Field>
							<button type="button" class="btn btn-small btn-ghost" onClick={() => remove(i)} aria-label={'Remove installment ' + (i + 1)}>Remove</button>
						</li>
					);
				})}
			</ol>
			<p class={'schedule-total' + (check.over ? ' field-error' : '')} role="status">
				Total {money(check.total, data.currency)} of {money(data.amount, data.currency)}
				{check.over ? ': more than the deal\'s amount' : check.left > 0 ? '; ' + money(check.left, data.currency) + ' not scheduled' : ''}
			</p>
			{err && err.fields && err.fields.installments && <p class="field-error">{err.fields.installments}</p>}
			<div class="form-actions">
				<button type="button" class="btn btn-small" onClick={add} disabled={rows.length >= 120}>Add an installment</button>
				<span class="spacer" />
				<button type="button" class="btn" onClick={onCancel}>Cancel</button>
				<button type="submit" class="btn btn-primary" disabled={busy}>Save the schedule</button>
			</div>
		</form>
	);
}

function plusDays(n, from) {
	const d = from && /^\d{4}-\d{2}-\d{2}$/.test(from) ? new Date(from + 'T12:00:00Z') : new Date();
	d.setUTCDate(d.getUTCDate() + n);
	return d.toISOString().slice(0, 10);
}
