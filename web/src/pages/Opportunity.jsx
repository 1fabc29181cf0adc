import { Placeholder } from '../components/ui.jsx';

export function Opportunity({ id }) {
	return <Placeholder title={'Opportunity ' + id} />;
}
