import { Page } from '../components/ui.jsx';
import { Link } from '../router.jsx';

export function NotFound() {
	return (
		<Page title="Not found">
			<p>There is no such page. <Link href="/board">Back to the board</Link>.</p>
		</Page>
	);
}
