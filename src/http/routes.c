#include "routes.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "crm/records/resources.h"
#include "crm/records/user.h"

#define RECORD_ROUTES(res, base)                                                      \
	{M_GET, "/api/v1/" base, api_record_list, &res, 0},                            \
	{M_POST, "/api/v1/" base, api_record_create, &res, 0},                         \
	{M_GET, "/api/v1/" base "/{id}", api_record_get, &res, 0},                     \
	{M_PATCH, "/api/v1/" base "/{id}", api_record_update, &res, 0},                \
	{M_DELETE, "/api/v1/" base "/{id}", api_record_delete, &res, 0},               \
	{M_GET, "/api/v1/" base "/{id}/history", api_record_history, &res, 0},             \
	{M_GET, "/api/v1/" base ".csv", api_record_export, &res, 0}

const struct route routes[] = {
	{M_GET, "/healthz", api_healthz, NULL, R_PUBLIC},
	{M_GET, "/api/v1/openapi.json", api_openapi, NULL, R_PUBLIC},
	{M_POST, "/api/v1/auth/login", api_login, NULL, R_PUBLIC},
	{M_POST, "/api/v1/auth/logout", api_logout, NULL, 0},
	{M_GET, "/api/v1/me", api_me, NULL, 0},
	{M_GET, "/api/v1/tokens", api_token_list, NULL, 0},
	{M_POST, "/api/v1/tokens", api_token_create, NULL, 0},
	{M_DELETE, "/api/v1/tokens/{id}", api_token_revoke, NULL, 0},
	{M_GET, "/api/v1/me/calendar_feed", api_calendar_feed_get, NULL, 0},
	{M_POST, "/api/v1/me/calendar_feed", api_calendar_feed_create, NULL, 0},
	{M_DELETE, "/api/v1/me/calendar_feed", api_calendar_feed_revoke, NULL, 0},
	{M_GET, "/cal/{token}", api_calendar_feed, NULL, R_PUBLIC},
	RECORD_ROUTES(user_resource, "users"),
	{M_GET, "/api/v1/users/{id}/quotas", api_quota_list, NULL, 0},
	{M_PUT, "/api/v1/users/{id}/quotas/{period}", api_quota_set, NULL, 0},
	RECORD_ROUTES(team_resource, "teams"),
	RECORD_ROUTES(account_resource, "accounts"),
	RECORD_ROUTES(contact_resource, "contacts"),
	{M_GET, "/api/v1/contacts.vcf", api_contact_vcard_list, NULL, 0},
	{M_POST, "/api/v1/contacts.vcf", api_contact_vcard_import, NULL, R_STREAM},
	{M_GET, "/api/v1/contacts/{id}/vcard", api_contact_vcard, NULL, 0},
	RECORD_ROUTES(lead_resource, "leads"),
	RECORD_ROUTES(opportunity_resource, "opportunities"),
	{M_GET, "/api/v1/opportunities/{id}/stages", api_opportunity_stages,
	 &opportunity_resource, 0},
	{M_POST, "/api/v1/opportunities/{id}/move", api_opportunity_move, NULL, 0},
	{M_GET, "/api/v1/pipelines", api_pipeline_list, NULL, 0},
	{M_POST, "/api/v1/pipelines", api_pipeline_create, NULL, 0},
	{M_GET, "/api/v1/pipelines/{id}", api_pipeline_get, NULL, 0},
	{M_PATCH, "/api/v1/pipelines/{id}", api_pipeline_update, NULL, 0},
	{M_DELETE, "/api/v1/pipelines/{id}", api_pipeline_delete, NULL, 0},
	RECORD_ROUTES(lost_reason_resource, "lost_reasons"),
	RECORD_ROUTES(form_resource, "forms"),
	{M_GET, "/api/v1/forms/{id}/embed", api_form_embed, NULL, 0},
	{M_POST, "/api/v1/leads/{id}/convert", api_lead_convert, NULL, 0},
	{M_GET, "/f/{slug}", api_form_page, NULL, R_PUBLIC},
	{M_POST, "/f/{slug}", api_form_submit, NULL, R_PUBLIC},
	RECORD_ROUTES(template_resource, "templates"),
	{M_POST, "/api/v1/opportunities/{id}/documents", api_document_create, NULL, 0},
	{M_PUT, "/api/v1/opportunities/{id}/installments", api_installments_set, NULL, 0},
	{M_GET, "/api/v1/opportunities/{id}/payments", api_payment_list, NULL, 0},
	{M_POST, "/api/v1/opportunities/{id}/payments", api_payment_create, NULL, 0},
	{M_GET, "/api/v1/attachments", api_attachment_list, NULL, 0},
	{M_POST, "/api/v1/attachments", api_attachment_upload, NULL, R_STREAM},
	{M_GET, "/api/v1/attachments/{id}", api_attachment_get, NULL, 0},
	{M_DELETE, "/api/v1/attachments/{id}", api_attachment_delete, NULL, 0},
	{M_GET, "/api/v1/attachments/{id}/content", api_attachment_content, NULL, 0},
	RECORD_ROUTES(activity_resource, "activities"),
	RECORD_ROUTES(saved_filter_resource, "saved_filters"),
	/* reports: funnel (analytics index) */
	{M_GET, "/api/v1/reports/funnel", api_report_funnel, NULL, 0},
	/* forecasts (analytics index) */
	{M_GET, "/api/v1/forecast", api_forecast, NULL, 0},
	/* reports: stale deals, performance */
	{M_GET, "/api/v1/reports/stale", api_report_stale, NULL, 0},
	{M_GET, "/api/v1/reports/performance", api_report_performance, NULL, 0},
	/* forecasting process: submissions, roll-up, accuracy */
	{M_POST, "/api/v1/forecast/submissions", api_forecast_submit, NULL, 0},
	{M_GET, "/api/v1/forecast/submissions", api_forecast_submissions, NULL, 0},
	{M_GET, "/api/v1/forecast/rollup", api_forecast_rollup, NULL, 0},
	{M_GET, "/api/v1/forecast/accuracy", api_forecast_accuracy, NULL, 0},
	{M_GET, "/api/v1/forecast/backtest", api_forecast_backtest, NULL, 0},
	/* handovers */
	{M_GET, "/api/v1/handovers", api_handover_list, NULL, 0},
	{M_POST, "/api/v1/handovers", api_handover_create, NULL, 0},
	{M_GET, "/api/v1/handovers/{id}", api_handover_get, NULL, 0},
	{M_PATCH, "/api/v1/handovers/{id}", api_handover_update, NULL, 0},
	{M_PATCH, "/api/v1/handovers/{id}/items/{item_id}", api_handover_item_update, NULL, 0},
	{M_POST, "/api/v1/handovers/{id}/execute", api_handover_execute, NULL, 0},
	/* lead scoring */
	RECORD_ROUTES(scoring_rule_resource, "scoring/rules"),
	RECORD_ROUTES(questionnaire_resource, "questionnaires"),
	RECORD_ROUTES(webhook_resource, "webhooks"),
	RECORD_ROUTES(meeting_resource, "meetings"),
	{M_GET, "/api/v1/meetings/{id}/lobby", api_meeting_lobby, NULL, 0},
	{M_POST, "/api/v1/imip", api_meeting_imip, NULL, 0},
	{M_GET, "/api/v1/email_log", api_email_log_list, NULL, 0},
	{M_POST, "/api/v1/email_log", api_email_log_post, NULL, 0},
	{M_POST, "/api/v1/meetings/{id}/invitees", api_meeting_invitee_add, NULL, 0},
	{M_PATCH, "/api/v1/meetings/{id}/invitees/{invitee}", api_meeting_invitee_update, NULL, 0},
	{M_DELETE, "/api/v1/meetings/{id}/invitees/{invitee}", api_meeting_invitee_remove, NULL, 0},
	{M_POST, "/api/v1/meetings/{id}/invitations", api_meeting_invite, NULL, 0},
	{M_GET, "/api/v1/rsvp/{token}", api_rsvp_page, NULL, R_PUBLIC},
	{M_POST, "/api/v1/rsvp/{token}", api_rsvp, NULL, R_PUBLIC},
	RECORD_ROUTES(lobby_resource, "lobbies"),
	{M_GET, "/api/v1/webhooks/{id}/deliveries", api_webhook_deliveries, NULL, 0},
	{M_POST, "/api/v1/webhooks/{id}/deliveries/{event}/replay", api_webhook_replay, NULL, 0},
	{M_GET, "/api/v1/webhooks/{id}/secret", api_webhook_secret, NULL, 0},
	{M_POST, "/api/v1/webhooks/{id}/secret", api_webhook_secret_rotate, NULL, 0},
	/* imports: the record of each, and undo */
	{M_GET, "/api/v1/imports", api_import_list, NULL, 0},
	{M_POST, "/api/v1/imports", api_import_upload, NULL, R_STREAM},
	{M_GET, "/api/v1/imports/{id}", api_import_get, NULL, 0},
	{M_POST, "/api/v1/imports/{id}/undo", api_import_undo, NULL, 0},
	{M_GET, "/api/v1/scoring/model", api_scoring_model, NULL, 0},
	{M_POST, "/api/v1/scoring/train", api_scoring_train, NULL, 0},
	{M_PUT, "/api/v1/scoring/tiers", api_scoring_tiers, NULL, 0},
	/* live meetings on Janus (rooms.c) */
	{M_GET, "/m/{token}", api_meeting_page, NULL, R_PUBLIC},
	{M_GET, "/api/v1/join/{token}", api_join_get, NULL, R_PUBLIC},
	{M_POST, "/api/v1/join/{token}", api_join_post, NULL, R_PUBLIC},
	{M_GET, "/api/v1/join/{token}/lobby/{asset}", api_join_asset, NULL, R_PUBLIC},
	{M_GET, "/api/v1/join/{token}/handouts", api_join_handouts, NULL, R_PUBLIC},
	{M_GET, "/api/v1/join/{token}/handouts/{item}", api_join_handout_get, NULL, R_PUBLIC},
	{M_GET, "/api/v1/meetings/{id}/handouts", api_handout_list, NULL, 0},
	{M_POST, "/api/v1/meetings/{id}/handouts", api_handout_send, NULL, 0},
	{M_POST, "/api/v1/janus/events", api_janus_events, NULL, R_PUBLIC},
	{M_POST, "/api/v1/meetings/{id}/join", api_meeting_join, NULL, 0},
	{M_GET, "/api/v1/meetings/{id}/attendance", api_meeting_attendance, NULL, 0},
	{M_GET, "/api/v1/meetings/{id}/room", api_meeting_room_get, NULL, 0},
	{M_POST, "/api/v1/meetings/{id}/room", api_meeting_room_post, NULL, 0},
	/* live questionnaires, the participant report (polls.c) */
	{M_GET, "/api/v1/meetings/{id}/polls", api_meeting_polls, NULL, 0},
	{M_POST, "/api/v1/meetings/{id}/polls", api_meeting_poll_launch, NULL, 0},
	{M_GET, "/api/v1/meetings/{id}/polls/{poll}", api_meeting_poll_get, NULL, 0},
	{M_PATCH, "/api/v1/meetings/{id}/polls/{poll}", api_meeting_poll_update, NULL, 0},
	{M_GET, "/api/v1/join/{token}/polls", api_join_polls, NULL, R_PUBLIC},
	{M_POST, "/api/v1/join/{token}/polls/{poll}", api_join_poll_answer, NULL, R_PUBLIC},
	{M_GET, "/api/v1/meetings/{id}/report", api_meeting_report, NULL, 0},
};

