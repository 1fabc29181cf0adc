// One-click lead conversion (POST /api/v1/leads/{id}/convert): the lead becomes an
// account, a contact and an opportunity in one step on the server, which reuses an
// account or contact it finds (by e-mail domain, company name, e-mail) — the result
// says which were found and which were created, and links to each.
import { useState } from 'preact/hooks';
import { post, rememberNames } from '../api.js';
import { money, date } from '../format.js';
import { Link } from '../router.jsx';
import { toast } from './ui.jsx';

export function canConvert(lead) {
	return !lead.converted_at && lead.status !== 'disqualified';
}

// The button; onDone(result) gets the server's answer.
export function ConvertButton({ lead, onDone, small, label }) {
	const [busy, setBusy] = useState(false);
	if (!canConvert(lead))
		return null;
	const who = [lead.first_name, lead.last_name].filter(Boolean).join(' ');
	const go = async () => {
		setBusy(true);
		try {
			const res = await post('/leads/' + lead.id + '/convert', {});
			rememberNames('accounts', [res.account]);
			rememberNames('contacts', [res.contact]);
			toast('Converted ' + who);
			onDone(res);
		} catch (err) {
			toast(err.message, 'error');
			setBusy(false);
		}
	};
	return (
		<button type="button" class={'btn btn-primary' + (small ? ' btn-small' : '')} disabled={busy} onClick={go}
			aria-label={(label || 'Convert') + ' ' + who}>
			{busy ? 'Converting…' : label || 'Convert'}
		</button>
	);
}

// What a conversion made: three lines with links.
export function ConvertResult({ result }) {
	const { account, contact, opportunity } = result;
	const name = [contact.first_name, contact.last_name].filter(Boolean).join(' ');
	return (
		<div class="alert alert-ok convert-result" role="status">
			<p><strong>Converted.</strong></p>
			<ul>
				<li>Account <Link href={'/accounts/' + account.id}>{account.name}</Link> — {account.created ? 'created' : 'already there, linked'}</li>
				<li>Contact <Link href={'/contacts/' + contact.id}>{name}</Link> — {contact.created ? 'created' : 'already there, linked'}</li>
				<li>Opportunity <Link href={'/opportunities/' + opportunity.id}>{opportunity.name}</Link> — {money(opportunity.amount, opportunity.currency)}, closing {date(opportunity.close_date)}</li>
			</ul>
		</div>
	);
}
