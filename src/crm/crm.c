#include "resources.h"
#include "user.h"

const char *const channel_choices[] = {"field", "inside", "partner", "web", "retail", NULL};

const struct resource *const resources[] = {
	&account_resource, &contact_resource,  &lead_resource, &opportunity_resource,
	&activity_resource, &user_resource,    &team_resource, &lost_reason_resource,
	&form_resource,    &template_resource, &saved_filter_resource,
	&scoring_rule_resource, NULL,
};
