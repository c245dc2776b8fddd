# qvault - build, test, demo, bench.
#
#   make            build build/qvault, its manual pages and shell completion
#   make install    install them (PREFIX=/usr/local, DESTDIR=)
#   make demo       install what is missing, build, run the demo
#   make check      install what is missing, build under ASan+UBSan, run every test
#   make stress     the stress tests at full size, then every test under valgrind (long)
#   make fuzz       each fuzz target under libFuzzer for SECONDS=N (default 60)
#   make bench      run the benchmarks (minutes; see bench/README.md)

CC ?= cc
PKGS = libgit2 openssl sqlite3 libmagic jansson zlib libzip libmicrohttpd libfido2 libcbor libqpdf libdeflate libcurl

WARN = -std=c11 -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
       -Wmissing-prototypes -Wvla -Wwrite-strings -fno-common $(TRUNCATION) -Werror
# gcc's alone (make fuzz builds with clang)
TRUNCATION = $(if $(findstring clang,$(CC)),,-Wformat-truncation=2)
BASE_CFLAGS = $(WARN) -D_GNU_SOURCE -pthread $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# Compile flags only for the libraries loaded on first use (dlopen), so that
# a command that does not need one maps neither it nor the libraries it
# pulls in: libcurl (vault/tsa.c, when a TSA is asked), libqpdf, libmicrohttpd,
# libfido2 and libcbor (vault/lazy.c)
LAZY_PKGS = libcurl libqpdf libmicrohttpd libfido2 libcbor
LIBS = $(shell pkg-config --libs $(filter-out $(LAZY_PKGS),$(PKGS)) 2>/dev/null) -lcsv -lunistring -lm -pthread

# B is the build folder; SAN=1 builds with the sanitizers into build/asan.
ifeq ($(SAN),1)
B = build/asan
OPT = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
# libqpdf, loaded on first use, throws C++ exceptions; ASan's __cxa_throw
# interceptor works only if libstdc++ is mapped at start (google/sanitizers
# issue 934), so the sanitizer build links it whatever the linker's default
LIBS += -Wl,--push-state,--no-as-needed -lstdc++ -Wl,--pop-state
else ifeq ($(FUZZ),1)
B = build/fuzz-clang
CC = clang
OPT = -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
      -fno-sanitize-recover=all
else
B = build
OPT = -O2 -g
endif
CFLAGS ?=
ALL_CFLAGS = $(BASE_CFLAGS) $(OPT) $(CFLAGS)
LDFLAGS_ALL = $(OPT) $(LDFLAGS)

