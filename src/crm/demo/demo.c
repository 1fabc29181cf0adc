/*
 * demo.c — the demo company (see demo.h for what it contains).
 *
 * How a deal's life is drawn (gen_opportunity): a creation time from a day
 * table that grows over the three years and follows the seasons (Q4 strong,
 * a summer dip, quiet weekends); an owner weighted by channel and hire date;
 * an account of that owner; an amount, lognormal by segment, channel and
 * territory.  Then the deal walks the pipeline: at each open stage it either
 * advances (with a probability scaled to its owner's skill, so win rates run
 * from ~15% to ~40%), is lost (reason by funnel section), stalls for months,
 * or now and then steps back once.  Time in stage is lognormal by stage,
 * channel and segment, slower in summer; closes bunch in the last two weeks
 * of a quarter.  Whatever has not happened by `now` has not happened: the
 * deal is open in the stage it reached.  Along the way the expected close
 * date slips (rows in `history`), the amount is revised at proposal and
 * discounted at negotiation, and activities fill each stage.
 *
 * Every row is a function of the seed: one PCG32 stream for choices, and a
 * hash of (seed, id) for attributes that must be recomputed later (a
 * contact's name when an activity mentions it).
 */
#include "demo.h"

#include <math.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"

#define N(a) ((int)(sizeof(a) / sizeof(a[0])))
#define DAY 86400LL
#define YEARS 3
#define BATCH 100000 /* opportunities per transaction */

/* ---- randomness ---------------------------------------------------------- */

struct rng {
	uint64_t state, inc;
};

static uint32_t rnd_u32(struct rng *r)
{
	uint64_t old = r->state;
	uint32_t x, rot;

	r->state = old * 6364136223846793005ULL + r->inc;
	x = (uint32_t)(((old >> 18) ^ old) >> 27);
	rot = (uint32_t)(old >> 59);
	return (x >> rot) | (x << ((32 - rot) & 31));
}

static void rnd_seed(struct rng *r, uint64_t seed, uint64_t seq)
{
	r->state = 0;
	r->inc = (seq << 1) | 1;
	rnd_u32(r);
	r->state += seed;
	rnd_u32(r);
}

/* Uniform in [0, 1) with 53 bits. */
static double rnd_unit(struct rng *r)
{
	uint64_t a = rnd_u32(r) >> 5, b = rnd_u32(r) >> 6;

	return ((double)a * 67108864.0 + (double)b) / 9007199254740992.0;
}

static double rnd_range(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * rnd_unit(r);
}

/* Uniform in [0, n). */
static int rnd_int(struct rng *r, int n)
{
	return (int)(((uint64_t)rnd_u32(r) * (uint64_t)n) >> 32);
}

static int rnd_chance(struct rng *r, double p)
{
	return rnd_unit(r) < p;
}

