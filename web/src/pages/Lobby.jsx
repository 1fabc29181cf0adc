// The lobby at /m/{token}: an invitee's personal link, no Funnel login.  It shows
// the meeting (title, time, host), the consent notice for recording, and waits
// for the host to let them in; then it becomes the room (Room.jsx).  A link that
// is guessed, expired or withdrawn shows only that it is not valid (the server
// answers 404 and nothing more).
import { useEffect, useState } from 'preact/hooks';
import { request } from '../api.js';
import { Room } from './Room.jsx';

function when(iso, tz) {
	if (!iso)
		return '';
	try {
		return new Date(iso).toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'short', timeZone: tz || undefined });
	} catch (e) {
		return iso;
	}
}

export function Lobby({ token }) {
	const [info, setInfo] = useState(null);
	const [err, setErr] = useState(null);
	const [creds, setCreds] = useState(null);
	const [knocking, setKnocking] = useState(false);
	const [note, setNote] = useState('');
	const path = '/join/' + encodeURIComponent(token);

	const join = async () => {
		const r = await request('POST', path, { body: {}, noAuthRedirect: true });
		return { status: r.status === 202 ? 'waiting' : 'admitted', ...r.data };
	};
	const knock = async () => {
		setNote('');
		try {
			const r = await join();
			if (r.status === 'admitted')
				setCreds(r);
			else
				setKnocking(true);
		} catch (e) {
			if (e.status === 404)
				setErr('gone');
			else
				setNote(e.message);
		}
	};
	useEffect(() => {
		request('GET', path, { noAuthRedirect: true }).then((r) => setInfo(r.data), (e) => setErr(e.status === 404 ? 'gone' : e.message));
	}, [token]);
	useEffect(() => {
		if (!knocking || creds)
			return;
		const t = setInterval(knock, 2000);
		return () => clearInterval(t);
	}, [knocking, creds]);

	if (err === 'gone')
		return <main class="lobby"><h1>This meeting link is not valid</h1><p>Ask the person who invited you for a new one.</p></main>;
	if (err)
		return <main class="lobby"><p role="alert">{err}</p></main>;
	if (!info)
		return <main class="lobby"><p role="status">Loading…</p></main>;
	if (creds)
		return <main class="lobby-room"><Room creds={{ ...creds, display: info.invitee.name }} refresh={join} title={info.meeting.title} token={token} /></main>;
	const m = info.meeting;
	const theme = info.lobby || {};
	const colour = (c) => (/^#[0-9a-f]{3,8}$/i.test(c || '') ? c : null);
	const primary = colour(theme.primary_color), accent = colour(theme.accent_color);
	return (
		<main class="lobby" style={primary ? { borderTop: '6px solid ' + primary } : undefined}>
			{theme.logo_attachment_id && <img class="lobby-logo" src={'/api/v1' + path + '/lobby/logo'} alt={theme.name || 'Logo'} />}
			{theme.name && <p class="lobby-theme" style={accent ? { color: accent } : undefined}>{theme.name}</p>}
			{theme.welcome && <p class="lobby-welcome">{theme.welcome}</p>}
			<h1>{m.title}</h1>
			<p class="lobby-when">{when(m.starts_at, m.timezone)}{m.duration_minutes ? ' · ' + m.duration_minutes + ' min' : ''}</p>
			<p class="lobby-host">Host: {m.host}</p>
			<p class="lobby-you">You join as {info.invitee.name} ({info.invitee.role === 'master' ? 'host' : info.invitee.role})</p>
			{theme.deck_attachment_id && <p class="lobby-deck"><a href={'/api/v1' + path + '/lobby/deck'} rel="noreferrer">While you wait: the deck (PDF)</a></p>}
			<section class="lobby-consent" aria-label="Recording">
				<h2>Recording</h2>
				<p>{info.consent}</p>
			</section>
			{note && <p role="alert">{note}</p>}
			{knocking
				? <p role="status">Waiting for the host to let you in…</p>
				: <button class="btn btn-primary" onClick={knock}>{info.status === 'not_open' ? 'The room is not open yet — try again' : 'Join the meeting'}</button>}
		</main>
	);
}
