// Files sent in a live meeting (docs/meetings-live.md, "Files to participants"): a
// Funnel user in the room uploads a file onto the meeting's deal and sends it to everyone
// or to one invitee, and sees who downloaded what; a participant who came by their link
// sees the files sent to them and downloads each by that link (recorded).
import { useEffect, useState } from 'preact/hooks';
import { get, post, upload } from '../api.js';

const POLL_MS = 3000;

function usePolled(path, enabled) {
	const [data, setData] = useState(null);
	const [gone, setGone] = useState(false);
	const [tick, setTick] = useState(0);
	useEffect(() => {
		if (!enabled)
			return;
		let live = true;
		const load = () => get(path).then((r) => live && setData(r.data), (e) => live && e.status === 404 && setGone(true));
		load();
		const t = setInterval(load, POLL_MS);
		return () => { live = false; clearInterval(t); };
	}, [path, enabled, tick]);
	return { data, gone, reload: () => setTick((n) => n + 1) };
}

const size = (n) => (n < 1024 ? n + ' B' : n < 1048576 ? Math.round(n / 1024) + ' KB' : (n / 1048576).toFixed(1) + ' MB');

// token: the participant's link token (they came by /m/{token}); else meetingId, as a
// Funnel user
export function Handouts({ meetingId, token }) {
	return token ? <Received link={token} /> : <Send meetingId={meetingId} />;
}

function Received({ link }) {
	const base = '/join/' + encodeURIComponent(link) + '/handouts';
	const { data } = usePolled(base, true);
	if (!data || !data.length)
		return null;
	return (
		<aside class="room-files" aria-label="Files for you">
			<h2>Files for you</h2>
			<ul>
				{data.map((h) => (
					<li key={h.id}><a href={'/api/v1' + base + '/' + h.id} rel="noreferrer" download={h.filename}>{h.filename}</a> <span class="muted">{size(h.size)}</span></li>
				))}
			</ul>
		</aside>
	);
}

function Send({ meetingId }) {
	const { data, gone, reload } = usePolled('/meetings/' + meetingId + '/handouts', !!meetingId);
	const [meeting, setMeeting] = useState(null);
	const [file, setFile] = useState(null);
	const [to, setTo] = useState('');
	const [busy, setBusy] = useState(false);
	const [msg, setMsg] = useState('');
	useEffect(() => {
		get('/meetings/' + meetingId).then(setMeeting, () => {});
	}, [meetingId]);
	if (gone || !meeting)
		return null;
	const names = Object.fromEntries((meeting.invitees || []).map((i) => [i.id, i.name]));
	const send = async (e) => {
		const form = e.currentTarget;
		e.preventDefault();
		if (!file)
			return;
		setBusy(true);
		setMsg('');
		try {
			const a = await upload('/attachments', file, { related_type: 'opportunity', related_id: meeting.opportunity_id, filename: file.name });
			await post('/meetings/' + meetingId + '/handouts', to ? { attachment_id: a.id, invitee_id: Number(to) } : { attachment_id: a.id });
			setMsg('Sent ' + file.name + ' to ' + (to ? names[to] : 'everyone'));
			setFile(null);
			form.reset();
			reload();
		} catch (x) {
			setMsg(x.message);
		} finally {
			setBusy(false);
		}
	};
	return (
		<aside class="room-files" aria-label="Files">
			<h2>Files</h2>
			<form onSubmit={send}>
				<label>File <input type="file" onChange={(e) => setFile(e.currentTarget.files[0] || null)} /></label>
				<label>To <select value={to} onChange={(e) => setTo(e.currentTarget.value)}>
					<option value="">Everyone</option>
					{(meeting.invitees || []).filter((i) => i.role !== 'master').map((i) => <option key={i.id} value={i.id}>{i.name}</option>)}
				</select></label>
				<button class="btn btn-small" type="submit" disabled={busy || !file}>Send the file</button>
			</form>
			{msg && <p role="status">{msg}</p>}
			{data && data.length > 0 && (
				<ul>
					{data.map((h) => (
						<li key={h.id} data-handout={h.id}>{h.filename} → {h.invitee_id ? names[h.invitee_id] || 'someone' : 'everyone'}
							<span class="muted"> · {h.downloads.length ? 'taken by ' + h.downloads.map((d) => d.name).join(', ') : 'not taken yet'}</span></li>
					))}
				</ul>
			)}
		</aside>
	);
}
