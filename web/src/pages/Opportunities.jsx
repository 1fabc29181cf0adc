// Opportunities as a list (search, filters, sort, keyset pages, saved filters); a row
// opens the opportunity page (Opportunity.jsx).
import { Page } from '../components/ui.jsx';
import { RecordList } from '../components/RecordList.jsx';
import { opportunityColumns } from '../components/columns.jsx';
import { stageNames, useLookup } from '../components/lookups.jsx';

export function Opportunities() {
	const stages = useLookup(stageNames);
	return (
		<Page title="Opportunities" wide>
			<RecordList resource="opportunities" singular="opportunity" columns={opportunityColumns(stages)} defaultSort="close_date"
				labels={{ probability: 'Probability %', close_date: 'Close date' }} />
		</Page>
	);
}
