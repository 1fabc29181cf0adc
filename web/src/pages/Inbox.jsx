// Lead inbox — placeholder; the screen is built on this scaffold (issue 6).
import { Placeholder } from '../components/ui.jsx';

export function Inbox() {
	return <Placeholder title="Lead inbox" />;
}
