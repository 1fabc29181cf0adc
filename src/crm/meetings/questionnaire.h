/*
 * questionnaire.h — the live questionnaires of eSales meetings (the seed's
 * buying-criteria poll): reusable templates that a host launches during a
 * meeting, whose answers are kept per participant and matched to the
 * contact.
 *
 * A template (questionnaire_resource, table questionnaires) is a record:
 * managers and admins create, change and retire it; everyone signed in
 * reads it.  Its `questions` is a JSON array, 1 to QUESTIONNAIRE_MAX
 * questions, each an object:
 *
 *   key       a-z, 0-9 and _, 1 to 64, unique in the questionnaire
 *   text      the question, 1 to 500 characters (one line)
 *   kind      single    one of `options`
 *             multiple  any of `options` (at least `min_choices`, at most
 *                       `max_choices` when given)
 *             rating    an integer from `min` to `max` (0 ≤ min < max ≤ 10),
 *                       with optional words for the ends: `min_label`,
 *                       `max_label` (importance scales: 1 = not important)
 *             ranking   every one of `options`, in the participant's order
 *                       (the seller's differentials, ranked)
 *             text      free text, up to 2000 characters
 *   options   single, multiple, ranking: 2 to 20 distinct texts of 1 to 200
 *             characters; no other kind takes them
 *   required  true or false (default false)
 *
 * Every problem is reported at once, named by its place:
 * "questions[2].options", "questions[0].key".  A retired template
 * (active: false) stays readable for the meetings that used it.
 */
#ifndef FUNNEL_QUESTIONNAIRE_H
#define FUNNEL_QUESTIONNAIRE_H

#include <jansson.h>

#include "core/err.h"

#define QUESTIONNAIRE_MAX 30       /* questions in one questionnaire */
#define QUESTIONNAIRE_OPTIONS 20   /* options of one question */
#define QUESTIONNAIRE_TEXT_MAX 2000 /* characters of a free-text answer */

/* The kinds of question, NULL-terminated: single multiple rating ranking text. */
extern const char *const questionnaire_kinds[];

/* Check `questions` (the JSON array above), reporting each problem on `e`
 * under "<field>[i].<member>".  E_INVAL when there is any, else OK. */
int questionnaire_check(json_t *questions, const char *field, struct err *e);

/* Check one participant's `answer` to `question` (one element of a checked
 * `questions`): single → one of the options (a string); multiple → an array
 * of distinct options within min_choices..max_choices; rating → an integer
 * in min..max; ranking → every option exactly once, in order; text → a
 * string of at most QUESTIONNAIRE_TEXT_MAX characters.  null is no answer:
 * refused for a required question.  Problems go on `e` under `where`. */
int questionnaire_check_answer(json_t *question, json_t *answer, const char *where,
			       struct err *e);

#endif
