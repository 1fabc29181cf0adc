// The live room: the feeds of everyone presenting (cameras and shared screens),
// your own camera and screen if you present, the polls to answer (Polls.jsx), and
// — for the meeting's master — the controls: polls to launch, close and show;
// admit from the lobby, make or revoke presenters, mute, remove, lock, end.  Reached by invitees through their link (/m/{token}, Lobby.jsx) and
// by Funnel users at /meetings/:id/room with their session.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post, request } from '../api.js';
import { connectRoom } from '../live.js';
import { Handouts } from '../components/handouts.jsx';
import { HostPolls, ParticipantPolls } from './Polls.jsx';

function Video({ stream, muted, label, kind }) {
	const ref = useRef(null);
	useEffect(() => {
		if (ref.current && ref.current.srcObject !== stream)
			ref.current.srcObject = stream;
	}, [stream]);
	return (
		<figure class={'room-feed room-feed-' + kind}>
			<video ref={ref} autoplay playsinline muted={muted} data-feed-label={label} />
			<figcaption>{label}</figcaption>
		</figure>
	);
}

function Audio({ track }) {
	const ref = useRef(null);
	useEffect(() => {
		if (ref.current)
			ref.current.srcObject = new MediaStream([track]);
	}, [track]);
	return <audio ref={ref} autoplay />;
}

// creds: the answer of POST /api/v1/join/{token} (or /meetings/{id}/join);
// refresh(): asks again (the role may change); token: the invitee's link token
// (their polls and files are reached with it), absent for Funnel users
export function Room({ creds, refresh, title, token }) {
	const [feeds, setFeeds] = useState([]);
	const [status, setStatus] = useState('Connecting to the room…');
	const [mine, setMine] = useState({ camera: false, screen: false });
	const [local, setLocal] = useState(null);
	const [notice, setNotice] = useState('');
	const [presenter, setPresenter] = useState(creds.presenter);
	const [ended, setEnded] = useState(false);
	const live = useRef(null);

	useEffect(() => {
		let conn = null, gone = false;
		connectRoom(creds, {
			feeds: setFeeds,
			status: (s) => setStatus(s === 'left' ? 'You left the room.' : s),
			published: (kind, on) => setMine((m) => ({ ...m, [kind]: on })),
			refused: (kind, reason) => setNotice('Janus refused your ' + kind + ': ' + reason),
		}).then((c) => {
			if (gone)
				return c.close();
			conn = c;
			live.current = c;
			setStatus('');
		}, (e) => setStatus('Cannot reach the room: ' + e.message));
		// the role and the meeting's state, from Funnel
		const t = setInterval(async () => {
			try {
				const r = await refresh();
				if (r && r.status === 'admitted')
					setPresenter(!!r.presenter);
			} catch (e) {
				if (e.status === 404) {
					setEnded(true);
					if (conn)
						conn.close();
				}
			}
		}, 2000);
		return () => {
			gone = true;
			clearInterval(t);
			if (conn)
				conn.close();
		};
	}, [creds.token]);

	const share = async (kind) => {
		setNotice('');
		if (!live.current)
			return;
		if (mine[kind])
			return live.current.stop(kind);
		try {
			await live.current.publish(kind, kind === 'camera' ? setLocal : null);
		} catch (e) {
			setNotice('Could not start your ' + kind + ': ' + e.message);
		}
	};

	if (ended)
		return <section class="room"><h1>{title}</h1><p role="status">The meeting has ended.</p></section>;
	const videos = [], audios = [];
	for (const f of feeds)
		for (const t of f.tracks) {
			if (t.kind === 'video')
				videos.push(<Video key={f.id + t.id} stream={new MediaStream([t])} label={f.display} kind={f.id % 10 === 2 ? 'screen' : 'camera'} />);
			else
				audios.push(<Audio key={f.id + t.id} track={t} />);
		}
	return (
		<section class="room" aria-label="Live meeting">
			<header class="room-head">
				<h1>{title}</h1>
				<span class="room-role">{creds.master ? 'Host' : presenter ? 'Presenter' : 'Attendee'}</span>
			</header>
			{status && <p role="status">{status}</p>}
			{notice && <p class="room-notice" role="alert">{notice}</p>}
			<div class="room-stage" data-testid="stage">
				{videos.length === 0 && <p class="room-empty">No one is presenting yet.</p>}
				{videos}
				{audios}
			</div>
			<div class="room-bar">
				{(presenter || creds.master) && <button class="btn" onClick={() => share('camera')}>{mine.camera ? 'Stop camera' : 'Camera and microphone'}</button>}
				<button class="btn" onClick={() => share('screen')}>{mine.screen ? 'Stop sharing' : 'Share screen'}</button>
			</div>
			{local && mine.camera && <div class="room-self"><Video stream={local} muted label="You" kind="self" /></div>}
			{token && !creds.master && <ParticipantPolls token={token} />}
			{creds.master && <HostPolls meetingId={creds.meeting_id} />}
			{creds.master && <Controls meetingId={creds.meeting_id} />}
			<Handouts meetingId={creds.meeting_id} token={token} />
		</section>
	);
}