const int routes_count = (int)(sizeof(routes) / sizeof(routes[0]));

static const char *const method_names[] = {"GET",    "POST", "PATCH",   "PUT",
					   "DELETE", "HEAD", "OPTIONS", "OTHER"};

const char *method_name(enum method m)
{
	return method_names[m];
}

enum method method_parse(const char *s)
{
	int i;

	for (i = 0; i < M_OTHER; i++)
		if (!strcmp(s, method_names[i]))
			return (enum method)i;
	return M_OTHER;
}

/* Match path against pattern; params point into scratch (a copy of path). */
static int match(const char *pattern, const char *path, struct req *rq, char *scratch,
		 size_t scratch_n)
{
	const char *p = pattern, *s = path;
	int n = 0;
	size_t used = 0;

	while (*p && *s) {
		if (*p == '{') {
			const char *end = strchr(s, '/');
			size_t len = end ? (size_t)(end - s) : strlen(s);

			if (!len || n == API_MAX_PARAMS || used + len + 1 > scratch_n)
				return 0;
			memcpy(scratch + used, s, len);
			scratch[used + len] = '\0';
			if (rq)
				rq->params[n] = scratch + used;
			n++;
			used += len + 1;
			s += len;
			p = strchr(p, '}') + 1;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	if (*p || *s)
		return 0;
	if (rq)
		rq->nparams = n;
	return 1;
}

/* Most patterns begin "/api/v1/"; the character after it tells most of them
 * apart.  key[i] is that character of route i, or 0 when the route could
 * match any (another prefix, or a parameter there): a route whose key is not
 * 0 and not the path's cannot match it, and is skipped without match(). */
#define API_PREFIX "/api/v1/"
#define API_PREFIX_LEN 8
static char key[256];
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void key_init(void)
{
	int i;

	for (i = 0; i < routes_count && i < (int)sizeof(key); i++) {
		const char *p = routes[i].pattern;

		if (!strncmp(p, API_PREFIX, API_PREFIX_LEN) && p[API_PREFIX_LEN] &&
		    p[API_PREFIX_LEN] != '{')
			key[i] = p[API_PREFIX_LEN];
	}
}

static char path_key(const char *path)
{
	return strncmp(path, API_PREFIX, API_PREFIX_LEN) ? 0 : path[API_PREFIX_LEN];
}

static int may_match(int i, char k)
{
	return i >= (int)sizeof(key) || !key[i] || key[i] == k;
}

int routes_stream(enum method m, const char *path)
{
	char scratch[1024];
	int i;

	for (i = 0; i < routes_count; i++)
		if ((routes[i].flags & R_STREAM) && routes[i].method == m &&
		    match(routes[i].pattern, path, NULL, scratch, sizeof(scratch)))
			return 1;
	return 0;
}

int routes_match(enum method m, const char *path, struct req *rq, char *allow, size_t allow_n,
		 char *scratch, size_t scratch_n)
{
	int i, path_found = 0;
	size_t used = 0;
	enum method want = m == M_HEAD ? M_GET : m;
	char k = path_key(path);

	pthread_once(&key_once, key_init);
	allow[0] = '\0';
	for (i = 0; i < routes_count; i++) {
		if (!may_match(i, k) || !match(routes[i].pattern, path, NULL, scratch, scratch_n))
			continue;
		if (routes[i].method == want) {
			match(routes[i].pattern, path, rq, scratch, scratch_n);
			return i;
		}
		path_found = 1;
		used += (size_t)snprintf(allow + used, used < allow_n ? allow_n - used : 0, "%s%s",
					 used ? ", " : "", method_names[routes[i].method]);
	}
	return path_found ? -2 : -1;
}
