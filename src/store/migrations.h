/*
 * migrations.h — the schema, as numbered SQL files in src/store/migrations/
 * (NNN_name.sql), compiled into the binary by scripts/embed-sql.sh.  A
 * migration is never edited once released: change the schema with a new file.
 */
#ifndef FUNNEL_MIGRATIONS_H
#define FUNNEL_MIGRATIONS_H

struct migration {
	int version;
	const char *name;
	const char *sql;
	const char *sql_pg; /* NNN_name.pg.sql, or NULL: `sql` is portable */
};

extern const struct migration migrations[];
extern const int migrations_count;

#endif
