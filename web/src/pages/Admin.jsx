// Admin — placeholder; the screen is built on this scaffold (issue 6).
import { Placeholder } from '../components/ui.jsx';

export function Admin() {
	return <Placeholder title="Admin" />;
}
