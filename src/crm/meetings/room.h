/*
 * room.h — a meeting's live room on Janus: the lobby, admission, presenter
 * rights, the master's controls (docs/meetings-live.md).
 *
 * States of one participant (an invitee of meetings.h; migration 015's
 * meeting_participants):
 *
 *   (link opened) ──knock──► waiting ──admit──► admitted ──remove──► removed
 *                               │                  ▲  │
 *                               └──── admit_all ───┘  └─ presenter on/off
 *
 * The master and the meeting's presenters are admitted when the room opens.
 * "Admitted" is what lets room_join() hand out Janus credentials: the Janus
 * URL, the room, the participant's signed token (janus.h) and role.  A
 * presenter's token is in the room's `allowed` list, so Janus lets them
 * publish; taking the role back removes it and kicks their feeds, and Janus
 * refuses the next publisher join (room_presenter()).  Removing someone
 * also kicks them and refuses them credentials from then on.  Locking the
 * room refuses credentials to anyone not yet admitted.
 *
 * The room itself:
 *
 *   scheduled|open ──room_open──► live (Janus room created, meetings.janus_room)
 *   live ──room_end──► ended (Janus room destroyed)
 *
 * Who may do what: the master (meetings.master_id) and admins control the
 * room; an invitee acts only on themselves, through their join link token
 * (the clear token of /m/{token}, stored hashed by meetings.h) or, for a
 * Funnel user, their session.  A guessed, expired or removed link answers
 * E_NOTFOUND, exactly like one that never existed.
 */
#ifndef FUNNEL_ROOM_H
#define FUNNEL_ROOM_H

#include "core/err.h"
#include "core/json.h"
#include "crm/records/principal.h"
#include "store/store.h"

/* The invitee behind the clear link token `token`, if the link is valid
 * (known and not expired): *invitee and *meeting.  E_NOTFOUND otherwise. */
int room_invitee_by_link(struct store *st, const char *token, long long *invitee,
			 long long *meeting, struct err *e);

/* The invitee row of Funnel user `p` in meeting `meeting` (E_NOTFOUND if
 * they are not invited and may not see it). */
int room_invitee_of_user(struct store *st, const struct principal *p, long long meeting,
			 long long *invitee, struct err *e);

/* What the lobby shows the invitee: the meeting (title, start, duration,
 * host, state), the invitee (name, role), the lobby theme, the recording
 * consent notice, and where they stand: "waiting", "admitted", "removed",
 * "locked", "not_open" (no room yet) or "ended"; with presenter true/false. */
int room_lobby_json(struct store *st, long long invitee, struct jw *w, struct err *e);

/* Ask to come in (idempotent): records the knock and, when the room admits
 * everyone, admits.  Then, when admitted, writes the credentials into w
 * ({"janus_url", "room", "token" (Janus's core), "room_token" (for the
 * VideoRoom's join), "expires_at", "role", "presenter",
 * "feed_ids": {"camera", "screen"}, "display"}) and sets *admitted.
 * E_CONFLICT "the room is not open yet" / "locked"; E_NOTFOUND when removed
 * or the meeting ended. */
int room_join(struct store *st, long long invitee, int *admitted, struct jw *w,
	      struct err *e);

/* May p control meeting `meeting`'s room (its master, or an admin)?
 * E_NOTFOUND when p may not see it, E_FORBIDDEN when p only sees it. */
int room_controls(struct store *st, const struct principal *p, long long meeting,
		  struct err *e);

/* The master's controls; each checks `p` may control meeting `meeting`. */
int room_open(struct store *st, const struct principal *p, long long meeting, struct err *e);
int room_end(struct store *st, const struct principal *p, long long meeting, struct err *e);
int room_admit(struct store *st, const struct principal *p, long long meeting,
	       long long invitee, struct err *e);
int room_admit_all(struct store *st, const struct principal *p, long long meeting, int on,
		   struct err *e);
int room_lock(struct store *st, const struct principal *p, long long meeting, int locked,
	      struct err *e);
int room_presenter(struct store *st, const struct principal *p, long long meeting,
		   long long invitee, int on, struct err *e);
int room_mute(struct store *st, const struct principal *p, long long meeting,
	      long long invitee, int feed_kind, const char *mid, int mute, struct err *e);
int room_remove(struct store *st, const struct principal *p, long long meeting,
		long long invitee, struct err *e);
/* The master's view: the room's flags and every invitee with their state. */
int room_state_json(struct store *st, const struct principal *p, long long meeting,
		    struct jw *w, struct err *e);

/* Visibility "as the meeting" for readers (attendance): E_NOTFOUND when p
 * may not see meeting `meeting`. */
int room_meeting_visible(struct store *st, const struct principal *p, long long meeting,
			 struct err *e);

#endif