// The master's panel: lobby, participants, the room's switches.
function Controls({ meetingId }) {
	const [state, setState] = useState(null);
	const [err, setErr] = useState('');
	const load = async () => {
		try {
			setState((await request('GET', '/meetings/' + meetingId + '/room')).data);
		} catch (e) {
			setErr(e.message);
		}
	};
	useEffect(() => {
		load();
		const t = setInterval(load, 2000);
		return () => clearInterval(t);
	}, [meetingId]);
	const act = async (action, invitee_id) => {
		setErr('');
		try {
			setState(await post('/meetings/' + meetingId + '/room', invitee_id ? { action, invitee_id } : { action }));
		} catch (e) {
			setErr(e.message);
		}
	};
	if (!state)
		return null;
	return (
		<aside class="room-controls" aria-label="Host controls">
			<h2>Participants</h2>
			{err && <p role="alert">{err}</p>}
			<ul class="room-people">
				{state.participants.map((p) => (
					<li key={p.invitee_id} data-invitee={p.invitee_id}>
						<span class="room-person">{p.name} <small>{p.role === 'master' ? 'host' : p.presenter ? 'presenter' : 'attendee'} · {p.status}</small></span>
						{p.role !== 'master' && <span class="room-person-actions">
							{p.status === 'waiting' && <button class="btn btn-primary" onClick={() => act('admit', p.invitee_id)}>Admit</button>}
							{p.status !== 'removed' && (p.presenter
								? <button class="btn" onClick={() => act('attendee', p.invitee_id)}>Revoke presenter</button>
								: <button class="btn" onClick={() => act('presenter', p.invitee_id)}>Make presenter</button>)}
							{p.presenter && <button class="btn" onClick={() => act('mute', p.invitee_id)}>Mute</button>}
							{p.status !== 'removed' && <button class="btn" onClick={() => act('remove', p.invitee_id)}>Remove</button>}
						</span>}
					</li>
				))}
			</ul>
			<div class="room-switches">
				<button class="btn" onClick={() => act(state.admit_all ? 'lobby' : 'admit_all')}>{state.admit_all ? 'Use the lobby' : 'Let everyone straight in'}</button>
				<button class="btn" onClick={() => act(state.locked ? 'unlock' : 'lock')}>{state.locked ? 'Unlock room' : 'Lock room'}</button>
				<button class="btn btn-danger" onClick={() => act('end')}>End meeting</button>
			</div>
		</aside>
	);
}

// /meetings/:id/room for a signed-in user: the master opens the room first.
export function MeetingRoom({ id }) {
	const [creds, setCreds] = useState(null);
	const [err, setErr] = useState('');
	const [waiting, setWaiting] = useState(false);
	const [title, setTitle] = useState('Meeting room');
	useEffect(() => {
		get('/meetings/' + id).then((m) => m && m.title && setTitle(m.title), () => {});
	}, [id]);
	const join = async () => {
		const r = await request('POST', '/meetings/' + id + '/join', { body: {} });
		return { status: r.status === 202 ? 'waiting' : 'admitted', ...r.data };
	};
	const enter = async () => {
		setErr('');
		try {
			const r = await join();
			if (r.status === 'admitted')
				setCreds(r);
			else
				setWaiting(true);
		} catch (e) {
			setErr(e.message);
		}
	};
	const open = async () => {
		setErr('');
		try {
			await post('/meetings/' + id + '/room', { action: 'open' });
			await enter();
		} catch (e) {
			setErr(e.message);
		}
	};
	useEffect(() => {
		enter();
	}, [id]);
	useEffect(() => {
		if (!waiting || creds)
			return;
		const t = setInterval(enter, 2000);
		return () => clearInterval(t);
	}, [waiting, creds]);
	if (creds)
		return <Room creds={creds} refresh={join} title={title} />;
	return (
		<section class="page">
			<h1>{title}</h1>
			{err && <p role="alert">{err}</p>}
			{waiting && <p role="status">Waiting for the host to let you in…</p>}
			<button class="btn btn-primary" onClick={open}>Open the room</button>{' '}
			<button class="btn" onClick={enter}>Join</button>
			<p><a href={'/meetings/' + id + '/report'}>Participant report</a> · <a href={'/api/v1/meetings/' + id + '/attendance'}>Attendance (JSON)</a></p>
		</section>
	);
}

