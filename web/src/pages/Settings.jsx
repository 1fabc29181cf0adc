// The signed-in user's own settings: for now their private calendar feed
// (docs/calendar-vcard.md).  The feed's URL is shown once, when it is made —
// the server keeps only its hash — so the page offers to copy it then, and to
// make a new one (which retires the old) or revoke it later.
import { useState } from 'preact/hooks';
import { del, get, post } from '../api.js';
import { dateTime } from '../format.js';
import { useSession } from '../session.js';
import { ErrorBox, Loading, Page, toast, useAsync } from '../components/ui.jsx';

export function Settings() {
	const { user } = useSession();
	const feed = useAsync(() => get('/me/calendar_feed'), []);
	const [url, setUrl] = useState(null);
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState(null);

	const act = async (fn) => {
		setBusy(true);
		setError(null);
		try {
			await fn();
		} catch (e) {
			setError(e);
		} finally {
			setBusy(false);
		}
	};
	const make = () => act(async () => {
		const r = await post('/me/calendar_feed');
		setUrl(r.url);
		feed.reload();
	});
	const revoke = () => act(async () => {
		if (!confirm('Revoke the calendar feed? Calendars subscribed to it stop updating.'))
			return;
		await del('/me/calendar_feed');
		setUrl(null);
		feed.reload();
		toast('Calendar feed revoked');
	});
	const copy = async () => {
		try {
			await navigator.clipboard.writeText(url);
			toast('Feed URL copied');
		} catch (e) {
			toast('Select the URL and copy it', 'error');
		}
	};

	const f = feed.data;
	return (
		<Page title="Settings">
			<p class="muted">Signed in as {user.name} ({user.email}), {user.role}.</p>
			<section class="panel" aria-labelledby="feed-title">
				<h2 id="feed-title">Calendar feed</h2>
				<p>Your activities with a due date and your meetings, in any calendar program that subscribes to a URL (Apple Calendar, Outlook, Thunderbird, Google Calendar “From URL”). It shows what you see in Funnel, as of each refresh.</p>
				<ErrorBox error={feed.error || error} onRetry={feed.error ? feed.reload : null} />
				{feed.loading && !f && <Loading what="the feed" />}
				{url && (
					<div class="feed-url">
						<label for="feed-url">Your private feed URL — copy it now: it is shown only this once</label>
						<div class="feed-url-row">
							<input id="feed-url" type="text" readonly value={url} onFocus={(e) => e.target.select()} />
							<button type="button" class="btn" onClick={copy}>Copy</button>
						</div>
						<p class="muted">Anyone with this URL reads your calendar: keep it to yourself.</p>
					</div>
				)}
				{f && (
					<p data-feed={f.active ? 'active' : 'none'}>
						{f.active
							? <>A feed is active ({f.prefix}…), made {dateTime(f.created_at)}; {f.last_polled_at ? 'last read by a calendar ' + dateTime(f.last_polled_at) : 'not read by a calendar yet'}.</>
							: 'You have no calendar feed.'}
					</p>
				)}
				{f && (
					<div class="actions">
						<button type="button" class="btn btn-primary" disabled={busy} onClick={make}>
							{f.active ? 'Make a new URL' : 'Make my feed URL'}
						</button>
						{f.active && <button type="button" class="btn btn-danger" disabled={busy} onClick={revoke}>Revoke</button>}
					</div>
				)}
				{f && f.active && !url && <p class="muted">A new URL replaces the old one, which stops working.</p>}
			</section>
		</Page>
	);
}