static double rnd_normal(struct rng *r)
{
	double u = 1.0 - rnd_unit(r), v = rnd_unit(r);

	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* An index into `w` (n weights), proportional to the weights. */
static int rnd_weighted(struct rng *r, const double *w, int n)
{
	double sum = 0, x;
	int i;

	for (i = 0; i < n; i++)
		sum += w[i];
	x = rnd_unit(r) * sum;
	for (i = 0; i < n - 1; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* ---- time ------------------------------------------------------------------ */

static long long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153u * (unsigned)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (unsigned)d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, int *y, int *m, int *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + (unsigned long long)era * 400 + (*m <= 2));
}

static long long floordiv(long long a, long long b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static void put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

static void fmt_date(long long t, char out[11])
{
	int y, m, d;

	civil_from_days(floordiv(t, DAY), &y, &m, &d);
	put2(out, y / 100);
	put2(out + 2, y % 100);
	out[4] = '-';
	put2(out + 5, m);
	out[7] = '-';
	put2(out + 8, d);
	out[10] = '\0';
}

static void fmt_iso(long long t, char out[TIME_ISO_LEN])
{
	long long s = t - floordiv(t, DAY) * DAY;

	fmt_date(t, out);
	out[10] = 'T';
	put2(out + 11, (int)(s / 3600));
	out[13] = ':';
	put2(out + 14, (int)(s / 60 % 60));
	out[16] = ':';
	put2(out + 17, (int)(s % 60));
	out[19] = 'Z';
	out[20] = '\0';
}

static int month_of(long long t)
{
	int y, m, d;

	civil_from_days(floordiv(t, DAY), &y, &m, &d);
	return m;
}

/* Quarter index (year * 4 + q, q 0..3) of an instant, and its bounds. */
static int quarter_of(long long t)
{
	int y, m, d;

	civil_from_days(floordiv(t, DAY), &y, &m, &d);
	return y * 4 + (m - 1) / 3;
}

static long long quarter_start(int q)
{
	return days_from_civil(q / 4, q % 4 * 3 + 1, 1) * DAY;
}

static long long quarter_end(int q) /* the last second */
{
	return quarter_start(q + 1) - 1;
}

static void quarter_name(int q, char out[16])
{
	snprintf(out, 16, "%04d-Q%d", q / 4, q % 4 + 1);
}

/* The first moment at or after t in business hours (weekdays 08–19 UTC),
 * with a random minute so events do not line up. */
static long long workday(struct rng *r, long long t)
{
	long long day = floordiv(t, DAY), s = t - day * DAY;
	int wd;

	if (s >= 19 * 3600) {
		day++;
		s = 8 * 3600 + rnd_int(r, 4 * 3600);
	} else if (s < 8 * 3600) {
		s = 8 * 3600 + rnd_int(r, 4 * 3600);
	}
	wd = (int)((day + 4) % 7); /* 0 = Sunday */
	if (wd == 6)
		day += 2;
	else if (wd == 0)
		day += 1;
	return day * DAY + s;
}

/* ---- what the company is made of ------------------------------------------ */

enum { CH_FIELD, CH_INSIDE, CH_PARTNER, CH_WEB, CH_RETAIL, NCH };
static const char *const ch_key[NCH] = {"field", "inside", "partner", "web", "retail"};
static const char *const ch_team[NCH] = {"Field", "Inside Sales", "Partners", "Web", "Retail"};
static const double ch_volume[NCH] = {0.55, 1.4, 0.8, 1.8, 1.2};   /* deals per rep */
static const double ch_size[NCH] = {1.45, 0.8, 1.05, 0.45, 0.6};   /* deal size */
static const double ch_speed[NCH] = {1.5, 0.8, 1.3, 0.5, 0.65};    /* time in stage */
/* segment mix of a channel's accounts: SMB, mid-market, enterprise */
static const double ch_segments[NCH][3] = {
	{0.25, 0.45, 0.30}, {0.55, 0.38, 0.07}, {0.45, 0.42, 0.13},
	{0.85, 0.14, 0.01}, {0.75, 0.23, 0.02},
};

enum { SEG_SMB, SEG_MID, SEG_ENT };
static const double seg_median[3] = {6500, 28000, 115000}; /* EUR */
static const double seg_speed[3] = {0.7, 1.0, 1.6};

struct region {
	const char *name;
	double weight;
	int first_terr, nterr;
};

struct territory {
	const char *name;
	double market;      /* quota and deal-size factor */
	const char *tld, *phone, *legal[2];
	const char *cities[4];
};

static const struct territory terrs[] = {
	{"DACH", 1.2, "de", "+49", {"GmbH", "AG"}, {"Berlin", "Munich", "Vienna", "Zurich"}},
	{"UK & Ireland", 1.15, "co.uk", "+44", {"Ltd", "plc"},
	 {"London", "Manchester", "Dublin", "Edinburgh"}},
	{"France", 1.0, "fr", "+33", {"SA", "SAS"}, {"Paris", "Lyon", "Toulouse", "Lille"}},
	{"Benelux", 0.9, "nl", "+31", {"B.V.", "N.V."},
	 {"Amsterdam", "Rotterdam", "Brussels", "Antwerp"}},
	{"Nordics", 0.95, "se", "+46", {"AB", "A/S"},
	 {"Stockholm", "Copenhagen", "Oslo", "Helsinki"}},
	{"Southern Europe", 0.8, "es", "+34", {"S.L.", "S.p.A."},
	 {"Madrid", "Barcelona", "Milan", "Lisbon"}},
	{"Middle East", 0.85, "ae", "+971", {"LLC", "FZ-LLC"},
	 {"Dubai", "Abu Dhabi", "Riyadh", "Doha"}},
	{"US East", 1.3, "com", "+1", {"Inc.", "LLC"}, {"New York", "Boston", "Atlanta", "Miami"}},
	{"US West", 1.35, "com", "+1", {"Inc.", "Corp."},
	 {"San Francisco", "Seattle", "Los Angeles", "Denver"}},
	{"US Central", 1.0, "com", "+1", {"Inc.", "LLC"},
	 {"Chicago", "Dallas", "Austin", "Minneapolis"}},
	{"Canada", 0.9, "ca", "+1", {"Inc.", "Ltd."}, {"Toronto", "Vancouver", "Montreal", "Calgary"}},
	{"Brazil", 0.7, "com.br", "+55", {"Ltda.", "S.A."},
	 {"São Paulo", "Rio de Janeiro", "Curitiba", "Belo Horizonte"}},
	{"Mexico", 0.65, "com.mx", "+52", {"S.A. de C.V.", "S. de R.L."},
	 {"Mexico City", "Monterrey", "Guadalajara", "Puebla"}},
	{"ANZ", 1.0, "com.au", "+61", {"Pty Ltd", "Ltd"}, {"Sydney", "Melbourne", "Auckland", "Brisbane"}},
	{"Japan", 1.1, "co.jp", "+81", {"K.K.", "G.K."}, {"Tokyo", "Osaka", "Nagoya", "Fukuoka"}},
	{"Singapore", 0.9, "com.sg", "+65", {"Pte Ltd", "Pte Ltd"},
	 {"Singapore", "Kuala Lumpur", "Jakarta", "Bangkok"}},
	{"India", 0.6, "in", "+91", {"Pvt Ltd", "Ltd"}, {"Bengaluru", "Mumbai", "Delhi", "Pune"}},
	{"Greater China", 0.85, "cn", "+86", {"Co., Ltd.", "Ltd"},
	 {"Shanghai", "Hong Kong", "Taipei", "Shenzhen"}},
};

static const struct region regions[] = {
	{"EMEA", 0.42, 0, 7},
	{"Americas", 0.38, 7, 6},
	{"APAC", 0.20, 13, 5},
};
#define NREG N(regions)

/* Industries, with the nouns their companies are named with (disjoint). */
static const struct {
	const char *name;
	const char *nouns[8];
} industries[] = {
	{"Software", {"Software", "Systems", "Labs", "Digital", "Cloud", "Data", "Apps", "Code"}},
	{"Manufacturing",
	 {"Industries", "Manufacturing", "Werke", "Machines", "Components", "Fabrication",
	  "Tooling", "Engineering"}},
	{"Financial Services",
	 {"Capital", "Finance", "Bank", "Insurance", "Investments", "Assurance", "Credit",
	  "Wealth"}},
	{"Healthcare",
	 {"Health", "Medical", "Clinics", "Pharma", "Care", "Diagnostics", "Biotech",
	  "Life Sciences"}},
	{"Retail",
	 {"Retail", "Stores", "Market", "Outlet", "Fashion", "Home", "Brands", "Commerce"}},
	{"Logistics",
	 {"Logistics", "Freight", "Transport", "Shipping", "Cargo", "Express", "Distribution",
	  "Fleet"}},
	{"Energy",
	 {"Energy", "Power", "Utilities", "Solar", "Wind", "Grid", "Renewables", "Oil & Gas"}},
	{"Telecommunications",
	 {"Telecom", "Networks", "Communications", "Mobile", "Broadband", "Connect", "Fiber",
	  "Wireless"}},
	{"Public Sector",
	 {"Authority", "Agency", "Council", "Services", "Administration", "Institute",
	  "Foundation", "Trust"}},
	{"Education",
	 {"University", "Academy", "College", "Learning", "School", "Education", "Campus",
	  "Training"}},
	{"Media",
	 {"Media", "Studios", "Publishing", "Broadcasting", "Entertainment", "Press", "Pictures",
	  "Records"}},
};
#define NIND N(industries)

static const char *const roots[] = {
	"Nordwind", "Bluepeak", "Alpenglow", "Brightwater", "Silverline", "Redwood", "Ironbridge",
	"Clearview", "Greenfield", "Summit", "Northstar", "Oakridge", "Riverside", "Stonegate",
	"Highland", "Westbrook", "Eastwood", "Suncrest", "Moonstone", "Falcon", "Orion", "Vertex",
	"Helix", "Quantum", "Atlas", "Zenith", "Aurora", "Cobalt", "Crimson", "Evergreen",
	"Goldcrest", "Harbor", "Juniper", "Keystone", "Lakeside", "Maple", "Meridian", "Nimbus",
	"Olympus", "Pinnacle", "Quarry", "Rainier", "Sapphire", "Tidewater", "Unity", "Valiant",
	"Willow", "Yellowstone", "Amber", "Beacon", "Cedar", "Delta", "Ember", "Fjord", "Granite",
	"Horizon", "Indigo", "Jade", "Kestrel", "Lumen", "Mosaic", "Nova", "Onyx", "Pioneer",
	"Quill", "Ridge", "Sterling", "Titan", "Umber", "Vista", "Wavecrest", "Apex", "Borealis",
	"Caldera", "Dynamo", "Equinox", "Fulcrum", "Galileo", "Halcyon", "Icefield", "Kepler",
	"Lighthouse", "Magnolia", "Neptune", "Obsidian", "Paragon", "Radiant", "Solstice",
	"Trident", "Vanguard", "Windmill", "Zephyr", "Archway", "Bastion", "Compass", "Drumlin",
};
#define NROOT N(roots)

static const char *const firsts[] = {
	"Anna", "Lukas", "Sofia", "Jonas", "Emma", "Noah", "Mia", "Elias", "Léa", "Hugo",
	"Chloé", "Louis", "Olivia", "James", "Amelia", "Oliver", "Isla", "Harry", "Freya", "Søren",
	"Ingrid", "Björn", "Astrid", "Lars", "Lucía", "Mateo", "Valentina", "Santiago", "Giulia",
	"Marco", "Sara", "João", "Beatriz", "Pedro", "Ana", "Diego", "Camila", "Ethan", "Ava",
	"Liam", "Emily", "Michael", "Sarah", "David", "Jessica", "Daniel", "Ashley", "Ryan",
	"Hannah", "Omar", "Layla", "Yusuf", "Fatima", "Arjun", "Priya", "Rahul", "Ananya", "Wei",
	"Mei", "Jun", "Yuki", "Haruto", "Sakura", "Kenji", "Min-jun", "Ji-woo", "Chloe", "Jack",
	"Charlotte", "Thomas", "Zoë", "Mathilde", "Łukasz", "Katarzyna", "Tomáš", "Eva", "Ahmet",
	"Elif", "Nikolai", "Irina",
};

static const char *const lasts[] = {
	"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Wagner",
	"Martin", "Bernard", "Dubois", "Laurent", "Lefèvre", "Smith", "Jones", "Taylor", "Brown",
	"Wilson", "Evans", "O'Brien", "Murphy", "Andersson", "Johansson", "Nielsen", "Hansen",
	"Virtanen", "García", "Fernández", "López", "Martínez", "Rossi", "Russo", "Ferrari",
	"Silva", "Santos", "Oliveira", "Costa", "Pereira", "Johnson", "Williams", "Miller", "Davis",
	"Rodriguez", "Anderson", "Thomas", "Jackson", "White", "Harris", "Clark", "Lewis",
	"Walker", "Hall", "Young", "King", "Wright", "Scott", "Nguyen", "Chen", "Wang", "Li",
	"Zhang", "Liu", "Tanaka", "Suzuki", "Sato", "Takahashi", "Kim", "Park", "Lee", "Sharma",
	"Patel", "Singh", "Gupta", "Khan", "Haddad", "Al-Farsi", "Yilmaz", "Kowalski", "Nowak",
	"Novák", "de Vries", "Jansen", "Peeters", "Janssens", "Ivanov", "Popescu",
};

/* The first SENIOR titles are the decision-making kind. */
#define SENIOR 7
static const char *const titles[] = {
	"Chief Executive Officer", "Chief Financial Officer", "Chief Information Officer",
	"VP Operations", "Head of Procurement", "Managing Director", "Head of IT",
	"IT Manager", "Procurement Manager", "Operations Manager", "Project Manager",
	"Finance Manager", "Marketing Manager", "Sales Director", "Business Analyst",
	"Office Manager", "Systems Engineer", "Product Manager",
};

static const char *const products[] = {
	"CRM Suite", "Analytics Platform", "Field Service", "Cloud Migration", "Support Plan",
	"Data Platform", "Security Bundle", "Training Package", "Integration Services",
	"Managed Services", "Mobile Workforce", "Customer Portal",
};
static const char *const deal_kinds[] = {"new business", "expansion", "renewal", "upgrade",
					 "pilot"};
static const double deal_kind_w[] = {0.45, 0.2, 0.15, 0.12, 0.08};

static const char *const lost_reasons[] = {"lost to competitor", "no budget", "no decision",
					   "timing", "price"};
/* reason weights by the section the deal was lost from: upper, middle, lower */
static const double lost_w[3][5] = {
	{0.12, 0.30, 0.28, 0.24, 0.06},
	{0.40, 0.15, 0.20, 0.10, 0.15},
	{0.25, 0.25, 0.10, 0.10, 0.30},
};

static const char *const sources[] = {"web form", "referral", "trade show", "partner",
				      "cold call", "webinar", "inbound call", "LinkedIn",
				      "purchased list", "retail store"};
static const double source_w[] = {0.26, 0.12, 0.09, 0.1, 0.1, 0.08, 0.08, 0.07, 0.05, 0.05};
static const int source_ch[] = {CH_WEB, CH_FIELD, CH_FIELD, CH_PARTNER, CH_INSIDE, CH_WEB,
				CH_INSIDE, CH_INSIDE, CH_INSIDE, CH_RETAIL};

/* Creation volume by month: a strong Q4, a summer dip. */
static const double month_w[12] = {0.9, 0.95, 1.05, 1.0, 1.0, 0.95, 0.72, 0.62, 1.0, 1.12,
				   1.2, 0.88};

/* The open stages of the default pipeline, then its won and lost stages. */
enum { S_PREQ, S_QUAL, S_PRES, S_PROP, S_NEG, S_CONV, S_PAID, S_LOST, NSTAGE };
static const char *const stage_key[NSTAGE] = {"prequalification", "qualification",
					      "presentation",     "proposal",
					      "negotiation",      "conversion",
					      "payment_collected", "lost"};
static const double stage_advance[5] = {0.62, 0.70, 0.74, 0.80, 0.84};
static const double stage_days[5] = {6, 12, 16, 12, 10}; /* median days in stage */
static const int stage_section[5] = {0, 0, 1, 1, 2};     /* upper, middle, lower */

/* Activities a stage brings: types and subjects ({a} account, {c} contact). */
static const struct {
	const char *type;
	const char *subject;
	int account; /* %s is the account (else the contact) */
} stage_acts[5][3] = {
	{{"email", "Reply to enquiry from %s", 0}, {"call", "Intro call with %s", 0},
	 {"call", "Qualify inbound request from %s", 1}},
	{{"call", "Discovery call with %s", 0}, {"meeting", "Needs analysis at %s", 1},
	 {"call", "Budget and timeline check with %s", 0}},
	{{"meeting", "Product presentation at %s", 1}, {"meeting", "Demo for the %s team", 1},
	 {"call", "Reference call for %s", 1}},
	{{"email", "Send proposal to %s", 0}, {"task", "Prepare quote for %s", 1},
	 {"meeting", "Proposal walkthrough with %s", 0}},
	{{"meeting", "Pricing negotiation with %s", 1}, {"call", "Contract review with %s", 0},
	 {"email", "Redlines follow-up for %s", 1}},
};

/* ---- the generator's state -------------------------------------------------- */

struct rep {
	long long id;
	int team, region, channel, terr, industry;
	double volume, advance_k, win;
	long long hired;
	long long acc0, nacc; /* accounts owned: ids acc0 .. acc0 + nacc - 1 */
};

struct account {
	long long created, first_contact;
	int rep, c_ind;
	unsigned char industry, terr, segment, ncontacts;
};

struct stage_row {
	int stage;
	long long at;
};

struct event { /* a change written to history */
	long long at;
	int field; /* 0 close_date, 1 amount */
	long long old_v, new_v;
};

/* The INSERTs of the bulk phases, prepared once and kept: they are the only
 * statements prepared while rows go in, too few to evict one another from
 * the store's statement cache, and looking them up per row cost ~10%. */
enum { B_ACCOUNT, B_CONTACT, B_LEAD, B_OPP, B_STAGE, B_HISTORY, B_ACTIVITY, B_LEAD_ACT,
       NBULK };

struct gen {
	struct stmt *bulk[NBULK];
	struct store *st;
	const struct demo_opts *o;
	struct demo_counts *n;
	struct rng r;
	long long now, start;
	char hash[crypto_pwhash_STRBYTES];
	int prob[NSTAGE];
	char category[NSTAGE][16];
	struct rep *reps;
	int nreps;
	double *rep_cdf;
	struct account *acc;
	long long nacc;
	double *day_cdf;
	int ndays;
	int ind_count[NIND];
	char **index_sql;
	int nindex;
};

static struct stmt *bulk(struct gen *g, int which, const char *sql, struct err *e)
{
	if (!g->bulk[which])
		g->bulk[which] = store_prepare(g->st, sql, e);
	return g->bulk[which];
}

static void progress(struct gen *g, const char *phase, long long done, long long total)
{
	if (g->o->progress)
		g->o->progress(g->o->ctx, phase, done, total);
}

/* ASCII for an e-mail address: the accents the name lists use, folded. */
static void ascii_fold(const char *s, char *out, size_t n)
{
	static const struct {
		const char *u, *a;
	} map[] = {
		{"é", "e"}, {"è", "e"}, {"ë", "e"}, {"á", "a"}, {"à", "a"}, {"ã", "a"},
		{"å", "a"}, {"ä", "a"}, {"í", "i"}, {"ó", "o"}, {"ö", "o"}, {"ø", "o"},
		{"ú", "u"}, {"ü", "u"}, {"ñ", "n"}, {"ç", "c"}, {"Ł", "l"}, {"ł", "l"},
		{"š", "s"}, {"ž", "z"}, {"č", "c"}, {"ß", "ss"},
	};
	size_t o = 0;
	int i;

	while (*s && o + 3 < n) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x80) {
			for (i = 0; i < N(map); i++)
				if (!strncmp(s, map[i].u, strlen(map[i].u)))
					break;
			if (i < N(map)) {
				for (const char *a = map[i].a; *a && o + 1 < n; a++)
					out[o++] = *a;
				s += strlen(map[i].u);
			} else {
				s++;
			}
			continue;
		}
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			out[o++] = (char)c;
		else if (c >= 'A' && c <= 'Z')
			out[o++] = (char)(c - 'A' + 'a');
		else if (c == '-')
			out[o++] = '-';
		s++;
	}
	out[o] = '\0';
}

