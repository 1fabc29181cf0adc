# tests — included from the Makefile.
#
#   make test       unit + API + fuzz smoke (release build), then the same
#                   unit + API suites under ASan/UBSan; prints one closing
#                   'N passed, N failed' line for CI.
#   make unit       C unit tests (cmocka), tests/unit/test_*.c
#   make api        API tests (Python, real server), tests/api/test_*.py
#   make fuzz       libFuzzer targets, tests/fuzz/fuzz_*.c, FUZZ_SECONDS each
#   make e2e        the web UI in headless Chromium against a real server with
#                   the demo company, tests/e2e/test_*.mjs (E2E=name runs some)
#   make screenshots  docs/screenshots/*.png, every screen (scripts/screenshots.sh)

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 20

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libfunnel.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Isrc -o $@ $< $(BUILD)/libfunnel.a $(LDLIBS_ALL) -lcmocka

unit: $(UNIT_BIN)
	@tests/run-unit.sh $(UNIT_BIN)

api: funnel
	FUNNEL_BIN=$(BUILD)/funnel python3 tests/api/run.py

# Sanitizer build: its own object tree (build/asan), same sources; runs the
# unit and API suites with AddressSanitizer + UndefinedBehaviorSanitizer.
ASAN_OPT := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan:
	$(MAKE) BUILD=build/asan OPT="$(ASAN_OPT)" build/asan/funnel unit
	FUNNEL_BIN=build/asan/funnel ASAN_OPTIONS=detect_leaks=0 python3 tests/api/run.py

fuzz:
	@PKGS="$(PKGS)" tests/fuzz/run.sh $(FUZZ_SECONDS)

e2e: funnel web
	FUNNEL_BIN=$(BUILD)/funnel node tests/e2e/run.mjs $(E2E)

screenshots: funnel web
	FUNNEL_BIN=$(BUILD)/funnel scripts/screenshots.sh

test: deps
	@tests/run-all.sh
