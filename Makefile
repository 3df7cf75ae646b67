# feedwatch: plain GNU make.  `make`, `make check`, `make check-asan`,
# `make fuzz`, `make bench`, `make install`, `make clean`.

VERSION	= 0.1.0
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DOCDIR	?= $(PREFIX)/share/doc/feedwatch
UNITDIR	?= $(PREFIX)/lib/systemd/system
USERUNITDIR ?= $(PREFIX)/lib/systemd/user
# The demo's config and feeds (the binary also looks beside itself, in
# ../share/doc/feedwatch/examples); the Debian package moves them out of
# /usr/share/doc, which a system may leave out.
EXAMPLESDIR ?= $(DOCDIR)/examples
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ICONDIR	?= $(PREFIX)/share/icons/hicolor/scalable/apps
APPDIR	?= $(PREFIX)/share/applications

PKG_CONFIG ?= pkg-config
PKGS	= libcurl libevent libxml-2.0 sqlite3 jansson libsystemd libutf8proc \
	  libpcre2-8 glib-2.0 libnotify
TEST_PKGS = check zlib

WARN	= -Wall -Wextra -Wpedantic -Wstrict-prototypes -Wmissing-prototypes \
	  -Wshadow -Wpointer-arith -Wwrite-strings -Wvla -Wformat=2 \
	  -Wno-unused-parameter
CPPFLAGS += -D_GNU_SOURCE -DFEEDWATCH_VERSION='"$(VERSION)"' \
	    -DFEEDWATCH_EXAMPLES_DIR='"$(EXAMPLESDIR)"' \
	    -Ibase -Ifeeds -Ialerts -Idaemon
CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 $(WARN)
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS)) -lstemmer -lm
TEST_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS  := $(shell $(PKG_CONFIG) --libs $(TEST_PKGS) 2>/dev/null)

BASE_SRC   = base/log.c \
	     base/xmalloc.c \
	     base/xfer.c \
	     base/listener.c \
	     base/url.c \
	     base/duration.c
FEEDS_SRC  = feeds/item.c \
	     feeds/text.c \
	     feeds/html.c \
	     feeds/date.c \
	     feeds/raw.c \
	     feeds/decoder.c \
	     feeds/xmlfilter.c \
	     feeds/entry.c \
	     feeds/jsonfeed.c \
	     feeds/xmlfeed.c \
	     feeds/parser.c \
	     feeds/fetch.c \
	     feeds/opml.c \
	     feeds/discover.c \
	     feeds/article.c \
	     feeds/artfetch.c
ALERTS_SRC = alerts/norm.c \
	     alerts/query.c \
	     alerts/snippet.c \
	     alerts/smap.c \
	     alerts/fuzzy.c \
	     alerts/wordset.c \
	     alerts/match.c \
	     alerts/alert.c \
	     alerts/storytext.c \
	     alerts/story.c \
	     alerts/termtext.c \
	     alerts/sink.c \
	     alerts/netsink.c \
	     alerts/chat.c \
	     alerts/sink_webhook.c \
	     alerts/sink_email.c \
	     alerts/sink_exec.c \
	     alerts/sink_desktop.c
DAEMON_SRC = daemon/config.c \
	     daemon/inifile.c \
	     daemon/confval.c \
	     daemon/confsink.c \
	     daemon/conffeed.c \
	     daemon/confwrite.c \
	     daemon/cmdline.c \
	     daemon/store.c \
	     daemon/store_sqlite.c \
	     daemon/store_sqlite_feed.c \
	     daemon/store_sqlite_outbox.c \
	     daemon/store_sqlite_push.c \
	     daemon/store_file.c \
	     daemon/watch.c \
	     daemon/outbox.c \
	     daemon/feedpoll.c \
	     daemon/push.c \
	     daemon/fulltext.c \
	     daemon/storyclaim.c \
	     daemon/schedule.c \
	     daemon/run.c \
	     daemon/metrics.c \
	     daemon/show.c \
	     daemon/status.c \
	     daemon/alerts.c \
	     daemon/mute.c \
	     daemon/backtest.c \
	     daemon/demo.c \
	     daemon/commands.c \
	     daemon/subscribe.c \
	     daemon/testsink.c