/* The argon2id hash of DEMO_PASSWORD in libsodium's string form, with a salt
 * derived from the seed so the demo is reproducible to the byte.  The same
 * parameters as auth_hash_password(); verified before use. */
static int hash_password(struct gen *g, struct err *e)
{
	unsigned char salt[crypto_pwhash_SALTBYTES], out[32];
	char s64[sodium_base64_ENCODED_LEN(crypto_pwhash_SALTBYTES,
					   sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
	char h64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
	uint64_t x = g->o->seed;
	size_t i;

	for (i = 0; i < sizeof(salt); i++) {
		if (i % 8 == 0)
			x = mix64(x ^ 0x5a17u);
		salt[i] = (unsigned char)(x >> (8 * (i % 8)));
	}
	if (crypto_pwhash(out, sizeof(out), DEMO_PASSWORD, strlen(DEMO_PASSWORD), salt,
			  crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
			  crypto_pwhash_ALG_ARGON2ID13))
		return fail(e, E_INTERNAL, "out of memory while hashing the demo password");
	sodium_bin2base64(s64, sizeof(s64), salt, sizeof(salt),
			  sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	sodium_bin2base64(h64, sizeof(h64), out, sizeof(out),
			  sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	snprintf(g->hash, sizeof(g->hash), "$argon2id$v=%d$m=%zu,t=%llu,p=1$%s$%s", 19,
		 (size_t)(crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024),
		 (unsigned long long)crypto_pwhash_OPSLIMIT_INTERACTIVE, s64, h64);
	if (crypto_pwhash_str_verify(g->hash, DEMO_PASSWORD, strlen(DEMO_PASSWORD)))
		return fail(e, E_INTERNAL, "the demo password hash does not verify");
	return OK;
}

/* Read the default pipeline's probabilities and categories, so the deals
 * agree with the stages whatever a migration made of them. */
static int load_stages(struct gen *g, struct err *e)
{
	struct stmt *s;
	int i, rc = OK;

	for (i = 0; i < NSTAGE && !rc; i++) {
		s = store_prepare(g->st,
				  "SELECT probability, forecast_category FROM stages "
				  "WHERE pipeline_id = 1 AND key = ?",
				  e);
		if (!s)
			return E_INTERNAL;
		stmt_bind_text(s, 1, stage_key[i]);
		rc = stmt_step(s, e);
		if (!rc && !stmt_row(s))
			rc = fail(e, E_INTERNAL, "pipeline 1 has no stage '%s'", stage_key[i]);
		if (!rc) {
			g->prob[i] = (int)stmt_int(s, 0);
			snprintf(g->category[i], sizeof(g->category[i]), "%s", stmt_text(s, 1));
		}
		stmt_done(s);
	}
	return rc;
}

/* ---- bulk-load mode ------------------------------------------------------- */

/* Indexes whose keys arrive in ascending order (rows are generated owner by
 * owner, opportunity by opportunity, in order of creation): appending to
 * them costs next to nothing, so they stay.  (Keeping the indexes led by a
 * column of few values too — stage, owner — was measured slower overall.) */
static const char *const ordered_indexes[] = {
	"accounts_owner", "contacts_account", "contacts_owner", "leads_created",
	"opportunities_created", "stage_history_opp", "history_record", "activities_related",
};

static int index_is_ordered(const char *name)
{
	int i;

	for (i = 0; i < N(ordered_indexes); i++)
		if (!strcmp(name, ordered_indexes[i]))
			return 1;
	return 0;
}

/* Drop the other secondary indexes of the big tables (remembering their
 * SQL): one sort per index at the end is several times faster than keeping
 * a dozen B-trees in order row by row (measured: 21 s against 49 s for
 * 300,000 opportunities).  The analytics change-feed triggers go too: a new
 * database needs no feed (the index is built from the tables when a server
 * starts), and they wrote five feed rows per deal (4.3 s against 6.5 s for
 * 100,000).  Both come back as they were.  index_sql holds pairs of
 * (DROP ..., CREATE ...). */
static int indexes_drop(struct gen *g, struct err *e)
{
	struct stmt *s;
	char sql[256];
	int rc, i, cap = 0;

	s = store_prepare(g->st,
			  "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND "
			  "((type = 'index' AND tbl_name IN ('accounts', 'contacts', 'leads', "
			  "'opportunities', 'stage_history', 'activities', 'history')) OR (type = "
			  "'trigger' AND name LIKE 'change_log_%')) ORDER BY type, name",
			  e);
	if (!s)
		return E_INTERNAL;
	while (!(rc = stmt_step(s, e)) && stmt_row(s)) {
		if (!strcmp(stmt_text(s, 0), "index") && index_is_ordered(stmt_text(s, 1)))
			continue;
		if (g->nindex == cap) {
			char **n;

			cap = cap ? cap * 2 : 64;
			n = realloc(g->index_sql, (size_t)cap * 2 * sizeof(*n));
			if (!n) {
				stmt_done(s);
				return fail(e, E_INTERNAL, "out of memory");
			}
			g->index_sql = n;
		}
		snprintf(sql, sizeof(sql), "DROP %s \"%s\"",
			 !strcmp(stmt_text(s, 0), "index") ? "INDEX" : "TRIGGER", stmt_text(s, 1));
		g->index_sql[2 * g->nindex] = strdup(sql);
		g->index_sql[2 * g->nindex + 1] = strdup(stmt_text(s, 2));
		g->nindex++;
	}
	stmt_done(s);
	for (i = 0; !rc && i < g->nindex; i++)
		rc = store_exec(g->st, g->index_sql[2 * i], e);
	return rc;
}

static int indexes_create(struct gen *g, struct err *e)
{
	int i, rc = OK;

	/* sorting is the work here: let it use memory and a helper thread */
	rc = store_exec(g->st, "PRAGMA cache_size=-131072; PRAGMA threads=2; PRAGMA temp_store=MEMORY", e);
	progress(g, "indexes", 0, g->nindex);
	for (i = 0; !rc && i < g->nindex; i++) {
		rc = store_exec(g->st, g->index_sql[2 * i + 1], e);
		progress(g, "indexes", i + 1, g->nindex);
	}
	return rc;
}

/* Rows the migrations seed (the default pipeline, lost reasons ...) carry
 * the wall-clock time they were inserted; date them to the company's start
 * instead, so the same seed gives the same data. */
static int date_seeded_rows(struct gen *g, struct err *e)
{
	char at[TIME_ISO_LEN], sql[256], (*names)[64] = NULL;
	struct stmt *s;
	int rc, n = 0, i;

	s = store_prepare(g->st,
			  "SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND "
			  "EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'created_at') "
			  "AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = "
			  "'updated_at') ORDER BY m.name",
			  e);
	if (!s)
		return E_INTERNAL;
	names = calloc(256, sizeof(*names));
	if (!names) {
		stmt_done(s);
		return fail(e, E_INTERNAL, "out of memory");
	}
	while (!(rc = stmt_step(s, e)) && stmt_row(s) && n < 256)
		snprintf(names[n++], sizeof(names[0]), "%s", stmt_text(s, 0));
	stmt_done(s);
	fmt_iso(g->start - 420 * DAY + 9 * 3600, at);
	for (i = 0; !rc && i < n; i++) {
		snprintf(sql, sizeof(sql), "UPDATE \"%s\" SET created_at = '%s', updated_at = '%s'",
			 names[i], at, at);
		rc = store_exec(g->st, sql, e);
	}
	free(names);
	return rc;
}

/* ---- organisation: teams, users, quotas ------------------------------------ */

static int insert_team(struct gen *g, long long id, const char *name, long long parent,
		       struct err *e)
{
	char at[TIME_ISO_LEN];
	struct stmt *s;
	int rc;

	s = store_prepare(g->st,
			  "INSERT INTO teams (id, name, parent_id, created_by, created_at, "
			  "updated_at) VALUES (?, ?, ?, 1, ?, ?)",
			  e);
	if (!s)
		return E_INTERNAL;
	fmt_iso(g->start - 420 * DAY + 3600 * 10 + id * 60, at);
	stmt_bind_int(s, 1, id);
	stmt_bind_text(s, 2, name);
	if (parent)
		stmt_bind_int(s, 3, parent);
	else
		stmt_bind_null(s, 3);
	stmt_bind_text(s, 4, at);
	stmt_bind_text(s, 5, at);
	rc = stmt_step(s, e);
	stmt_done(s);
	g->n->teams++;
	return rc;
}

struct person {
	long long id, team, manager;
	const char *email, *name, *role, *territory, *industry, *channel;
	long long created;
};

static int insert_user(struct gen *g, const struct person *u, struct err *e)
{
	char at[TIME_ISO_LEN];
	struct stmt *s;
	int rc;

	s = store_prepare(g->st,
			  "INSERT INTO users (id, email, name, role, team_id, manager_id, territory, "
			  "industry, channel, password_hash, active, created_by, created_at, "
			  "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
			  e);
	if (!s)
		return E_INTERNAL;
	fmt_iso(u->created, at);
	stmt_bind_int(s, 1, u->id);
	stmt_bind_text(s, 2, u->email);
	stmt_bind_text(s, 3, u->name);
	stmt_bind_text(s, 4, u->role);
	if (u->team)
		stmt_bind_int(s, 5, u->team);
	else
		stmt_bind_null(s, 5);
	if (u->manager)
		stmt_bind_int(s, 6, u->manager);
	else
		stmt_bind_null(s, 6);
	stmt_bind_text(s, 7, u->territory);
	stmt_bind_text(s, 8, u->industry);
	stmt_bind_text(s, 9, u->channel);
	stmt_bind_text(s, 10, g->hash);
	if (u->id == 1)
		stmt_bind_null(s, 11);
	else
		stmt_bind_int(s, 11, 1);
	stmt_bind_text(s, 12, at);
	stmt_bind_text(s, 13, at);
	rc = stmt_step(s, e);
	stmt_done(s);
	g->n->users++;
	return rc;
}

/* A "First Last" name whose "first.last@demo.funnel" is not taken yet. */
static void new_person(struct gen *g, char (*emails)[128], int nemails, char *name, size_t nn,
		       char *email, size_t en)
{
	char f[40], l[40];
	int tries, i, dup;

	for (tries = 0;; tries++) {
		const char *first = firsts[rnd_int(&g->r, N(firsts))];
		const char *last = lasts[rnd_int(&g->r, N(lasts))];

		snprintf(name, nn, "%s %s", first, last);
		ascii_fold(first, f, sizeof(f));
		ascii_fold(last, l, sizeof(l));
		if (tries < 50)
			snprintf(email, en, "%s.%s@demo.funnel", f, l);
		else
			snprintf(email, en, "%s.%s%d@demo.funnel", f, l, tries);
		for (dup = 0, i = 0; i < nemails && !dup; i++)
			dup = !strcmp(emails[i], email);
		if (!dup)
			return;
	}
}

/* Expected euros a rep books per quarter created: deals × win × size. */
static double rep_expected_deal(const struct rep *rp)
{
	double sum = 0;
	int s;

	for (s = 0; s < 3; s++)
		sum += ch_segments[rp->channel][s] * seg_median[s];
	return sum * exp(0.75 * 0.75 / 2) * ch_size[rp->channel] * terrs[rp->terr].market;
}

/* Share of the deal flow created in [a, b) (by the day table). */
static double day_mass(struct gen *g, long long a, long long b)
{
	long long da = (a - g->start) / DAY, db = (b - g->start) / DAY;
	double lo, hi;

	if (da < 0)
		da = 0;
	if (db > g->ndays)
		db = g->ndays;
	if (db <= da)
		return 0;
	lo = da ? g->day_cdf[da - 1] : 0;
	hi = g->day_cdf[db - 1];
	return (hi - lo) / g->day_cdf[g->ndays - 1];
}

static int insert_quotas(struct gen *g, struct err *e)
{
	int cur = quarter_of(g->now), q, i, j;
	char period[16];
	struct stmt *s;
	int rc = OK;

	for (i = 0; i < g->nreps && !rc; i++) {
		struct rep *rp = &g->reps[i];

		for (q = cur - 7; q <= cur + 2 && !rc; q++) {
			long long a = quarter_start(q), b = quarter_end(q) + 1, mid = (a + b) / 2;
			double mass, active = 0, amount;

			if (rp->hired > mid)
				continue;
			/* the current and coming quarters look like the same
			 * quarter a year before, grown */
			mass = q >= cur ? day_mass(g, quarter_start(q - 4), quarter_end(q - 4) + 1) *
						  1.12
					: day_mass(g, a, b);
			for (j = 0; j < g->nreps; j++)
				if (g->reps[j].hired <= mid)
					active += g->reps[j].volume;
			amount = (double)g->o->scale * mass * rp->volume / active * 0.26 *
				 rep_expected_deal(rp) * rnd_range(&g->r, 1.05, 1.25);
			amount = fmax(5000, floor(amount / 5000 + 0.5) * 5000);
			s = store_prepare(g->st,
					  "INSERT INTO quotas (user_id, period, amount, currency) "
					  "VALUES (?, ?, ?, 'EUR')",
					  e);
			if (!s)
				return E_INTERNAL;
			quarter_name(q, period);
			stmt_bind_int(s, 1, rp->id);
			stmt_bind_text(s, 2, period);
			stmt_bind_int(s, 3, (long long)amount * 100);
			rc = stmt_step(s, e);
			stmt_done(s);
			g->n->quotas++;
		}
	}
	return rc;
}

/* The sales organisation.  Ids: 1 admin, 2 head of sales, then the region
 * managers, then per team its manager followed by its reps.  The first team
 * (EMEA Field) is managed by DEMO_MANAGER and has DEMO_REP as its first rep. */
static int gen_org(struct gen *g, struct err *e)
{
	int nteams, per_region[NREG], i, k, t, rc;
	long long reps_want, team_id = 1 + NREG, uid;
	double cbrt_scale = cbrt((double)g->o->scale / 1000.0);
	char (*emails)[128] = NULL;
	int nemails = 0;
	char name[128], email[128];
	struct person u;
	struct {
		int region, channel, number;
	} *specs = NULL;

	reps_want = (long long)llround(10.5 * cbrt_scale);
	if (reps_want < 18)
		reps_want = 18;
	nteams = (int)llround((double)reps_want / 8.0);
	if (nteams < NREG)
		nteams = NREG;
	g->reps = calloc((size_t)reps_want, sizeof(*g->reps));
	emails = calloc((size_t)(reps_want + nteams + NREG + 8), sizeof(*emails));
	specs = calloc((size_t)nteams, sizeof(*specs));
	if (!g->reps || !emails || !specs) {
		free(emails);
		free(specs);
		return fail(e, E_INTERNAL, "out of memory");
	}

	/* teams per region: at least one each, the rest by weight */
	for (i = 0; i < NREG; i++)
		per_region[i] = 1;
	for (k = NREG; k < nteams; k++) {
		int best = 0;
		double bw = -1;

		for (i = 0; i < NREG; i++) {
			double need = regions[i].weight * (k + 1) - per_region[i];

			if (need > bw) {
				bw = need;
				best = i;
			}
		}
		per_region[best]++;
	}

	rc = insert_team(g, 1, "Sales", 0, e);
	for (i = 0; i < NREG && !rc; i++)
		rc = insert_team(g, 2 + i, regions[i].name, 1, e);

	u = (struct person){1, 0, 0, DEMO_ADMIN, "Dana Admin", "admin", NULL, NULL, NULL,
			    g->start - 400 * DAY + 9 * 3600};
	if (!rc)
		rc = insert_user(g, &u, e);
	new_person(g, emails, nemails, name, sizeof(name), email, sizeof(email));
	snprintf(emails[nemails++], 128, "%s", email);
	u = (struct person){2, 1, 0, email, name, "manager", NULL, NULL, NULL,
			    g->start - 400 * DAY + 10 * 3600};
	if (!rc)
		rc = insert_user(g, &u, e);
	for (i = 0; i < NREG && !rc; i++) {
		new_person(g, emails, nemails, name, sizeof(name), email, sizeof(email));
		snprintf(emails[nemails++], 128, "%s", email);
		u = (struct person){3 + i, 2 + i, 2, email, name, "manager",
				    terrs[regions[i].first_terr].name, NULL, NULL,
				    g->start - (390 - i) * DAY + 10 * 3600};
		rc = insert_user(g, &u, e);
	}

	/* teams: regions take turns, channels rotate, so even a small company
	 * has several channels; a second team of a channel in a region gets a
	 * number */
	{
		int made[NREG] = {0}, same[NREG][NCH] = {{0}}, round;

		for (round = 0, t = 0; t < nteams; round++)
			for (i = 0; i < NREG && t < nteams; i++)
				if (made[i] < per_region[i]) {
					specs[t].region = i;
					specs[t].channel = t % NCH;
					specs[t].number = ++same[i][t % NCH];
					made[i]++;
					t++;
				}
	}
	uid = 3 + NREG;
	for (t = 0; t < nteams && !rc; t++) {
		int ch = specs[t].channel, nrep, j;
		char tname[96];
		long long mgr = uid;

		i = specs[t].region;
		/* reps spread evenly over the teams */
		nrep = (int)(reps_want * (t + 1) / nteams - reps_want * t / nteams);
		if (specs[t].number > 1)
			snprintf(tname, sizeof(tname), "%s %s %d", regions[i].name, ch_team[ch],
				 specs[t].number);
		else
			snprintf(tname, sizeof(tname), "%s %s", regions[i].name, ch_team[ch]);
		rc = insert_team(g, ++team_id, tname, 2 + i, e);
		if (rc)
			break;
		if (t == 0) {
			u = (struct person){uid, team_id, 3 + i, DEMO_MANAGER, "Martina Keller",
					    "manager", terrs[regions[i].first_terr].name, NULL,
					    ch_key[ch], g->start - 380 * DAY + 9 * 3600};
		} else {
			new_person(g, emails, nemails, name, sizeof(name), email, sizeof(email));
			snprintf(emails[nemails++], 128, "%s", email);
			u = (struct person){uid, team_id, 3 + i, email, name, "manager",
					    terrs[regions[i].first_terr + t % regions[i].nterr].name,
					    NULL, ch_key[ch], g->start - (370 - t) * DAY + 9 * 3600};
		}
		rc = insert_user(g, &u, e);
		uid++;
		for (j = 0; j < nrep && !rc; j++) {
			struct rep *rp = &g->reps[g->nreps++];
			int first = t == 0 && j == 0;

			rp->id = uid++;
			rp->team = (int)team_id;
			rp->region = i;
			rp->channel = ch;
			rp->terr = regions[i].first_terr + (j + t) % regions[i].nterr;
			rp->industry = rnd_int(&g->r, NIND);
			rp->volume = ch_volume[ch] * rnd_range(&g->r, 0.75, 1.25);
			/* win rates 15–40%, most near the middle */
			rp->win = first ? 0.28 : 0.15 + 0.25 * (rnd_unit(&g->r) + rnd_unit(&g->r)) / 2;
			rp->advance_k = pow(rp->win / (0.62 * 0.70 * 0.74 * 0.80 * 0.84), 1.0 / 5);
			/* three in four were there before the window opened */
			if (first || rnd_chance(&g->r, 0.75))
				rp->hired = g->start - (long long)rnd_range(&g->r, 30, 700) * DAY;
			else
				rp->hired = g->start + (long long)rnd_range(&g->r, 30, 900) * DAY;
			rp->hired = floordiv(rp->hired, DAY) * DAY + 9 * 3600;
			if (first) {
				u = (struct person){rp->id, team_id, mgr, DEMO_REP, "Jonas Weber", "rep",
						    terrs[rp->terr].name, industries[rp->industry].name,
						    ch_key[ch], rp->hired};
			} else {
				new_person(g, emails, nemails, name, sizeof(name), email,
					   sizeof(email));
				snprintf(emails[nemails++], 128, "%s", email);
				u = (struct person){rp->id, team_id, mgr, email, name, "rep",
						    terrs[rp->terr].name, industries[rp->industry].name,
						    ch_key[ch], rp->hired};
			}
			rc = insert_user(g, &u, e);
		}
	}
	free(emails);
	free(specs);
	if (rc)
		return rc;

	/* owners are drawn by volume */
	g->rep_cdf = malloc((size_t)g->nreps * sizeof(double));
	if (!g->rep_cdf)
		return fail(e, E_INTERNAL, "out of memory");
	for (i = 0; i < g->nreps; i++)
		g->rep_cdf[i] = (i ? g->rep_cdf[i - 1] : 0) + g->reps[i].volume;
	return insert_quotas(g, e);
}

/* ---- accounts and contacts ---------------------------------------------- */

/* Company names: per industry, the first NROOT × 8 are root + noun, the next
 * four blocks add one of the territory's cities; all distinct within an
 * industry (and the nouns differ between industries).  Beyond that, names
 * repeat — namesakes happen — and only the domain tells them apart. */
#define NAME_BLOCK ((long long)NROOT * 8)
#define NAME_CAP (NAME_BLOCK * 5)

static void name_parts(const struct gen *g, const struct account *a, const char **root,
		       const char **noun, const char **city, const char **legal)
{
	long long c = a->c_ind % NAME_CAP, block = c / NAME_BLOCK;
	long long p = (c % NAME_BLOCK * 7919 + (long long)(g->o->seed % NAME_BLOCK)) % NAME_BLOCK;
	const struct territory *tr = &terrs[a->terr];

	*root = roots[p % NROOT];
	*noun = industries[a->industry].nouns[p / NROOT];
	*city = block ? tr->cities[block - 1] : NULL;
	*legal = tr->legal[(p ^ (long long)a->c_ind) & 1];
}

static void account_name(const struct gen *g, const struct account *a, char *out, size_t n)
{
	const char *root, *noun, *city, *legal;

	name_parts(g, a, &root, &noun, &city, &legal);
	if (city)
		snprintf(out, n, "%s %s %s %s", root, noun, city, legal);
	else
		snprintf(out, n, "%s %s %s", root, noun, legal);
}

static void account_domain(const struct gen *g, const struct account *a, long long id,
			   char *out, size_t n)
{
	const char *root, *noun, *city, *legal;
	char r[24], w[24], c[24];

	name_parts(g, a, &root, &noun, &city, &legal);
	ascii_fold(root, r, sizeof(r));
	ascii_fold(noun, w, sizeof(w));
	ascii_fold(city ? city : "", c, sizeof(c));
	if (a->c_ind >= NAME_CAP)
		snprintf(out, n, "%s-%s-%lld.%s", r, w, id, terrs[a->terr].tld);
	else if (city)
		snprintf(out, n, "%s-%s-%s.%s", r, w, c, terrs[a->terr].tld);
	else
		snprintf(out, n, "%s-%s.%s", r, w, terrs[a->terr].tld);
}

/* A contact's name and title: a function of its id, so activities can name
 * the contact without keeping it. */
static void contact_attrs(const struct gen *g, long long id, const char **first,
			  const char **last, int *title, int *dm)
{
	uint64_t h = mix64(g->o->seed * 0x2545f4914f6cdd1dULL ^ (uint64_t)id);

	*first = firsts[h % N(firsts)];
	*last = lasts[(h >> 12) % N(lasts)];
	*title = (int)((h >> 24) % N(titles));
	*dm = *title < SENIOR ? (h >> 40) % 10 < 8 : (h >> 40) % 10 < 1;
}

static void phone(struct gen *g, int terr, char *out, size_t n)
{
	snprintf(out, n, "%s %d %07d", terrs[terr].phone, 10 + rnd_int(&g->r, 89),
		 rnd_int(&g->r, 10000000));
}

static int gen_accounts(struct gen *g, struct err *e)
{
	long long want = g->o->scale / 15, a, cid = 1;
	double total_w = g->rep_cdf[g->nreps - 1];
	char name[200], domain[128], web[160], ph[32], addr[160], at[TIME_ISO_LEN],
		email[256], f[40], l[40];
	int i, k, rc = OK;

	/* each rep's book in proportion to their deal flow, at least two */
	for (i = 0, a = 0; i < g->nreps; i++) {
		long long n = llround((double)want * g->reps[i].volume / total_w);

		g->reps[i].nacc = n < 2 ? 2 : n;
		a += g->reps[i].nacc;
	}
	g->nacc = a;
	g->acc = calloc((size_t)g->nacc + 1, sizeof(*g->acc));
	if (!g->acc)
		return fail(e, E_INTERNAL, "out of memory");
	progress(g, "accounts", 0, g->nacc);
	/* accounts grouped by owner: a rep's book is a contiguous id range,
	 * created in order — fast at first, then slowly */
	for (i = 0, a = 1; i < g->nreps; i++) {
		struct rep *rp = &g->reps[i];
		long long span = g->now - 30 * DAY - rp->hired, j;

		rp->acc0 = a;
		for (j = 0; j < rp->nacc; j++, a++) {
			double u = (double)j / (double)rp->nacc;
			struct account *ac = &g->acc[a];

			ac->rep = i;
			ac->created = j == 0 ? rp->hired + 3600
					     : workday(&g->r, rp->hired + (long long)(u * u * (double)span) +
								      rnd_int(&g->r, 8 * 3600));
			if (j && ac->created <= ac[-1].created)
				ac->created = ac[-1].created + 60;
		}
	}

	for (a = 1; a <= g->nacc && !rc; a++) {
		struct account *ac = &g->acc[a];
		struct rep *rp = &g->reps[ac->rep];
		double emp;
		int tiny;
		struct stmt *s;

		ac->terr = (unsigned char)rp->terr;
		ac->industry = (unsigned char)(rnd_chance(&g->r, 0.5) ? rp->industry
								       : rnd_int(&g->r, NIND));
		ac->segment = (unsigned char)rnd_weighted(&g->r, ch_segments[rp->channel], 3);
		ac->c_ind = g->ind_count[ac->industry]++;
		tiny = rnd_int(&g->r, 6);
		ac->ncontacts = (unsigned char)(tiny == 0 ? 1 : tiny <= 2 ? 2 : tiny <= 4 ? 3 : 4);
		ac->first_contact = cid;
		emp = ac->segment == SEG_SMB   ? exp(rnd_range(&g->r, log(8), log(200)))
		      : ac->segment == SEG_MID ? exp(rnd_range(&g->r, log(200), log(2000)))
					       : exp(rnd_range(&g->r, log(2000), log(120000)));
		account_name(g, ac, name, sizeof(name));
		account_domain(g, ac, a, domain, sizeof(domain));
		snprintf(web, sizeof(web), "https://www.%s", domain);
		phone(g, ac->terr, ph, sizeof(ph));
		snprintf(addr, sizeof(addr), "%d %s Street, %s",
			 1 + rnd_int(&g->r, 240), roots[rnd_int(&g->r, NROOT)],
			 terrs[ac->terr].cities[rnd_int(&g->r, 4)]);
		fmt_iso(ac->created, at);
		s = bulk(g, B_ACCOUNT,
				  "INSERT INTO accounts (id, name, domain, industry, territory, "
				  "employees, phone, website, address, owner_id, created_by, "
				  "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				  e);
		if (!s)
			return E_INTERNAL;
		stmt_bind_int(s, 1, a);
		stmt_bind_text(s, 2, name);
		stmt_bind_text(s, 3, domain);
		stmt_bind_text(s, 4, industries[ac->industry].name);
		stmt_bind_text(s, 5, terrs[ac->terr].name);
		stmt_bind_int(s, 6, (long long)emp);
		stmt_bind_text(s, 7, ph);
		stmt_bind_text(s, 8, web);
		stmt_bind_text(s, 9, addr);
		stmt_bind_int(s, 10, rp->id);
		stmt_bind_int(s, 11, rp->id);
		stmt_bind_text(s, 12, at);
		stmt_bind_text(s, 13, at);
		rc = stmt_step(s, e);
		stmt_done(s);
		g->n->accounts++;

		for (k = 0; k < ac->ncontacts && !rc; k++, cid++) {
			const char *first, *last;
			int title, dm;

			contact_attrs(g, cid, &first, &last, &title, &dm);
			ascii_fold(first, f, sizeof(f));
			ascii_fold(last, l, sizeof(l));
			snprintf(email, sizeof(email), "%s.%s@%s", f, l, domain);
			phone(g, ac->terr, ph, sizeof(ph));
			fmt_iso(ac->created + 60 * (k + 1), at);
			s = bulk(g, B_CONTACT,
					  "INSERT INTO contacts (id, account_id, first_name, last_name, "
					  "email, phone, title, decision_maker, owner_id, created_by, "
					  "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
					  "?, ?)",
					  e);
			if (!s)
				return E_INTERNAL;
			stmt_bind_int(s, 1, cid);
			stmt_bind_int(s, 2, a);
			stmt_bind_text(s, 3, first);
			stmt_bind_text(s, 4, last);
			stmt_bind_text(s, 5, email);
			stmt_bind_text(s, 6, ph);
			stmt_bind_text(s, 7, titles[title]);
			stmt_bind_int(s, 8, dm);
			stmt_bind_int(s, 9, rp->id);
			stmt_bind_int(s, 10, rp->id);
			stmt_bind_text(s, 11, at);
			stmt_bind_text(s, 12, at);
			rc = stmt_step(s, e);
			stmt_done(s);
			g->n->contacts++;
		}
		if (a % 1024 == 0)
			progress(g, "accounts", a, g->nacc);
	}
	progress(g, "accounts", g->nacc, g->nacc);
	return rc;
}

/* ---- when things happen ---------------------------------------------------- */

/* The day table: volume grows ~25% a year, follows the months, rests at
 * weekends. */
static int build_days(struct gen *g, struct err *e)
{
	int d;

	g->ndays = (int)((g->now - g->start) / DAY);
	g->day_cdf = malloc((size_t)g->ndays * sizeof(double));
	if (!g->day_cdf)
		return fail(e, E_INTERNAL, "out of memory");
	for (d = 0; d < g->ndays; d++) {
		long long t = g->start + d * DAY;
		int wd = (int)((floordiv(t, DAY) + 4) % 7);
		double w = (1.0 + 0.25 * d / 365.0) * month_w[month_of(t) - 1] *
			   (wd == 0 || wd == 6 ? 0.06 : 1.0);

		g->day_cdf[d] = (d ? g->day_cdf[d - 1] : 0) + w;
	}
	return OK;
}

static int bsearch_cdf(const double *cdf, int n, double x)
{
	int lo = 0, hi = n - 1;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (cdf[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* A moment when something was created: a day by the table, an office hour. */
static long long draw_created(struct gen *g)
{
	int d = bsearch_cdf(g->day_cdf, g->ndays, rnd_unit(&g->r) * g->day_cdf[g->ndays - 1]);
	long long t = g->start + d * DAY + 7 * 3600 +
		      (long long)(fabs(rnd_normal(&g->r)) * 3.5 * 3600) % (12 * 3600) +
		      rnd_int(&g->r, 3600);

	return t > g->now - 600 ? g->now - 600 : t;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* n creation moments in ascending order, so ids follow time as in a real
 * CRM (and the created_at indexes are appended to).  Caller frees. */
static long long *draw_sorted(struct gen *g, long long n, struct err *e)
{
	long long *t = malloc((size_t)n * sizeof(*t)), i;

	if (!t) {
		fail(e, E_INTERNAL, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++)
		t[i] = draw_created(g);
	qsort(t, (size_t)n, sizeof(*t), cmp_ll);
	return t;
}

/* ---- leads -------------------------------------------------------------------- */

/*
 * A lead's texture: how it turns out, its company's size, its answers and
 * the calls, e-mails and meetings on it.  Drawn from a stream of its own,
 * seeded by (seed, lead id), so the main stream — and with it every
 * opportunity, stage history and account — is what it was before leads had
 * texture.
 *
 * Whether a lead converts follows a logistic model with noise: industry,
 * title (decision makers convert more), source (referrals and inbound calls
 * more, purchased lists less), territory (its market), company size (mid
 * sizes best) and a hidden interest that also drives how much engagement
 * the lead gets.  Its outcome is decided after ~25 days (lognormal); a
 * decision after `now` has not happened, and the lead is still open.
 * Converted leads get converted_at but no converted_* links: the demo's
 * accounts and deals are drawn apart from the leads (docs/scoring.md).
 */
static const double lead_ind_effect[] = {0.9, 0.1, 0.5, 0.3, -0.4, -0.1, 0.0, 0.3, -0.8, -0.7,
					 -0.5};
static const double lead_title_effect[] = {0.7, 0.5,  0.7,  0.6, 0.5,  0.7,  0.6,  0.2,  0.1,
					   0.0, -0.1, 0.0, -0.2, 0.2, -0.5, -0.6, -0.4, -0.2};
static const double lead_src_effect[] = {0.0, 1.0, 0.3, 0.5, -0.7, 0.2, 0.6, -0.2, -1.1, -0.3};

struct lead_texture {
	const char *status;
	long long updated, converted;   /* converted 0: not */
	long long employees;
	int version, answers;
	double interest, decided;       /* decided: when, as an instant */
};

static double size_effect(long long n)
{
	return n < 50 ? -0.4 : n < 250 ? 0.2 : n < 1000 ? 0.4 : n < 5000 ? 0.1 : -0.3;
}

static int poisson(struct rng *r, double mean)
{
	double l = exp(-mean), p = 1;
	int k = 0;

	do {
		k++;
		p *= rnd_unit(r);
	} while (p > l && k < 50);
	return k - 1;
}

static void lead_texture(struct gen *g, struct rng *t, long long created, int ind, int title,
			 int src, int terr, struct lead_texture *x)
{
	double z, days;

	memset(x, 0, sizeof(*x));
	x->interest = rnd_normal(t);
	x->employees = (long long)fmin(200000, fmax(1, exp(5.0 + 1.7 * rnd_normal(t))));
	z = -1.1 + lead_ind_effect[ind] + lead_title_effect[title] + lead_src_effect[src] +
	    1.2 * (terrs[terr].market - 1.0) + size_effect(x->employees) + 0.9 * x->interest +
	    0.5 * rnd_normal(t);
	days = fmin(200, fmax(2, exp(log(25) + 0.7 * rnd_normal(t))));
	x->decided = (double)workday(t, created + (long long)(days * DAY));
	if (src == 0) /* web forms ask; the interested answer more */
		x->answers = (int)fmin(4, fmax(0, lround(1.5 + 1.2 * x->interest + 0.8 * rnd_normal(t))));
	x->updated = created;
	x->version = 1;
	if (x->decided > (double)g->now) {
		double u = rnd_unit(t);

		x->status = u < 0.45 ? "new" : u < 0.85 ? "working" : "qualified";
		return;
	}
	x->updated = (long long)x->decided;
	x->version = 3;
	if (rnd_unit(t) < 1 / (1 + exp(-z))) {
		x->status = "qualified";
		x->converted = (long long)x->decided;
	} else if (rnd_unit(t) < 0.7) {
		x->status = "disqualified";
		x->version = 2;
	} else { /* never decided: it went cold */
		x->status = rnd_chance(t, 0.5) ? "working" : "qualified";
		x->version = 2;
		x->updated = created + (long long)((x->decided - (double)created) * 0.3);
	}
}

/* The calls, e-mails and meetings on a lead, all done, between its creation
 * and its decision (or now), into the scratch table demo_lead_acts:
 * written to activities after the opportunities, so their ids stay. */
static int lead_activities(struct gen *g, struct rng *t, long long id, long long owner,
			   long long created, const struct lead_texture *x, const char *first,
			   const char *last, const char *company, struct err *e)
{
	static const char *const type[3] = {"call", "email", "meeting"};
	static const char *const subject[3] = {"Call with %s %s", "E-mail to %s %s",
					       "Meeting with %s %s (%s)"};
	const double base[3] = {0.4, 0.6, -1.0}, slope[3] = {0.5, 0.4, 0.8};
	double end = fmin(x->decided, (double)g->now - 3600);
	char subj[300], at[TIME_ISO_LEN];
	int k, j, n, rc = OK;

	for (k = 0; k < 3 && !rc; k++) {
		n = poisson(t, exp(base[k] + slope[k] * x->interest));
		for (j = 0; j < n && !rc; j++) {
			/* spread over the lead's life: some fall after `end` and did not
			 * happen (yet) */
			long long when = created + (long long)(rnd_unit(t) * (x->decided - (double)created));
			struct stmt *s;

			when = workday(t, when);
			if ((double)when >= end)
				continue;
			s = bulk(g, B_LEAD_ACT,
				 "INSERT INTO demo_lead_acts (type, subject, at, lead, owner) VALUES "
				 "(?, ?, ?, ?, ?)",
				 e);
			if (!s)
				return E_INTERNAL;
			snprintf(subj, sizeof(subj), subject[k], first, last, company);
			fmt_iso(when, at);
			stmt_bind_text(s, 1, type[k]);
			stmt_bind_text(s, 2, subj);
			stmt_bind_text(s, 3, at);
			stmt_bind_int(s, 4, id);
			stmt_bind_int(s, 5, owner);
			rc = stmt_step(s, e);
			stmt_done(s);
		}
	}
	return rc;
}

/* Qualification answers of a web-form lead: the first n of the four. */
static void lead_answers(struct rng *t, int n, char *out, size_t size)
{
	static const char *const budget[] = {"under 10k", "10-50k", "50-200k", "over 200k"};
	static const char *const authority[] = {"decides", "recommends", "gathers information"};
	static const char *const need[] = {"replace spreadsheets", "consolidate tools",
					   "grow the team", "better forecasts"};
	static const char *const timeline[] = {"this quarter", "next quarter", "this year",
					       "no date yet"};
	const char *v[4];
	size_t len = 0;
	int i;

	v[0] = budget[rnd_int(t, N(budget))];
	v[1] = authority[rnd_int(t, N(authority))];
	v[2] = need[rnd_int(t, N(need))];
	v[3] = timeline[rnd_int(t, N(timeline))];
	static const char *const key[] = {"budget", "authority", "need", "timeline"};
	len += (size_t)snprintf(out, size, "{");
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s\"%s\":\"%s\"", i ? "," : "",
					key[i], v[i]);
	if (len < size)
		snprintf(out + len, size - len, "}");
}

static int gen_leads(struct gen *g, struct err *e)
{
	long long want = g->o->scale / 3, i;
	char company[200], email[256], ph[32], at[TIME_ISO_LEN], up[TIME_ISO_LEN], f[40], l[40],
		dom[96], conv[TIME_ISO_LEN], answers[400];
	struct account fake;
	struct lead_texture tx;
	struct rng tr;
	long long *times;
	int rc = OK;

	if (want < 1)
		want = 1;
	times = draw_sorted(g, want, e);
	if (!times)
		return E_INTERNAL;
	rc = store_exec(g->st,
			"CREATE TABLE demo_lead_acts (type TEXT, subject TEXT, at TEXT, "
			"lead INTEGER, owner INTEGER)",
			e);
	if (rc) {
		free(times);
		return rc;
	}
	progress(g, "leads", 0, want);
	for (i = 1; i <= want && !rc; i++) {
		long long created = times[i - 1], updated = created;
		double age = (double)(g->now - created) / DAY, u;
		int src = rnd_weighted(&g->r, source_w, N(source_w)), ch = source_ch[src], k,
		    owner = -1, title = rnd_int(&g->r, N(titles)), version = 1;
		const char *first = firsts[rnd_int(&g->r, N(firsts))];
		const char *last = lasts[rnd_int(&g->r, N(lasts))];
		const char *status;
		struct stmt *s;

		/* the owner: a rep of the source's channel, hired by then */
		for (k = 0; k < 12 && owner < 0; k++) {
			int c = rnd_int(&g->r, g->nreps);

			if (g->reps[c].hired < created && (g->reps[c].channel == ch || k >= 8))
				owner = c;
		}
		if (owner < 0)
			owner = 0; /* rep@ was there from the start */
		/* young leads are new or being worked; old ones were decided */
		u = rnd_unit(&g->r);
		if (age < 14)
			status = u < 0.6 ? "new" : u < 0.9 ? "working" : "qualified";
		else if (age < 60)
			status = u < 0.15 ? "new" : u < 0.5 ? "working" : u < 0.8 ? "qualified"
										: "disqualified";
		else
			status = u < 0.03 ? "new" : u < 0.1 ? "working" : u < 0.58 ? "qualified"
										  : "disqualified";
		if (strcmp(status, "new")) {
			double d = rnd_range(&g->r, 0.5, fmin(age, 45));

			updated = workday(&g->r, created + (long long)(d * DAY));
			if (updated > g->now)
				updated = g->now;
			version = strcmp(status, "working") ? 3 : 2;
		}
		memset(&fake, 0, sizeof(fake));
		fake.industry = (unsigned char)rnd_int(&g->r, NIND);
		fake.terr = (unsigned char)g->reps[owner].terr;
		fake.c_ind = rnd_int(&g->r, (int)NAME_CAP);
		account_name(g, &fake, company, sizeof(company));
		account_domain(g, &fake, 0, dom, sizeof(dom));
		ascii_fold(first, f, sizeof(f));
		ascii_fold(last, l, sizeof(l));
		snprintf(email, sizeof(email), "%s.%s@%s", f, l, dom);
		phone(g, fake.terr, ph, sizeof(ph));
		/* the main stream is done with this lead: its texture comes from its
		 * own (status and updated above only keep the stream's draws) */
		(void)updated;
		(void)version;
		(void)status;
		rnd_seed(&tr, g->o->seed ^ 0x4c454144ULL, (uint64_t)i);
		lead_texture(g, &tr, created, fake.industry, title, src, fake.terr, &tx);
		if (tx.answers)
			lead_answers(&tr, tx.answers, answers, sizeof(answers));
		rc = lead_activities(g, &tr, i, g->reps[owner].id, created, &tx, first, last,
				     company, e);
		if (rc)
			break;
		fmt_iso(created, at);
		fmt_iso(tx.updated, up);
		s = bulk(g, B_LEAD,
				  "INSERT INTO leads (id, first_name, last_name, company, email, phone, "
				  "title, source, industry, territory, channel, status, owner_id, "
				  "created_by, created_at, updated_at, version, employees, converted_at, "
				  "qualification) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
				  "?, ?, ?, ?)",
				  e);
		if (!s) {
			free(times);
			return E_INTERNAL;
		}
		stmt_bind_int(s, 1, i);
		stmt_bind_text(s, 2, first);
		stmt_bind_text(s, 3, last);
		stmt_bind_text(s, 4, company);
		stmt_bind_text(s, 5, email);
		stmt_bind_text(s, 6, ph);
		stmt_bind_text(s, 7, titles[title]);
		stmt_bind_text(s, 8, sources[src]);
		stmt_bind_text(s, 9, industries[fake.industry].name);
		stmt_bind_text(s, 10, terrs[fake.terr].name);
		stmt_bind_text(s, 11, ch_key[g->reps[owner].channel]);
		stmt_bind_text(s, 12, tx.status);
		stmt_bind_int(s, 13, g->reps[owner].id);
		/* web forms create leads themselves */
		if (src == 0)
			stmt_bind_null(s, 14);
		else
			stmt_bind_int(s, 14, g->reps[owner].id);
		stmt_bind_text(s, 15, at);
		stmt_bind_text(s, 16, up);
		stmt_bind_int(s, 17, tx.version);
		stmt_bind_int(s, 18, tx.employees);
		if (tx.converted) {
			fmt_iso(tx.converted, conv);
			stmt_bind_text(s, 19, conv);
		} else {
			stmt_bind_null(s, 19);
		}
		stmt_bind_text(s, 20, tx.answers ? answers : NULL);
		rc = stmt_step(s, e);
		stmt_done(s);
		g->n->leads++;
		if (i % 4096 == 0)
			progress(g, "leads", i, want);
	}
	progress(g, "leads", want, want);
	free(times);
	return rc;
}

/* ---- opportunities ------------------------------------------------------------ */

static void money_text(long long minor, char out[32])
{
	snprintf(out, 32, "%lld.%02lld", minor / 100, minor % 100);
}

/* A plausible expected close: a date, often the end of a month. */
static long long round_close(struct gen *g, long long t)
{
	int y, m, d;

	if (rnd_chance(&g->r, 0.5)) {
		civil_from_days(floordiv(t, DAY), &y, &m, &d);
		return (days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1) * DAY;
	}
	return floordiv(t, DAY) * DAY;
}

static int insert_activity(struct gen *g, long long opp, long long owner, const char *type,
			   const char *subject, const char *notes, long long created,
			   long long due, long long done, struct err *e)
{
	char c[TIME_ISO_LEN], d[TIME_ISO_LEN], x[TIME_ISO_LEN];
	struct stmt *s;
	int rc;

	s = bulk(g, B_ACTIVITY,
			  "INSERT INTO activities (type, subject, notes, due_at, done_at, "
			  "related_type, related_id, owner_id, created_by, created_at, updated_at, "
			  "version) VALUES (?, ?, ?, ?, ?, 'opportunity', ?, ?, ?, ?, ?, ?)",
			  e);
	if (!s)
		return E_INTERNAL;
	fmt_iso(created, c);
	fmt_iso(due, d);
	stmt_bind_text(s, 1, type);
	stmt_bind_text(s, 2, subject);
	stmt_bind_text(s, 3, notes);
	stmt_bind_text(s, 4, d);
	if (done) {
		fmt_iso(done, x);
		stmt_bind_text(s, 5, x);
	} else {
		stmt_bind_null(s, 5);
	}
	stmt_bind_int(s, 6, opp);
	stmt_bind_int(s, 7, owner);
	stmt_bind_int(s, 8, owner);
	stmt_bind_text(s, 9, c);
	stmt_bind_text(s, 10, done ? x : c);
	stmt_bind_int(s, 11, done ? 2 : 1);
	rc = stmt_step(s, e);
	stmt_done(s);
	g->n->activities++;
	return rc;
}

/* The activities of one stage stay [a, b): one or two, done when past. */
static int stage_activities(struct gen *g, long long opp, const struct rep *rp, int stage,
			    long long a, long long b, const char *acct, const char *person,
			    struct err *e)
{
	char subject[256];
	int k, n = rnd_chance(&g->r, 0.8) + rnd_chance(&g->r, 0.3), rc = OK;

	/* a long stay (a stalled deal) is busy only at its start */
	if (b - a > 30 * DAY)
		b = a + 30 * DAY;
	for (k = 0; k < n && !rc; k++) {
		int which = rnd_int(&g->r, 3);
		long long due = a + (long long)(rnd_range(&g->r, 0.1, 0.95) * (double)(b - a));
		long long created = due - (long long)(rnd_range(&g->r, 0, 4) * DAY);
		long long done = 0;
		const char *type = stage_acts[stage][which].type, *notes = NULL;

		due = workday(&g->r, due);
		if (created < a)
			created = a + 60;
		if (created > g->now)
			created = g->now;
		if (due < created)
			due = created + 1800;
		if (due <= g->now && rnd_chance(&g->r, 0.95))
			done = due + rnd_int(&g->r, 2 * 3600);
		if (done > g->now)
			done = g->now;
		snprintf(subject, sizeof(subject), stage_acts[stage][which].subject,
			 stage_acts[stage][which].account ? acct : person);
		if (rnd_chance(&g->r, 0.08)) {
			type = "note";
			snprintf(subject, sizeof(subject), "Notes: %s, %s", acct, stage_key[stage]);
			notes = stage_section[stage] == 0 ? "Interested; wants pricing by team size."
				: stage_section[stage] == 1 ? "Comparing us with two other vendors."
							    : "Waiting for budget approval from finance.";
			due = created;
			done = created;
		}
		rc = insert_activity(g, opp, rp->id, type, subject, notes, created, due, done, e);
	}
	return rc;
}

struct deal {
	long long id, account, contact, owner, created, closed, amount, close_date, updated;
	int rep, stage, nrows, nevents, versions, lost_section, stalled, slips;
	struct stage_row rows[16];
	struct event ev[24];
};

static void add_event(struct deal *d, long long at, int field, long long old_v, long long new_v)
{
	if (d->nevents < N(d->ev))
		d->ev[d->nevents++] = (struct event){at, field, old_v, new_v};
}

/* Slip the expected close date while it passes before `until` (the next
 * thing that happens to the deal, or now). */
static void slips(struct gen *g, struct deal *d, long long from, long long until)
{
	while (d->close_date + DAY <= until && d->slips < 8) {
		long long at = workday(&g->r, d->close_date + DAY + rnd_int(&g->r, 6 * (int)DAY)),
			  nd;

		if (at < from)
			at = workday(&g->r, from + 3600);
		if (at >= until || at > g->now)
			return;
		/* a stalled deal's owner stops updating it after a while */
		if (d->stalled && d->slips >= 1 && rnd_chance(&g->r, 0.5))
			return;
		nd = round_close(g, d->close_date + (long long)rnd_range(&g->r, 14, 50) * DAY);
		if (nd <= at)
			nd = round_close(g, at + 14 * DAY);
		add_event(d, at, 0, d->close_date, nd);
		d->close_date = nd;
		d->slips++;
	}
}

/* Push a closing moment towards the end of its quarter (or pull an early
 * one into the previous quarter's last days), as sales teams do. */
static long long quarter_push(struct gen *g, long long t, long long floor_t, double p)
{
	int q = quarter_of(t);
	long long qe = quarter_end(q), qs = quarter_start(q);

	if (qe - t > 14 * DAY && rnd_chance(&g->r, p))
		return workday(&g->r, qe - (long long)rnd_range(&g->r, 0.5, 13.5) * DAY);
	if (t - qs < 21 * DAY && rnd_chance(&g->r, p * 0.5)) {
		long long pulled = qs - (long long)rnd_range(&g->r, 1, 9) * DAY;

		if (pulled > floor_t + DAY)
			return workday(&g->r, pulled);
	}
	return t;
}

/* Time in stage `i` entered at t, in seconds. */
static long long stage_time(struct gen *g, const struct deal *d, int i, long long t)
{
	const struct rep *rp = &g->reps[d->rep];
	int m = month_of(t);
	double days = stage_days[i] * ch_speed[rp->channel] * seg_speed[g->acc[d->account].segment] *
		      exp(0.6 * rnd_normal(&g->r));

	if (m == 7 || m == 8)
		days *= 1.35; /* summer */
	else if (m >= 10)
		days *= 0.85; /* the year-end push */
	if (days < 0.05)
		days = 0.05;
	return (long long)(days * DAY);
}

/* The deal's walk through the pipeline (see the top of this file). */
static void walk(struct gen *g, struct deal *d)
{
	const struct rep *rp = &g->reps[d->rep];
	long long t = d->created, next;
	int i = S_PREQ, stepped_back = 0;

	d->nrows = 0;
	d->rows[d->nrows++] = (struct stage_row){S_PREQ, t};
	d->closed = 0;
	d->stalled = 0;
	for (;;) {
		int to;
		double u, adv;

		if (i == S_CONV) {
			next = workday(&g->r, t + (long long)rnd_range(&g->r, 10, 60) * DAY);
			if (next > g->now)
				break;
			d->rows[d->nrows++] = (struct stage_row){S_PAID, next};
			break;
		}
		if (i == S_PAID || i == S_LOST)
			break;
		next = t + stage_time(g, d, i, t);
		adv = stage_advance[i] * rp->advance_k;
		if (i == S_NEG) { /* Q4 budgets get spent; summer deals die */
			int q = quarter_of(next) % 4;

			adv *= q == 3 ? 1.15 : q == 2 ? 0.92 : 1.0;
		}
		if (adv > 0.97)
			adv = 0.97;
		u = rnd_unit(&g->r);
		if ((i == S_PROP || i == S_NEG) && !stepped_back && rnd_chance(&g->r, 0.04)) {
			to = i - 1; /* back to the drawing board, once */
			stepped_back = 1;
		} else if (u < adv) {
			to = i + 1;
		} else {
			to = S_LOST;
			d->lost_section = stage_section[i];
			if (rnd_chance(&g->r, 0.15)) {
				/* stalls: nobody moves it for months, then it is
				 * written off (or still sits there today) */
				d->stalled = 1;
				next += (long long)rnd_range(&g->r, 60, 300) * DAY;
				d->lost_section = -1; /* "no decision" */
			} else {
				next = t + (long long)((double)(next - t) * rnd_range(&g->r, 0.5, 1.5));
			}
		}
		next = workday(&g->r, next);
		if (to == S_CONV)
			next = quarter_push(g, next, t, 0.45);
		else if (to == S_LOST && i >= S_PROP)
			next = quarter_push(g, next, t, 0.2);
		if (next <= t)
			next = t + 3600;
		if (next > g->now)
			break;
		d->rows[d->nrows++] = (struct stage_row){to, next};
		if (to == S_CONV || to == S_LOST)
			d->closed = next;
		t = next;
		i = to;
		if (d->nrows >= N(d->rows) - 1)
			break;
	}
	d->stage = d->rows[d->nrows - 1].stage;
}

static int insert_deal(struct gen *g, struct deal *d, const char *name, struct err *e)
{
	const struct rep *rp = &g->reps[d->rep];
	char c[TIME_ISO_LEN], u[TIME_ISO_LEN], se[TIME_ISO_LEN], cl[TIME_ISO_LEN], cd[11];
	const char *status = d->stage == S_LOST                      ? "lost"
			     : d->stage == S_CONV || d->stage == S_PAID ? "won"
									 : "open";
	struct stmt *s;
	int rc;

	s = bulk(g, B_OPP,
			  "INSERT INTO opportunities (id, account_id, contact_id, owner_id, "
			  "pipeline_id, name, amount, currency, close_date, channel, stage, status, "
			  "probability, forecast_category, lost_reason, stage_entered_at, closed_at, "
			  "created_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, 1, ?, ?, "
			  "'EUR', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			  e);
	if (!s)
		return E_INTERNAL;
	fmt_iso(d->created, c);
	fmt_iso(d->updated, u);
	fmt_iso(d->rows[d->nrows - 1].at, se);
	fmt_date(d->close_date, cd);
	stmt_bind_int(s, 1, d->id);
	stmt_bind_int(s, 2, d->account);
	stmt_bind_int(s, 3, d->contact);
	stmt_bind_int(s, 4, rp->id);
	stmt_bind_text(s, 5, name);
	stmt_bind_int(s, 6, d->amount);
	stmt_bind_text(s, 7, cd);
	stmt_bind_text(s, 8, ch_key[rp->channel]);
	stmt_bind_text(s, 9, stage_key[d->stage]);
	stmt_bind_text(s, 10, status);
	stmt_bind_int(s, 11, g->prob[d->stage]);
	stmt_bind_text(s, 12, g->category[d->stage]);
	if (d->stage == S_LOST) {
		int r = d->lost_section < 0 ? 2 : rnd_weighted(&g->r, lost_w[d->lost_section], 5);

		stmt_bind_text(s, 13, lost_reasons[r]);
	} else {
		stmt_bind_null(s, 13);
	}
	stmt_bind_text(s, 14, se);
	if (d->closed) {
		fmt_iso(d->closed, cl);
		stmt_bind_text(s, 15, cl);
	} else {
		stmt_bind_null(s, 15);
	}
	stmt_bind_int(s, 16, rp->id);
	stmt_bind_text(s, 17, c);
	stmt_bind_text(s, 18, u);
	stmt_bind_int(s, 19, d->versions);
	rc = stmt_step(s, e);
	stmt_done(s);
	g->n->opportunities++;
	return rc;
}

static int insert_stages(struct gen *g, const struct deal *d, struct err *e)
{
	char in[TIME_ISO_LEN], out[TIME_ISO_LEN];
	int k, rc = OK;

	for (k = 0; k < d->nrows && !rc; k++) {
		struct stmt *s = bulk(g, B_STAGE,
					       "INSERT INTO stage_history (opportunity_id, stage, "
					       "entered_at, exited_at, actor_id) VALUES (?, ?, ?, ?, ?)",
					       e);

		if (!s)
			return E_INTERNAL;
		fmt_iso(d->rows[k].at, in);
		stmt_bind_int(s, 1, d->id);
		stmt_bind_text(s, 2, stage_key[d->rows[k].stage]);
		stmt_bind_text(s, 3, in);
		if (k + 1 < d->nrows) {
			fmt_iso(d->rows[k + 1].at, out);
			stmt_bind_text(s, 4, out);
		} else {
			stmt_bind_null(s, 4);
		}
		stmt_bind_int(s, 5, g->reps[d->rep].id);
		rc = stmt_step(s, e);
		stmt_done(s);
		g->n->stages++;
	}
	return rc;
}

static int insert_events(struct gen *g, struct deal *d, struct err *e)
{
	char at[TIME_ISO_LEN], o[32], n[32];
	int i, j, rc = OK;

	/* in time order (few, so insertion sort) */
	for (i = 1; i < d->nevents; i++)
		for (j = i; j > 0 && d->ev[j - 1].at > d->ev[j].at; j--) {
			struct event x = d->ev[j];

			d->ev[j] = d->ev[j - 1];
			d->ev[j - 1] = x;
		}
	for (i = 0; i < d->nevents && !rc; i++) {
		const struct event *ev = &d->ev[i];
		struct stmt *s = bulk(g, B_HISTORY,
					       "INSERT INTO history (resource, record_id, at, actor_id, "
					       "action, field, old, new) VALUES ('opportunities', ?, ?, "
					       "?, 'update', ?, ?, ?)",
					       e);

		if (!s)
			return E_INTERNAL;
		fmt_iso(ev->at, at);
		if (ev->field == 0) {
			fmt_date(ev->old_v, o);
			fmt_date(ev->new_v, n);
		} else {
			money_text(ev->old_v, o);
			money_text(ev->new_v, n);
		}
		stmt_bind_int(s, 1, d->id);
		stmt_bind_text(s, 2, at);
		stmt_bind_int(s, 3, g->reps[d->rep].id);
		stmt_bind_text(s, 4, ev->field == 0 ? "close_date" : "amount");
		stmt_bind_text(s, 5, o);
		stmt_bind_text(s, 6, n);
		rc = stmt_step(s, e);
		stmt_done(s);
		g->n->history++;
	}
	return rc;
}

static long long round_amount(double eur)
{
	long long v = (long long)(eur / 100 + 0.5) * 100;

	return (v < 500 ? 500 : v) * 100;
}

static int gen_opportunity(struct gen *g, struct deal *d, long long id, long long created,
			   struct err *e)
{
	const struct rep *rp;
	const struct account *ac;
	char acct[200], name[300], person[128];
	const char *first, *last;
	long long planned, t;
	int k, tries, title, dm, rc;
	double days;

	memset(d, 0, offsetof(struct deal, rows));
	d->id = id;
	d->created = created;
	/* an owner who was there (hired at least two weeks before) */
	for (tries = 0;; tries++) {
		d->rep = bsearch_cdf(g->rep_cdf, g->nreps,
				     rnd_unit(&g->r) * g->rep_cdf[g->nreps - 1]);
		if (g->reps[d->rep].hired + 14 * DAY < d->created)
			break;
		if (tries > 30) {
			d->rep = 0; /* hired before the window */
			break;
		}
	}
	rp = &g->reps[d->rep];
	/* one of the owner's accounts that existed by then */
	{
		long long lo = rp->acc0, hi = rp->acc0 + rp->nacc - 1;

		while (lo < hi) {
			long long mid = (lo + hi + 1) / 2;

			if (g->acc[mid].created < d->created)
				lo = mid;
			else
				hi = mid - 1;
		}
		d->account = rp->acc0 + (long long)(rnd_unit(&g->r) * (double)(lo - rp->acc0 + 1));
		if (g->acc[d->account].created >= d->created)
			d->created = g->acc[d->account].created + 3600;
	}
	ac = &g->acc[d->account];
	d->contact = ac->first_contact + rnd_int(&g->r, ac->ncontacts);
	d->amount = round_amount(seg_median[ac->segment] * ch_size[rp->channel] *
				 terrs[ac->terr].market * exp(0.75 * rnd_normal(&g->r)));
	/* the close date the rep first expects */
	days = 0;
	for (k = 0; k < 5; k++)
		days += stage_days[k];
	days *= ch_speed[rp->channel] * seg_speed[ac->segment] * rnd_range(&g->r, 0.7, 1.2);
	planned = round_close(g, d->created + (long long)(days * DAY));
	d->close_date = planned;

	walk(g, d);

	/* changes along the way, stage by stage */
	d->versions = d->nrows; /* each stage move was a write */
	for (k = 0; k < d->nrows; k++) {
		long long until = k + 1 < d->nrows ? d->rows[k + 1].at : g->now;
		int s = d->rows[k].stage;

		if (k > 0 && s == S_PROP && rnd_chance(&g->r, 0.45)) {
			long long na = round_amount((double)d->amount / 100 *
						    rnd_range(&g->r, 0.75, 1.35));

			if (na != d->amount)
				add_event(d, d->rows[k].at + 60, 1, d->amount, na);
			d->amount = na;
		}
		if (k > 0 && s == S_NEG && rnd_chance(&g->r, 0.5)) {
			long long na = round_amount((double)d->amount / 100 *
						    rnd_range(&g->r, 0.85, 0.98));

			if (na != d->amount)
				add_event(d, d->rows[k].at + 60, 1, d->amount, na);
			d->amount = na;
		}
		if (s == S_CONV || s == S_LOST) {
			/* closing sets the close date to the day it happened */
			long long cd = floordiv(d->rows[k].at, DAY) * DAY;

			if (cd != d->close_date)
				add_event(d, d->rows[k].at, 0, d->close_date, cd);
			d->close_date = cd;
			continue;
		}
		if (s == S_PAID)
			continue;
		slips(g, d, d->rows[k].at, until);
	}
	d->versions += d->nevents;
	d->updated = d->rows[d->nrows - 1].at;
	for (k = 0; k < d->nevents; k++)
		if (d->ev[k].at > d->updated)
			d->updated = d->ev[k].at;

	account_name(g, ac, acct, sizeof(acct));
	snprintf(name, sizeof(name), "%s – %s (%s)", acct, products[rnd_int(&g->r, N(products))],
		 deal_kinds[rnd_weighted(&g->r, deal_kind_w, N(deal_kind_w))]);
	rc = insert_deal(g, d, name, e);
	if (!rc)
		rc = insert_stages(g, d, e);
	if (!rc)
		rc = insert_events(g, d, e);

	/* activities: each open stage visited, then the next step of an open deal */
	contact_attrs(g, d->contact, &first, &last, &title, &dm);
	snprintf(person, sizeof(person), "%s %s", first, last);
	for (k = 0; k < d->nrows && !rc; k++) {
		int s = d->rows[k].stage;

		if (s >= S_CONV)
			continue;
		rc = stage_activities(g, id, rp, s, d->rows[k].at,
				      k + 1 < d->nrows ? d->rows[k + 1].at : g->now, acct, person, e);
	}
	if (!rc && d->stage < S_CONV) {
		t = d->rows[d->nrows - 1].at;
		if (!d->stalled && rnd_chance(&g->r, 0.7)) {
			long long asked = g->now - rnd_int(&g->r, 3 * (int)DAY);
			long long due = g->now + (long long)(rnd_range(&g->r, 1, 21) * DAY);

			if (asked < t)
				asked = t + 60;
			if (asked > g->now)
				asked = g->now;
			rc = insert_activity(g, id, rp->id, d->stage >= S_PRES ? "meeting" : "call",
					     d->stage >= S_PROP ? "Next step: agree on terms"
								: "Next step: follow-up call",
					     NULL, asked, workday(&g->r, due), 0, e);
		} else if (d->stalled && rnd_chance(&g->r, 0.5)) {
			long long due = workday(&g->r, t + 21 * DAY);

			if (due < g->now) /* overdue: the deal has gone quiet */
				rc = insert_activity(g, id, rp->id, "task", "Chase for a decision",
						     NULL, t + 3600, due, 0, e);
		}
	}
	return rc;
}

/* The leads' activities, after the opportunities' (see lead_activities). */
static int insert_lead_activities(struct gen *g, struct err *e)
{
	int rc = store_exec(g->st,
			    "INSERT INTO activities (type, subject, due_at, done_at, related_type, "
			    "related_id, owner_id, created_by, created_at, updated_at, version) "
			    "SELECT type, subject, at, at, 'lead', lead, owner, owner, at, at, 2 "
			    "FROM demo_lead_acts ORDER BY rowid",
			    e);

	if (!rc)
		g->n->activities += store_changes(g->st);
	if (!rc)
		rc = store_exec(g->st, "DROP TABLE demo_lead_acts", e);
	return rc;
}

static int gen_opportunities(struct gen *g, struct err *e)
{
	struct deal *d = malloc(sizeof(*d));
	long long id, *times = d ? draw_sorted(g, g->o->scale, e) : NULL;
	int rc = OK;

	if (!times) {
		free(d);
		return d ? E_INTERNAL : fail(e, E_INTERNAL, "out of memory");
	}
	progress(g, "opportunities", 0, g->o->scale);
	for (id = 1; id <= g->o->scale && !rc; id++) {
		rc = gen_opportunity(g, d, id, times[id - 1], e);
		if (!rc && id % BATCH == 0) {
			rc = store_commit(g->st, e);
			if (!rc)
				rc = store_begin(g->st, e);
		}
		if (id % 2048 == 0)
			progress(g, "opportunities", id, g->o->scale);
	}
	progress(g, "opportunities", g->o->scale, g->o->scale);
	free(times);
	free(d);
	return rc;
}

/* ---- the whole ------------------------------------------------------------------ */

time_t demo_default_now(void)
{
	return (time_t)(days_from_civil(2026, 11, 22) * DAY + 17 * 3600);
}

static int count_users(struct store *st, long long *n, struct err *e)
{
	struct stmt *s = store_prepare(st, "SELECT count(*) FROM users", e);
	int rc;

	if (!s)
		return E_INTERNAL;
	rc = stmt_step(s, e);
	*n = rc ? 0 : stmt_int(s, 0);
	stmt_done(s);
	return rc;
}

int demo_generate(struct store *st, const struct demo_opts *o, struct demo_counts *out,
		  struct err *e)
{
	struct gen g;
	long long users;
	int rc, i;

	memset(out, 0, sizeof(*out));
	if (o->scale < 1 || o->scale > DEMO_SCALE_MAX)
		return fail(e, E_INVAL, "scale must be from 1 to %lld", DEMO_SCALE_MAX);
	rc = count_users(st, &users, e);
	if (rc)
		return rc;
	if (users)
		return fail(e, E_CONFLICT, "the database already has %lld users", users);

	memset(&g, 0, sizeof(g));
	g.st = st;
	g.o = o;
	g.n = out;
	g.now = (long long)o->now;
	g.start = floordiv(g.now, DAY) * DAY - YEARS * 365 * DAY;
	rnd_seed(&g.r, o->seed, 0x46554e4e454cULL);

	progress(&g, "password", 0, 1);
	rc = hash_password(&g, e);
	progress(&g, "password", 1, 1);
	if (!rc)
		rc = load_stages(&g, e);
	if (!rc)
		rc = build_days(&g, e);
	/* bulk mode: no journal, no fsync, no foreign-key lookups and no CHECKs
	 * (the rows are valid by construction, and each `x IN (...)` check
	 * builds and frees a temporary b-tree per row), indexes rebuilt at the
	 * end */
	if (!rc)
		rc = store_exec(st,
				"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
				"PRAGMA foreign_keys=OFF; PRAGMA ignore_check_constraints=ON; "
				"PRAGMA temp_store=FILE",
				e);
	if (!rc)
		rc = store_begin(st, e);
	if (rc)
		goto done;
	rc = indexes_drop(&g, e);
	if (!rc)
		rc = date_seeded_rows(&g, e);
	if (!rc)
		rc = gen_org(&g, e);
	if (!rc)
		rc = gen_accounts(&g, e);
	if (!rc)
		rc = gen_leads(&g, e);
	if (!rc)
		rc = store_commit(st, e);
	if (!rc)
		rc = store_begin(st, e);
	if (!rc)
		rc = gen_opportunities(&g, e);
	if (!rc)
		rc = insert_lead_activities(&g, e);
	if (!rc)
		rc = indexes_create(&g, e);
	if (!rc)
		rc = store_commit(st, e);
	else
		store_rollback(st);
	if (!rc)
		rc = store_exec(st,
				"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
				"PRAGMA foreign_keys=ON; PRAGMA ignore_check_constraints=OFF; "
				"PRAGMA temp_store=MEMORY",
				e);
	if (!rc)
		rc = store_ids_taken(st, NULL, e); /* the ids given here are taken */
	if (!rc)
		rc = store_optimize(st, e); /* statistics for the planner, once */
done:
	for (i = 0; i < 2 * g.nindex; i++)
		free(g.index_sql[i]);
	free(g.index_sql);
	free(g.reps);
	free(g.rep_cdf);
	free(g.acc);
	free(g.day_cdf);
	return rc;
}
