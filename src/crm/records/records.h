/*
 * records.h — the records capability: start here.
 *
 * What it promises.  Every record of the CRM (account, contact, lead,
 * opportunity, activity, user, team, the managed lists) is declared once as
 * data — its fields, their types, bounds and flags — and handled by one
 * engine that validates input (every problem at once, unknown fields refused),
 * enforces who may see and change it, writes the audit history and lists with
 * keyset pagination.  A record a principal may not see answers E_NOTFOUND,
 * exactly like one that does not exist.  Nothing above this folder writes a
 * record's SQL by hand when the engine can.
 *
 * How its files divide the work:
 *
 *   record.h/.c      the engine: struct resource (the declaration) and
 *                    record_create/get/update/delete/list, hooks for the
 *                    record types that need behaviour (prepare, after_write)
 *   principal.h/.c   who is acting and which owners they see (rep: own;
 *                    manager: team subtree; admin: all)
 *   auth.h/.c        passwords (argon2id), sessions, API tokens, throttling
 *   idempotency.h/.c retried POSTs answered with their first answer
 *   user.h/.c team.c users and the team hierarchy, quotas
 *   attachment.h/.c  content-addressed files linked to any record
 *   account.c contact.c activity.c lost_reason.c saved_filter.c
 *                    the simple record types: declarations and small hooks
 *   resources.h      every record type of every capability, by name (the
 *                    engine resolves references through them), and the seams
 *                    where one capability's record reaches into another's
 *
 * Folders above this one (process, leads, scoring, insight, forecast,
 * handover) declare their own record types with this engine; this folder
 * includes none of theirs.  The table of all types and the seams' bodies live
 * in ../crm.c, above every capability.
 */
#ifndef FUNNEL_RECORDS_H
#define FUNNEL_RECORDS_H

#include "attachment.h"
#include "auth.h"
#include "idempotency.h"
#include "principal.h"
#include "record.h"
#include "resources.h"
#include "user.h"

#endif
