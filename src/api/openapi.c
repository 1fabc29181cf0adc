#include "api.h"
void api_openapi(struct req *rq, struct resp *rs) { (void)rq; api_problem(rs, E_NOTFOUND, NULL); }
