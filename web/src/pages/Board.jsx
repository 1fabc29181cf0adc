import { Placeholder } from '../components/ui.jsx';

export function Board() {
	return <Placeholder title="Pipeline board" />;
}
