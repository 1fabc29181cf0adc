/*
 * crm.c — where the capabilities meet: the table of every record type
 * (resources[], record.h), the choices several declarations share, and the
 * seams declared in records/resources.h, whose bodies need a capability that
 * records/ may not include.
 */
#include "crm/records/resources.h"
#include "crm/records/user.h"
#include "crm/scoring/scoring.h"

const char *const channel_choices[] = {"field", "inside", "partner", "web", "retail", NULL};

const struct resource *const resources[] = {
	&account_resource, &contact_resource,  &lead_resource, &opportunity_resource,
	&activity_resource, &user_resource,    &team_resource, &lost_reason_resource,
	&form_resource,    &template_resource, &saved_filter_resource,
	&scoring_rule_resource, &questionnaire_resource, &webhook_resource,
	&meeting_resource, &lobby_resource, NULL,
};

int crm_lead_engaged(struct store *st, long long lead_id, struct err *e)
{
	return scoring_lead_changed(st, lead_id, e);
}
