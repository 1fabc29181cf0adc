/*
 * principal.h — who is acting, and what they may see.
 *
 * Visibility is decided here, in the domain, never in handlers:
 *   - a rep sees the records they own (and accounts/contacts linked to them);
 *   - a manager sees the records owned by anyone in their team subtree (the
 *     team they belong to and every team below it), their own included;
 *   - an admin sees everything.
 * A record outside what a principal sees answers E_NOTFOUND, exactly as a
 * record that does not exist.
 *
 * principal_load() computes the visible owner set once per request, both as
 * an array (for checks in C) and as JSON text bound to `:owners` in SQL.
 * The system principal (CLI, imports, demo) is an admin with user_id 0 unless
 * the command names a user.
 */
#ifndef FUNNEL_PRINCIPAL_H
#define FUNNEL_PRINCIPAL_H

#include "core/err.h"
#include "store/store.h"

enum role { ROLE_REP, ROLE_MANAGER, ROLE_ADMIN };

struct principal {
	long long user_id;
	enum role role;
	long long team_id;    /* 0: no team */
	char name[128];
	char email[256];
	long long *owners;    /* visible owners; NULL for admins (everyone) */
	int nowners;
	char *owners_json;    /* "[3,7,9]"; NULL for admins */
	/* how the request authenticated */
	int via_cookie;
	long long session_id, token_id;
	char csrf[64];
};

/* Load user `user_id` (who must be active) and compute what they see. */
int principal_load(struct store *st, long long user_id, struct principal *p, struct err *e);
/* The all-seeing principal for the command line. */
void principal_system(struct principal *p);
void principal_release(struct principal *p);
/* dst becomes an independent copy of src (its own owner arrays).  Returns
 * OK or E_INTERNAL (out of memory; dst is then empty). */
int principal_copy(struct principal *dst, const struct principal *src);

int principal_sees_owner(const struct principal *p, long long owner_id);
int principal_is_admin(const struct principal *p);
int principal_is_manager(const struct principal *p); /* manager or admin */

const char *role_name(enum role r);
int role_parse(const char *s, enum role *r);

/* SQL: the ids of team `team_id` and every team below it (one column). */
#define SQL_TEAM_SUBTREE                                                             \
	"WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT t.id FROM teams t JOIN sub " \
	"ON t.parent_id = sub.id) SELECT id FROM sub"

#endif
