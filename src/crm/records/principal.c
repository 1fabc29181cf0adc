#include "principal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static const char *const role_names[] = {"rep", "manager", "admin"};

const char *role_name(enum role r)
{
	return role_names[r];
}

int role_parse(const char *s, enum role *r)
{
	int i;

	for (i = 0; i < 3; i++)
		if (s && !strcmp(s, role_names[i])) {
			*r = (enum role)i;
			return 0;
		}
	return -1;
}

void principal_system(struct principal *p)
{
	memset(p, 0, sizeof(*p));
	p->role = ROLE_ADMIN;
	snprintf(p->name, sizeof(p->name), "system");
}

void principal_release(struct principal *p)
{
	free(p->owners);
	free(p->owners_json);
	p->owners = NULL;
	p->owners_json = NULL;
	p->nowners = 0;
}

int principal_copy(struct principal *dst, const struct principal *src)
{
	*dst = *src;
	dst->owners = NULL;
	dst->owners_json = NULL;
	if (src->owners) {
		dst->owners = malloc(sizeof(*dst->owners) * (size_t)(src->nowners ? src->nowners : 1));
		if (!dst->owners)
			goto fail;
		memcpy(dst->owners, src->owners, sizeof(*dst->owners) * (size_t)src->nowners);
	}
	if (src->owners_json && !(dst->owners_json = strdup(src->owners_json)))
		goto fail;
	return OK;
fail:
	principal_release(dst);
	return E_INTERNAL;
}

static int add_owner(struct principal *p, long long id, int *cap)
{
	if (p->nowners == *cap) {
		long long *n;

		*cap = *cap ? *cap * 2 : 16;
		n = realloc(p->owners, (size_t)*cap * sizeof(*n));
		if (!n)
			return -1;
		p->owners = n;
	}
	p->owners[p->nowners++] = id;
	return 0;
}

int principal_load(struct store *st, long long user_id, struct principal *p, struct err *e)
{
	struct stmt *s;
	struct buf j = BUF_INIT;
	int rc, cap = 0, i;

	memset(p, 0, sizeof(*p));
	s = store_prepare(st,
			  "SELECT role, coalesce(team_id, 0), name, email FROM users "
			  "WHERE id = ? AND active = 1",
			  e);
	if (!s)
		return E_INTERNAL;
	stmt_bind_int(s, 1, user_id);
	rc = stmt_step(s, e);
	if (rc)
		goto fail;
	if (!stmt_row(s)) {
		rc = fail(e, E_AUTH, "the user is unknown or disabled");
		goto fail;
	}
	p->user_id = user_id;
	role_parse(stmt_text(s, 0), &p->role);
	p->team_id = stmt_int(s, 1);
	snprintf(p->name, sizeof(p->name), "%s", stmt_text(s, 2));
	snprintf(p->email, sizeof(p->email), "%s", stmt_text(s, 3));
	stmt_done(s);
	s = NULL;
	if (p->role == ROLE_ADMIN)
		return OK;

	if (add_owner(p, user_id, &cap))
		goto oom;
	if (p->role == ROLE_MANAGER && p->team_id) {
		s = store_prepare(st,
				  "SELECT id FROM users WHERE team_id IN (" SQL_TEAM_SUBTREE
				  ") AND id <> ?2 ORDER BY id",
				  e);
		if (!s)
			return E_INTERNAL;
		stmt_bind_int(s, 1, p->team_id);
		stmt_bind_int(s, 2, user_id);
		while (!(rc = stmt_step(s, e)) && stmt_row(s))
			if (add_owner(p, stmt_int(s, 0), &cap))
				goto oom;
		stmt_done(s);
		s = NULL;
		if (rc)
			goto fail;
	}
	buf_putc(&j, '[');
	for (i = 0; i < p->nowners; i++) {
		if (i)
			buf_putc(&j, ',');
		buf_add_ll(&j, p->owners[i]);
	}
	buf_putc(&j, ']');
	p->owners_json = buf_detach(&j, NULL);
	if (!p->owners_json)
		goto oom;
	return OK;
oom:
	rc = fail(e, E_INTERNAL, "out of memory");
fail:
	stmt_done(s);
	principal_release(p);
	return rc;
}

int principal_sees_owner(const struct principal *p, long long owner_id)
{
	int i;

	if (p->role == ROLE_ADMIN)
		return 1;
	for (i = 0; i < p->nowners; i++)
		if (p->owners[i] == owner_id)
			return 1;
	return 0;
}

int principal_is_admin(const struct principal *p)
{
	return p->role == ROLE_ADMIN;
}

int principal_is_manager(const struct principal *p)
{
	return p->role >= ROLE_MANAGER;
}
