# Funnel — build, run, test.  See README.md.
#
#   make            build ./funnel
#   make run        install packages (scripts/deps.sh), build, demo data, serve :8080
#   make test       the whole suite: unit, API, fuzz smoke, sanitizers
#   make asan       build/asan/funnel with AddressSanitizer + UBSan
#   make bench      benchmarks (bench/README.md)

CC ?= cc
PKGS := libmicrohttpd sqlite3 libsodium jansson
OPT ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS_ALL = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(OPT) $(WARN) $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lcsv -lhpdf -lm -lpthread $(LDLIBS)

MIGRATIONS := $(sort $(wildcard src/store/migrations/*.sql))
SRC := $(sort $(wildcard src/core/*.c src/store/*.c src/crm/*.c src/api/*.c src/http/*.c src/cli/*.c))
SRC := $(filter-out src/store/migrations.gen.c,$(SRC)) src/store/migrations.gen.c
LIB_SRC := $(filter-out src/cli/%,$(SRC))

BUILD ?= build/release
OBJ := $(SRC:src/%.c=$(BUILD)/%.o)
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/%.o)

.PHONY: all run test unit api asan deps clean bench fuzz
all: funnel

funnel: $(BUILD)/funnel
	ln -sf $(BUILD)/funnel funnel

$(BUILD)/funnel: $(OBJ)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/libfunnel.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

src/store/migrations.gen.c: $(MIGRATIONS) scripts/embed-sql.sh
	scripts/embed-sql.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

deps:
	scripts/deps.sh

# A database with the demo company, then the server on :8080.
run: deps
	$(MAKE) funnel
	@test -f funnel.db || ./funnel demo --db funnel.db
	@echo
	@echo "  Funnel: http://127.0.0.1:8080"
	@echo "  Demo logins (password 'demo-password' for all):"
	@echo "    admin@demo.funnel     admin"
	@echo "    manager@demo.funnel   sales manager"
	@echo "    rep@demo.funnel       salesperson"
	@echo
	./funnel serve --db funnel.db --listen 127.0.0.1:8080

# Benchmarks: each prints its figures beside a baseline measured in the same
# run (bench/README.md).  Databases go to bench/out (large: 1M deals ~2.6 GB).
bench:
	scripts/deps.sh bench
	$(MAKE) funnel
	bench/api.sh
	bench/import.sh
	bench/forecast.sh
	bench/funnel.sh
	bench/backtest.sh

include tests/tests.mk

clean:
	rm -rf build funnel src/store/migrations.gen.c

-include $(OBJ:.o=.d)
