/*
 * process.h — the sales process capability: start here.
 *
 * What it promises.  Every deal follows a process map (a pipeline) chosen by
 * its team and channel: ordered stages, each with a win probability, a funnel
 * section, a forecast category, stale limits and exit criteria.  A stage move
 * is checked against the map as strictly as the pipeline says, a manager may
 * override with a reason, and every entry into and exit from a stage is kept
 * (stage_history) — so the funnel and the forecast read what really happened.
 * What a stage asks for can be produced here: documents merged from templates,
 * payment schedules and the payments that close the "payment collected"
 * stage.  Histories from another CRM come in with their original dates.
 *
 * How its files divide the work:
 *
 *   pipeline.h/.c      process maps, exit criteria, the rules of a move and
 *                      of an override (the state diagram is there)
 *   opportunity.h/.c   the deal record: stage, status, probability and stage
 *                      history kept consistent on every write
 *   document.h/.c      templates (template.c, a record type) merged into PDFs
 *   payment.h/.c       schedules, payments, the payment-collected stage
 *   stage_import.h/.c  stage histories imported from elsewhere
 *   field_import.h/.c  histories of amounts, close dates, forecast categories
 *
 * Depends on records/ only.
 */
#ifndef FUNNEL_PROCESS_H
#define FUNNEL_PROCESS_H

#include "document.h"
#include "field_import.h"
#include "opportunity.h"
#include "payment.h"
#include "pipeline.h"
#include "stage_import.h"

#endif