LIB_SRC = $(wildcard vault/*.c)
CLI_SRC = $(wildcard cli/*.c)
UNIT_SRC = $(wildcard tests/unit/test_*.c)

# the sample hooks, compiled in for `qvault hooks install`
HOOK_SAMPLES = pre-add post-release pre-receive post-notify
# the index schema and each upgrade, schemas/index-N.sql (index.c's upgrades[])
SCHEMA_OBJ = $(B)/gen/schema.o \
	$(patsubst schemas/index-%.sql,$(B)/gen/schema-%.o,$(wildcard schemas/index-*.sql))
LIB_OBJ = $(LIB_SRC:%.c=$(B)/%.o) $(SCHEMA_OBJ) $(HOOK_SAMPLES:%=$(B)/gen/hook-%.o)
# the portal's script and style sheet, compiled in for `qvault serve --origin`
CLI_OBJ = $(CLI_SRC:%.c=$(B)/%.o) $(B)/gen/portal-js.o $(B)/gen/portal-css.o
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES = $(FUZZ_SRC:tests/fuzz/%.c=%)

.PHONY: all deps browser-deps epcis-deps demo demo-portal check test bench clean lint stress fuzz \
	install uninstall
.SUFFIXES:

all: $(B)/qvault $(B)/doc/stamp

deps:
	@scripts/deps

$(B)/%.o: %.c vault/*.h cli/*.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

# the index schema and its upgrades, compiled in
$(B)/gen/schema.c: schemas/index.sql scripts/embed
	@mkdir -p $(dir $@)
	@scripts/embed vault_schema_sql $< > $@

$(B)/gen/schema-%.c: schemas/index-%.sql scripts/embed
	@mkdir -p $(dir $@)
	@scripts/embed vault_schema_sql_$* $< > $@

$(B)/gen/hook-%.c: hooks/% scripts/embed
	@mkdir -p $(dir $@)
	@scripts/embed vault_hook_$(subst -,_,$*) $< > $@

$(B)/gen/portal-js.c: portal/portal.js scripts/embed
	@mkdir -p $(dir $@)
	@scripts/embed qvault_portal_js $< > $@

$(B)/gen/portal-css.c: portal/portal.css scripts/embed
	@mkdir -p $(dir $@)
	@scripts/embed qvault_portal_css $< > $@

$(B)/gen/%.o: $(B)/gen/%.c
	@echo "  CC      $@"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libqvault.a: $(LIB_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	@ar rcs $@ $^

$(B)/qvault: $(CLI_OBJ) $(B)/libqvault.a
	@echo "  LINK    $@"
	@$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(B)/libqvault.a $(LIBS)

# The manual pages (qvault.1, qvault-COMMAND.1) and the bash and zsh
# completion, made by qvault itself from its command and option tables
# (cli/generate.c), so they never drift from them.
$(B)/doc/stamp: $(B)/qvault
	@echo "  GEN     $(B)/doc"
	@rm -rf $(B)/doc && mkdir -p $(B)/doc/man1
	@$(B)/qvault help --man > $(B)/doc/man1/qvault.1
	@$(B)/qvault help --commands > $(B)/doc/commands
	@while read -r c; do \
		$(B)/qvault help --man $$c > "$(B)/doc/man1/qvault-$$(echo $$c | tr ' ' -).1" || exit 1; \
	done < $(B)/doc/commands
	@$(B)/qvault help --completion bash > $(B)/doc/qvault.bash
	@$(B)/qvault help --completion zsh > $(B)/doc/_qvault
	@touch $@

# Install the plain build (never the sanitizers'): the binary, its manual
# pages, bash and zsh completion where Debian's bash-completion and zsh
# look for them, and the sample hooks.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
DATADIR = $(PREFIX)/share
MANDIR = $(DATADIR)/man
install:
	@$(MAKE) --no-print-directory SAN= FUZZ= B=build build/qvault build/doc/stamp
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions \
		$(DESTDIR)$(DATADIR)/zsh/vendor-completions $(DESTDIR)$(DATADIR)/qvault/hooks
	install -m 0755 build/qvault $(DESTDIR)$(BINDIR)/qvault
	install -m 0644 build/doc/man1/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 build/doc/qvault.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/qvault
	install -m 0644 build/doc/_qvault $(DESTDIR)$(DATADIR)/zsh/vendor-completions/_qvault
	install -m 0755 $(HOOK_SAMPLES:%=hooks/%) $(DESTDIR)$(DATADIR)/qvault/hooks/
	install -m 0644 hooks/README.md $(DESTDIR)$(DATADIR)/qvault/hooks/README.md

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/qvault $(DESTDIR)$(MANDIR)/man1/qvault.1 \
		$(DESTDIR)$(MANDIR)/man1/qvault-*.1 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/qvault \
		$(DESTDIR)$(DATADIR)/zsh/vendor-completions/_qvault
	rm -rf $(DESTDIR)$(DATADIR)/qvault

$(B)/tests/%: tests/unit/%.c tests/unit/helpers.h $(B)/libqvault.a
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) -Ivault -o $@ $< $(B)/libqvault.a $(LIBS) -lcmocka

# fuzz targets with the corpus-replaying driver (make check), or with
# libFuzzer under clang (make fuzz: FUZZ=1, into build/fuzz)
ifeq ($(FUZZ),1)
$(B)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(B)/libqvault.a
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -Ivault -o $@ $< $(B)/libqvault.a $(LIBS)
else
$(B)/fuzz/%: tests/fuzz/%.c tests/fuzz/driver.c tests/fuzz/fuzz.h $(B)/libqvault.a
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) -Ivault -o $@ $< tests/fuzz/driver.c $(B)/libqvault.a $(LIBS)
endif

# hostile zips for the package tests, written byte by byte
$(B)/tools/mkzip: tests/mkzip.c
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $< -lz

# a software security key for the FIDO tests (t0074), loaded by ssh-keygen
# (SSH_SK_PROVIDER), never by qvault: built without the sanitizers, whose
# runtime ssh-keygen does not have
$(B)/tools/sk-soft.so: tests/sk-soft.c
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(WARN) -D_GNU_SOURCE -O2 -fPIC -shared -o $@ $< -lcrypto

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo build/qvault

# A demo vault and its portal on http://localhost:8080 for a browser, until ^C.
demo-portal: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo-portal build/qvault

# Everything, under AddressSanitizer and UndefinedBehaviorSanitizer.
check: deps browser-deps epcis-deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory SAN=1 build/asan/qvault build/asan/tools/mkzip build/asan/tools/sk-soft.so \
		$(UNIT_SRC:tests/unit/%.c=build/asan/tests/%) $(FUZZ_NAMES:%=build/asan/fuzz/%)
	@tests/run build/asan

# The browser tests' npm packages (playwright-core, axe-core), exactly as
# tests/browser/package-lock.json pins them; no browser is downloaded
# (Debian's chromium runs the tests).
browser-deps:
	@[ -d tests/browser/node_modules/playwright-core ] || \
		(cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

# ajv and ajv-formats, which validate the EPCIS export against GS1's
# EPCIS 2.0 JSON Schema (tests/cli/t0094), exactly as
# tests/epcis/package-lock.json pins them.
epcis-deps:
	@[ -d tests/epcis/node_modules/ajv-formats ] || \
		(cd tests/epcis && npm ci --no-audit --no-fund --loglevel=error)

# Each fuzz target under libFuzzer for SECONDS (default 60), starting from
# its corpus in tests/fuzz/corpus/; what it finds new goes to
# build/fuzz-clang/corpus/, crashes to build/fuzz-clang/crash-*.
SECONDS ?= 60
fuzz: deps
	@$(MAKE) --no-print-directory FUZZ=1 $(FUZZ_NAMES:%=build/fuzz-clang/fuzz/%)
	@tests/fuzz/run build/fuzz-clang $(SECONDS)

# The stress tests at full size (crashes, concurrency, I/O faults) on the
# ASan build, then every unit and command-line test once under valgrind.
stress: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory SAN=1 build/asan/qvault build/asan/tools/mkzip build/asan/tools/sk-soft.so \
		$(UNIT_SRC:tests/unit/%.c=build/asan/tests/%) $(FUZZ_NAMES:%=build/asan/fuzz/%)
	@STRESS=full tests/run build/asan
	@$(MAKE) --no-print-directory all build/tools/mkzip $(UNIT_BIN)
	@QVAULT_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --num-callers=40 \
		--suppressions=$(CURDIR)/tests/valgrind.supp" \
		tests/run build

bench: deps
	@$(MAKE) --no-print-directory all build/bench/mkvault build/bench/tracebench \
		build/bench/portalbench build/bench/pdfbench build/tools/mkzip
	@bench/run build/qvault

lint:
	clang-tidy $(LIB_SRC) $(CLI_SRC) -- $(BASE_CFLAGS)
	cppcheck --error-exitcode=1 --enable=warning,performance,portability \
		--suppress=missingIncludeSystem --suppress=unknownMacro -D_GNU_SOURCE vault cli

clean:
	rm -rf build

$(B)/bench/%: bench/%.c $(B)/libqvault.a
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) -Ivault -o $@ $< $(B)/libqvault.a $(LIBS)
