// Leads: the list (search, filters, sort, keyset pages, saved filters) and a lead's page
// (fields, edit, score and its reasons, qualification answers, activities, convert).
import { useState } from 'preact/hooks';
import { nameOf } from '../api.js';
import { dateTime } from '../format.js';
import { Link } from '../router.jsx';
import { Badge, Page } from '../components/ui.jsx';
import { RecordList } from '../components/RecordList.jsx';
import { RecordPage, Related } from '../components/RecordPage.jsx';
import { ActivityColumns, col, leadStatusKinds, personName } from '../components/columns.jsx';
import { ConvertButton, ConvertResult, canConvert } from '../components/convert.jsx';
import { NewRecord } from '../components/NewRecord.jsx';

export const tierKinds = { A: 'ok', B: 'primary', C: 'warn', D: 'danger' };

export function TierBadge({ lead }) {
	if (!lead.tier)
		return <span class="muted">—</span>;
	return <Badge kind={tierKinds[lead.tier]}><span aria-label={'Tier ' + lead.tier + ', score ' + lead.score}>{lead.tier} · {lead.score}</span></Badge>;
}

const columns = [
	col.link('last_name', 'Name', (r) => '/leads/' + r.id, personName, 'last_name'),
	col.text('company', 'Company'),
	col.text('email', 'E-mail'),
	col.badge('status', 'Status', leadStatusKinds),
	{ key: 'score', label: 'Score', sort: 'score', render: (r) => <TierBadge lead={r} /> },
	col.text('source', 'Source'),
	col.owner(),
	{ key: 'converted_at', label: 'Converted', render: (r) => (r.converted_opportunity_id ? <Link href={'/opportunities/' + r.converted_opportunity_id}>{dateTime(r.converted_at)}</Link> : <span class="muted">—</span>) },
];

export function Leads() {
	return (
		<Page title="Leads" wide actions={<><Link class="btn" href="/inbox">Lead inbox</Link><NewRecord resource="leads" singular="lead" /></>}>
			<RecordList resource="leads" singular="lead" columns={columns} defaultSort="-created_at"
				labels={{ converted_at_set: 'Converted', score: 'Score' }} />
		</Page>
	);
}

export function LeadPage({ id }) {
	const [result, setResult] = useState(null);
	return (
		<RecordPage resource="leads" singular="lead" id={id} listPath="/leads" title={(r) => personName(r) + (r.company ? ' — ' + r.company : '')}
			headerExtra={(rec, r) => (
				<>
					{result && <ConvertResult result={result} />}
					{!result && rec.converted_at && (
						<div class="alert alert-ok" role="status">
							<p>Converted {dateTime(rec.converted_at)} into <Link href={'/accounts/' + rec.converted_account_id}>{nameOf('accounts', rec.converted_account_id)}</Link>,{' '}
								<Link href={'/contacts/' + rec.converted_contact_id}>{nameOf('contacts', rec.converted_contact_id)}</Link> and{' '}
								<Link href={'/opportunities/' + rec.converted_opportunity_id}>the opportunity</Link>.</p>
						</div>
					)}
					{canConvert(rec) && (
						<p class="page-actions">
							<ConvertButton lead={rec} label="Convert to account, contact and opportunity" onDone={(res) => { setResult(res); r.reload(); }} />
						</p>
					)}
				</>
			)}
			fields={['first_name', 'last_name', 'company', 'email', 'phone', 'title', 'source', 'industry', 'territory', 'employees', 'channel', 'status', 'owner_id']}>
			{(rec) => (
				<>
					<ScorePanel lead={rec} />
					{rec.qualification && Object.keys(rec.qualification).length > 0 && (
						<section class="panel" aria-labelledby="qual-h">
							<h2 id="qual-h">Qualification answers</h2>
							<dl class="fields">
								{Object.entries(rec.qualification).map(([k, v]) => [<dt key={k + 't'}>{k.replace(/_/g, ' ')}</dt>, <dd key={k + 'd'}>{String(v)}</dd>])}
							</dl>
						</section>
					)}
					<Related title="Activities" resource="activities" query={{ related_type: 'lead', related_id: rec.id, sort: '-created_at' }}
						empty="No activities on this lead yet." columns={ActivityColumns} />
				</>
			)}
		</RecordPage>
	);
}

// The score, the tier and the reasons (score_factors) as the server computed them.
export function ScorePanel({ lead }) {
	if (lead.score === undefined)
		return null;
	return (
		<section class="panel" aria-labelledby="score-h">
			<h2 id="score-h">Score <TierBadge lead={lead} /></h2>
			<Factors factors={lead.score_factors} />
		</section>
	);
}

export function Factors({ factors }) {
	if (!factors || !factors.length)
		return <p class="muted">No factor stands out for this lead.</p>;
	return (
		<ul class="factors">
			{factors.map((f, i) => (
				<li key={i} class={f.points >= 0 ? 'factor-up' : 'factor-down'}>
					<span class="factor-points">{f.points > 0 ? '+' : ''}{f.points}</span> <span>{f.factor}</span>
				</li>
			))}
		</ul>
	);
}