LIB_SRC	= $(BASE_SRC) $(FEEDS_SRC) $(ALERTS_SRC) $(DAEMON_SRC)
TEST_SRC = tests/run.c \
	   tests/httpd.c \
	   tests/hostile.c \
	   tests/serve.c \
	   tests/harness.c \
	   tests/check_config.c \
	   tests/check_parser.c \
	   tests/check_match.c \
	   tests/check_e2e.c \
	   tests/check_daemon.c \
	   tests/sinkh.c \
	   tests/check_webhook.c \
	   tests/check_email.c \
	   tests/check_exec.c \
	   tests/check_desktop.c \
	   tests/check_hostile.c \
	   tests/check_url.c \
	   tests/check_store.c \
	   tests/check_opml.c \
	   tests/check_watch.c \
	   tests/check_schedule.c \
	   tests/check_push.c \
	   tests/check_article.c \
	   tests/check_auth.c \
	   tests/check_subscribe.c \
	   tests/check_terminal.c \
	   tests/check_fulltext.c \
	   tests/storyset.c \
	   tests/check_story.c \
	   tests/check_mute.c

# Normal and sanitizer builds live side by side so neither dirties the other.
O	?= build
OBJ	= $(LIB_SRC:%.c=$(O)/%.o)
TEST_OBJ = $(TEST_SRC:%.c=$(O)/%.o)
MAIN_OBJ = $(O)/daemon/main.o

all: feedwatch

feedwatch: $(O)/feedwatch
	cp $< $@

$(O)/feedwatch: $(MAIN_OBJ) $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(O)/tests/run: $(TEST_OBJ) $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) $(TEST_CFLAGS) -MMD -MP -c -o $@ $<

FUZZ_TARGETS = parser html date query config article discover

# Every fuzz target's seeds and saved crash inputs, replayed without
# libFuzzer (sanitized too under check-asan).
REPLAY_BIN = $(FUZZ_TARGETS:%=$(O)/fuzz/replay_%)

$(O)/fuzz/replay_%: $(O)/fuzz/fuzz_%.o $(O)/tests/fuzz_replay.o $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

