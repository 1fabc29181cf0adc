/*
 * user.h — users, teams and quotas (the records are declared in user.c and
 * team.c; this header adds what is not a plain record operation).
 */
#ifndef FUNNEL_USER_H
#define FUNNEL_USER_H

#include "record.h"

extern const struct resource user_resource;
extern const struct resource team_resource;

/* "2026-Q4" or "2026-11"? */
int quota_period_valid(const char *period);
/* Set (or replace) the quota of a user for a period; audited. */
int quota_set(struct store *st, const struct principal *p, long long user_id,
	      const char *period, long long amount, const char *currency, struct err *e);
/* The user's quotas as a JSON array of {period, amount, currency}. */
int quota_list(struct store *st, const struct principal *p, long long user_id, struct jw *w,
	       struct err *e);

/* The id of the team named `name`, creating it (at the top) when missing. */
int team_ensure(struct store *st, const struct principal *p, const char *name, long long *id,
		struct err *e);
/* How many users there are. */
int user_count(struct store *st, long long *n, struct err *e);
/* The id of the user with this e-mail; E_NOTFOUND when none. */
int user_by_email(struct store *st, const char *email, long long *id, struct err *e);

#endif
