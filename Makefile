# Funnel — build, run, test.  See README.md.
#
#   make            build ./funnel and the web UI (web/dist)
#   make web        the web UI only: npm ci + vite build into web/dist
#   make run        install packages (scripts/deps.sh), build, demo data, serve :8080
#   make test       the whole suite: unit, API, end-to-end, fuzz smoke, sanitizers
#   make e2e        end-to-end tests of the web UI in headless Chromium (tests/e2e)
#   make asan       build/asan/funnel with AddressSanitizer + UBSan
#   make bench      benchmarks (bench/README.md)

CC ?= cc
PKGS := libmicrohttpd sqlite3 libsodium jansson libcurl libical libcrypto gmime-3.0 libpq
OPT ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS_ALL = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(OPT) $(WARN) $(PKG_CFLAGS) -Isrc -MMD -MP $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lcsv -lhpdf -lm -lpthread $(LDLIBS)

MIGRATIONS := $(sort $(wildcard src/store/migrations/*.sql))
# NNN_name.pg.sql (PostgreSQL) rides along with its NNN_name.sql
SRC := $(sort $(wildcard src/core/*.c src/store/*.c src/crm/*.c src/crm/*/*.c src/api/*.c src/http/*.c src/cli/*.c))
SRC := $(filter-out src/store/migrations.gen.c,$(SRC)) src/store/migrations.gen.c
LIB_SRC := $(filter-out src/cli/%,$(SRC))

BUILD ?= build/release
OBJ := $(SRC:src/%.c=$(BUILD)/%.o)
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/%.o)

.PHONY: all run test unit api asan deps clean bench fuzz web e2e screenshots
all: funnel web

funnel: $(BUILD)/funnel
	ln -sf $(BUILD)/funnel funnel

$(BUILD)/funnel: $(OBJ)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/libfunnel.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The web UI: web/src built by Vite into web/dist, which `funnel serve` serves
# (web/README.md).  npm ci runs again only when the lockfile changes.  npm >= 10
# refuses `npm ci` when the lockfile lacks other platforms' optional packages
# (rollup's), which a registry mirror that lacks them cannot record; then
# `npm install --no-save` installs the same locked versions.
WEB_SRC := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.js
web: web/dist/index.html

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && { npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || \
		npm install --no-save --no-audit --no-fund --loglevel=error; }
	@touch $@

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && node node_modules/vite/bin/vite.js build --logLevel warn

src/store/migrations.gen.c: $(MIGRATIONS) scripts/embed-sql.sh
	scripts/embed-sql.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

deps:
	scripts/deps.sh

# A database with the demo company, then the server on :8080.
run: deps
	$(MAKE) funnel web
	@test -f funnel.db || ./funnel demo --db funnel.db
	@echo
	@echo "  Funnel: http://127.0.0.1:8080"
	@echo "  Demo logins (password 'demo-password' for all):"
	@echo "    admin@demo.funnel     admin"
	@echo "    manager@demo.funnel   sales manager"
	@echo "    rep@demo.funnel       salesperson"
	@echo
	@echo "  Live meetings: Janus in funnel.janus/ (docs/meetings-live.md)"
	scripts/serve-with-janus.sh funnel.db 127.0.0.1:8080

# Benchmarks: each prints its figures beside a baseline measured in the same
# run (bench/README.md).  Databases go to bench/out (large: 1M deals ~2.6 GB).
bench:
	scripts/deps.sh bench
	$(MAKE) funnel
	bench/api.sh
	bench/import.sh
	bench/forecast.sh
	bench/lists.sh
	bench/funnel.sh
	bench/backtest.sh
	$(MAKE) web
	bench/ui.sh
	bench/dashboard.sh
	bench/meeting.sh

include tests/tests.mk

clean:
	rm -rf build funnel src/store/migrations.gen.c web/dist

-include $(OBJ:.o=.d)