replay: $(REPLAY_BIN)
	@for t in $(FUZZ_TARGETS); do \
		$(O)/fuzz/replay_$$t fuzz/$$t/* $$(ls -d fuzz/regress/$$t/* \
		    2>/dev/null) > $(O)/fuzz/replay_$$t.log 2>&1 || \
		    { cat $(O)/fuzz/replay_$$t.log; exit 1; }; \
	done

# The suites exec the binary under test through $FEEDWATCH, read their
# fixtures from the tree ($FEEDWATCH_SRC) and the third-party corpus, where
# it is, from $FEEDWATCH_SHARED/corpus (FEEDWATCH_REQUIRE_CORPUS=1: its
# absence fails them).  tests/install.sh first checks that the binary,
# installed under another prefix, runs its demo; tests/completion.sh runs
# the bash completion against it.
SHARED	?= $(abspath ../shared)
check: $(O)/tests/run $(O)/feedwatch $(O)/bench/bench_schedule replay
	MAKE='$(MAKE)' sh tests/install.sh
	FEEDWATCH=$(abspath $(O)/feedwatch) bash tests/completion.sh
	FEEDWATCH=$(abspath $(O)/feedwatch) FEEDWATCH_SHARED=$(SHARED) \
	    FEEDWATCH_SRC=$(CURDIR) $(O)/tests/run

ASAN_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	     -fno-sanitize-recover=all
check-asan:
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    $(MAKE) O=build-asan CFLAGS="$(ASAN_FLAGS)" LDFLAGS="$(ASAN_FLAGS)" check

# The end-to-end suite with every feedwatch run under valgrind (exit 99 on
# an invalid access or a definite leak).
check-valgrind: $(O)/tests/run $(O)/feedwatch
	@command -v valgrind >/dev/null || { echo "valgrind is not installed:" \
	    "it comes with Debian's package 'valgrind'" \
	    "(scripts/install-deps.sh installs it)" >&2; exit 1; }
	CK_RUN_SUITE=e2e FEEDWATCH=$(CURDIR)/tests/valgrind-feedwatch.sh \
	    FEEDWATCH_REAL=$(abspath $(O)/feedwatch) FEEDWATCH_SHARED=$(SHARED) \
	    FEEDWATCH_SRC=$(CURDIR) $(O)/tests/run

# libFuzzer targets: fuzz/fuzz_NAME.c against the library built with clang.
# `make fuzz` runs each for FUZZ_SECONDS with its seed corpus fuzz/NAME/.
FUZZ_SECONDS ?= 60
# FUZZ_RUNS=N: a fixed, seeded run of N inputs per target (what CI uses:
# the same inputs every time, so CI cannot fail on a crash found by luck).
FUZZ_RUNS ?=
FUZZ_FLAGS = -O1 -g -fsanitize=fuzzer-no-link,address,undefined
FUZZ_OBJ = $(LIB_SRC:%.c=build-fuzz/%.o)
FUZZ_BIN = $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)

build-fuzz/%.o: %.c
	@mkdir -p $(@D)
	clang $(CPPFLAGS) -std=gnu11 $(FUZZ_FLAGS) $(PKG_CFLAGS) -MMD -MP \
	    -c -o $@ $<

build-fuzz/fuzz_%: fuzz/fuzz_%.c $(FUZZ_OBJ)
	clang $(CPPFLAGS) -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined \
	    $(PKG_CFLAGS) -o $@ $^ $(PKG_LIBS)

fuzz: $(FUZZ_BIN)
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p build-fuzz/corpus-$$t; \
		echo "fuzz $$t: $(FUZZ_SECONDS)s"; \
		build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
		    $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS) -seed=1) \
		    -print_final_stats=0 build-fuzz/corpus-$$t fuzz/$$t || exit 1; \
	done

# Benchmarks: every bench/bench_*.sh, side by side with the peers.
bench: feedwatch
	@for b in bench/bench_*.sh; do sh $$b || exit 1; done

# The matcher alone over a text corpus (bench/bench_match.sh).
BENCH_MATCH_OBJ = $(O)/bench/bench_match.o $(O)/alerts/norm.o \
	$(O)/alerts/query.o $(O)/alerts/snippet.o $(O)/alerts/smap.o \
	$(O)/alerts/fuzzy.o $(O)/alerts/wordset.o $(O)/alerts/match.o \
	$(O)/base/xmalloc.o $(O)/base/log.o
$(O)/bench/bench_match: $(BENCH_MATCH_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The parser alone over feed files (bench/bench_parse.sh).
BENCH_PARSE_OBJ = $(O)/bench/bench_parse.o $(O)/feeds/parser.o \
	$(O)/feeds/raw.o $(O)/feeds/decoder.o $(O)/feeds/xmlfilter.o \
	$(O)/feeds/entry.o \
	$(O)/feeds/jsonfeed.o $(O)/feeds/xmlfeed.o \
	$(O)/feeds/item.o $(O)/feeds/text.o $(O)/feeds/html.o \
	$(O)/feeds/date.o $(O)/base/xmalloc.o $(O)/base/log.o
$(O)/bench/bench_parse: $(BENCH_PARSE_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The article extractor beside bare libxml2 (bench/bench_article.sh).
BENCH_ARTICLE_OBJ = $(O)/bench/bench_article.o $(O)/feeds/article.o \
	$(O)/feeds/decoder.o $(O)/feeds/text.o $(O)/feeds/html.o $(O)/base/url.o \
	$(O)/base/xmalloc.o $(O)/base/log.o
$(O)/bench/bench_article: $(BENCH_ARTICLE_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Story signatures on the labelled set, and their cost (bench/bench_story.sh).
BENCH_STORY_OBJ = $(O)/bench/bench_story.o $(O)/tests/storyset.o \
	$(O)/alerts/story.o $(O)/alerts/storytext.o $(O)/alerts/norm.o \
	$(O)/base/xmalloc.o $(O)/base/log.o
$(O)/bench/bench_story.o: CPPFLAGS += -Itests
$(O)/bench/bench_story: $(BENCH_STORY_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(O)/bench/bench_story_cost: $(O)/bench/bench_story_cost.o $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The interval rule in virtual time (bench/bench_schedule.sh); the
# schedule suite runs it on a small fixture, so check builds it.
$(O)/bench/bench_schedule: $(O)/bench/bench_schedule.o $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Static analysis and the layering rules of STYLE.md.  clang-tidy's
# analyzer misreads <sys/queue.h> unlinking, so those lines carry NOLINT
# with the reason; the checks left out below flag idioms used on purpose
# (sizeof(*p) of a pointer array, memcpy of non-terminated buffers).
TIDY_CHECKS = -*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.*,\
	-clang-analyzer-valist.Uninitialized,bugprone-*,\
	-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,\
	-bugprone-assignment-in-if-condition,-bugprone-narrowing-conversions,\
	-bugprone-implicit-widening-of-multiplication-result,\
	-bugprone-sizeof-expression,-bugprone-not-null-terminated-result,\
	-bugprone-branch-clone
lint:
	cppcheck --quiet --enable=warning,portability,performance --std=c11 \
	    -D_GNU_SOURCE -DFEEDWATCH_VERSION='"lint"' -Ibase -Ifeeds -Ialerts -Idaemon \
	    --include=/usr/include/x86_64-linux-gnu/sys/queue.h \
	    --suppress=missingIncludeSystem --inline-suppr --error-exitcode=1 \
	    base feeds alerts daemon
	clang-tidy --quiet --warnings-as-errors='*' -checks='$(TIDY_CHECKS)' \
	    $(LIB_SRC) daemon/main.c -- $(CPPFLAGS) -std=gnu11 $(PKG_CFLAGS)
	@# includes point down base <- feeds <- alerts <- daemon; each library
	@# stays on its floor
	sh scripts/check-layers.sh
	@echo "lint: clean"

# The demo: the daemon on the bundled example config, plus a live feed.
demo: feedwatch
	./feedwatch demo

# The binary finds the examples from its own path (demo.c), so that one
# built for any PREFIX works installed under another, or under DESTDIR.
install: $(O)/feedwatch
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(EXAMPLESDIR)/feeds \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(USERUNITDIR) \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ICONDIR) $(DESTDIR)$(APPDIR)
	install -m 755 $(O)/feedwatch $(DESTDIR)$(BINDIR)/feedwatch
	install -m 644 man/man1/feedwatch.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/man5/feedwatch.conf.5 $(DESTDIR)$(MANDIR)/man5/
	sed 's|@BINDIR@|$(BINDIR)|g' systemd/feedwatch.service.in \
	    > $(DESTDIR)$(UNITDIR)/feedwatch.service
	sed 's|@BINDIR@|$(BINDIR)|g' systemd/user/feedwatch.service.in \
	    > $(DESTDIR)$(USERUNITDIR)/feedwatch.service
	install -m 644 examples/feedwatch.conf $(DESTDIR)$(EXAMPLESDIR)/
	install -m 644 examples/feeds/* $(DESTDIR)$(EXAMPLESDIR)/feeds/
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 644 completion/feedwatch.bash \
	    $(DESTDIR)$(BASHCOMPDIR)/feedwatch
	install -m 644 assets/feedwatch.svg $(DESTDIR)$(ICONDIR)/
	install -m 644 assets/feedwatch.desktop $(DESTDIR)$(APPDIR)/

clean:
	rm -rf build build-asan build-fuzz feedwatch

# Every object's headers, the fuzz and bench drivers' too: a changed
# struct rebuilds whatever was compiled against it.
-include $(wildcard $(O)/*/*.d build-fuzz/*/*.d)

# Keep the objects pattern chains build (fuzz, replay): no rebuild each run.
.SECONDARY:

.PHONY: replay all check check-asan check-valgrind fuzz bench lint demo install clean
