// The live room's media, over Meetecho's janus.js (npm janus-gateway, pinned to
// the 1.1 series of the server; docs/meetings-live.md).  One Janus session per
// participant with:
//   - a watcher handle that lists the room's publishers every second
//     (listparticipants), so attendees, who may not join as publishers, still
//     find the feeds;
//   - one subscriber handle per remote feed (camera or screen of a presenter);
//   - for presenters, a camera publisher (id feed_ids.camera) and a screen
//     publisher (id feed_ids.screen, getDisplayMedia), each its own handle.
// Janus decides who may publish (the room's allowed list holds presenters'
// tokens): an attendee's or a revoked presenter's publisher join is refused
// by Janus, and that refusal is what the page shows.
import Janus from 'janus-gateway';
import adapter from 'webrtc-adapter';

let ready = null;
function init() {
	if (!ready)
		ready = new Promise((resolve) => Janus.init({
			debug: false,
			dependencies: Janus.useDefaultDependencies({ adapter }),
			callback: resolve,
		}));
	return ready;
}

const PLUGIN = 'janus.plugin.videoroom';

// creds: POST /api/v1/join/{token} → {janus_url, room, token, invitee_id, feed_ids, ...}
// on: {feeds(list), status(text), published(kind, on), refused(kind, reason)}
export async function connectRoom(creds, on) {
	await init();
	const room = creds.room;
	const feeds = new Map();        // feed id → {handle, tracks: Map(mid → track), display}
	const mine = new Set([creds.feed_ids.camera, creds.feed_ids.screen]);
	const publishers = {};          // 'camera' | 'screen' → handle
	let session, watcher, timer, closed = false;
	const changed = () => on.feeds([...feeds.entries()].map(([id, f]) => ({ id, display: f.display, tracks: [...f.tracks.values()], handle: f.handle })));

	await new Promise((resolve, reject) => {
		session = new Janus({
			server: creds.janus_url,
			token: creds.token,
			success: resolve,
			error: (e) => (closed ? null : reject(new Error(String(e)))),
			destroyed: () => on.status('left'),
		});
	});
	const attach = (opts) => new Promise((resolve, reject) => session.attach({
		plugin: PLUGIN,
		opaqueId: 'funnel-' + creds.invitee_id,
		token: creds.token,
		success: resolve,
		error: (e) => reject(new Error(String(e))),
		...opts,
	}));

	watcher = await attach({});
	const list = () => watcher.send({
		message: { request: 'listparticipants', room },
		success: (res) => {
			if (closed || !res || !res.participants)
				return;
			const live = new Set(res.participants.filter((p) => p.publisher && !mine.has(p.id)).map((p) => p.id));
			for (const p of res.participants)
				if (live.has(p.id) && !feeds.has(p.id))
					subscribe(p.id, p.display || '');
			for (const id of [...feeds.keys()])
				if (!live.has(id)) {
					feeds.get(id).handle.detach();
					feeds.delete(id);
					changed();
				}
		},
	});
	list();
	timer = setInterval(list, 1000);

	async function subscribe(id, display) {
		const f = { handle: null, tracks: new Map(), display };
		feeds.set(id, f);
		const h = await attach({
			onmessage: (msg, jsep) => {
				if (jsep)
					h.createAnswer({
						jsep,
						tracks: [{ type: 'data' }],
						success: (answer) => h.send({ message: { request: 'start', room }, jsep: answer }),
						error: () => on.status('could not receive feed ' + id),
					});
			},
			onremotetrack: (track, mid, added) => {
				if (added)
					f.tracks.set(mid, track);
				else
					f.tracks.delete(mid);
				changed();
			},
		});
		f.handle = h;
		h.send({ message: { request: 'join', room, ptype: 'subscriber', streams: [{ feed: id }], token: creds.room_token } });
		changed();
	}

	// Publish the camera or the screen.  Resolves true when Janus accepted
	// the publisher, false (with on.refused) when it refused.
	async function publish(kind, localVideo) {
		if (publishers[kind])
			return true;
		let resolveJoin;
		const joined = new Promise((res) => { resolveJoin = res; });
		const h = await attach({
			onmessage: (msg, jsep) => {
				if (msg.videoroom === 'joined')
					resolveJoin({ ok: true });
				else if (msg.error)
					resolveJoin({ ok: false, reason: msg.error });
				else if (msg.leaving === 'ok' || msg.reason === 'kicked' || msg.videoroom === 'destroyed') {
					stop(kind);
					on.refused(kind, 'the host took the presenter role back');
				}
				if (jsep)
					h.handleRemoteJsep({ jsep });
			},
			onlocaltrack: (track, added) => {
				if (localVideo && track.kind === 'video' && added)
					localVideo(new MediaStream([track]));
			},
			oncleanup: () => {
				if (publishers[kind] === h) {
					delete publishers[kind];
					on.published(kind, false);
				}
			},
		});
		h.send({ message: { request: 'join', room, ptype: 'publisher', id: creds.feed_ids[kind], display: creds.display || String(creds.invitee_id) + (kind === 'screen' ? ' (screen)' : ''), token: creds.room_token } });
		const r = await joined;
		if (!r.ok) {
			h.detach();
			on.refused(kind, r.reason);
			return false;
		}
		publishers[kind] = h;
		const tracks = kind === 'screen'
			? [{ type: 'screen', capture: true, recv: false }]
			: [{ type: 'audio', capture: true, recv: false }, { type: 'video', capture: true, recv: false }];
		await new Promise((res, rej) => h.createOffer({
			tracks,
			success: (jsep) => {
				h.send({ message: { request: 'configure', audio: kind !== 'screen', video: true }, jsep });
				res();
			},
			error: (e) => rej(new Error(e && e.message ? e.message : String(e))),
		}));
		on.published(kind, true);
		return true;
	}

	function stop(kind) {
		const h = publishers[kind];
		if (!h)
			return;
		delete publishers[kind];
		h.send({ message: { request: 'leave' } });
		h.hangup();
		h.detach();
		on.published(kind, false);
	}

	function close() {
		closed = true;
		clearInterval(timer);
		try {
			session.destroy({ cleanupHandles: true });
		} catch (e) {
			/* gone already */
		}
	}

	return { publish, stop, close, feeds };
}
