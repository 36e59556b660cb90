# loaxa: one non-recursive Makefile.
#
#   make            build build/loaxa, build/loaxa-net, build/loaxa-link,
#                   build/loaxa-relay
#   make test       unit tests (Check) and end-to-end tests on the real binary
#   make sanitize   the same suite built with -fsanitize=address,undefined
#   make bench      benchmarks that print ratios against reference tools
#   make bench-fleet  the district with 200 and 2,000 simulated stations (minutes)
#   make crash      200 SIGKILLs during airings and imports (make test runs 30)
#   make fuzz       libFuzzer targets, FUZZ_SECONDS each (CI: 30)
#   make soak       the daemon on a compressed timetable for 10 minutes
#   make demo       the demo station on the embedded default
#   make deps       install the Debian packages that are missing (tools/deps)
#   make install    PREFIX=/usr/local DESTDIR=
#   make V=1        show the commands

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DOCDIR    ?= $(PREFIX)/share/doc/loaxa
LOCALEDIR ?= $(PREFIX)/share/locale
UNITDIR   ?= $(PREFIX)/lib/systemd/system
BUILD     ?= build

CC        ?= cc
PKG_CONFIG ?= pkg-config
PKGS      := libmpg123 sndfile ogg ao sqlite3 libconfig libebur128 libsodium xlsxwriter
# The network commands' own (link, fleet, web): MQTT with OpenSSL, HTTP with
# GnuTLS. Only build/loaxa-net and build/loaxa-link link them, so that the
# playout daemon and its airing children never map them (cli/net.h says why).
NET_PKGS  := libmicrohttpd libmosquitto
# The station link's program, build/loaxa-link, links MQTT (OpenSSL) alone:
# it stays resident on every station, so it maps nothing else it does not
# call (neither the web's GnuTLS nor the audio decoders).
LINK_PKGS := libmosquitto
# The relay service's own: FFmpeg opens, fetches (HTTP, HTTPS, HLS) and
# decodes live sources (MP3, AAC, Vorbis, Opus; pulse and alsa capture).
# Only build/loaxa-relay links them, so that the playout daemon and its
# airing children never map them (relay/fetch/main.c says why).
RELAY_PKGS := libavformat libavcodec libavdevice libswresample libavutil

WARN      := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
             -Wformat=2 -Wwrite-strings -Wpointer-arith -Wundef
OPT       ?= -O2 -g
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ifeq ($(SAN),1)
OPT       := -O1 -g $(SAN_FLAGS)
endif
ifeq ($(WERROR),1)
WARN      += -Werror
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) $(NET_PKGS) 2>/dev/null)
# libxlsxwriter: its header at build time, the library by dlopen when a
# workbook is written (reports/xlsx.c says why).
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(filter-out xlsxwriter,$(PKGS)) 2>/dev/null)
NET_LIBS   := $(shell $(PKG_CONFIG) --libs $(NET_PKGS) 2>/dev/null)
LINK_LIBS  := $(shell $(PKG_CONFIG) --libs $(LINK_PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -DLOAXA_VERSION='"$(VERSION)"' \
              -DLOCALEDIR='"$(LOCALEDIR)"' -DLOAXA_BINDIR='"$(BINDIR)"' -I. \
              $(WARN) $(OPT) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS := $(OPT) $(LDFLAGS)
LIBS      := $(PKG_LIBS) -lm

ifeq ($(V),1)
Q :=
else
Q := @
endif

# The core, in dependency order; the programs and the tests link it. What
# calls libmosquitto or libmicrohttpd is a library apart (NET_LIB) that only
# loaxa-net and the tests link.
MODULES   := common config store audio relay library playlists reports scheduler link fleet web
NET_SRC   := link/link.c $(wildcard fleet/*.c web/*.c)
NET_OBJ   := $(NET_SRC:%.c=$(BUILD)/%.o)
NET_LIB   := $(BUILD)/libloaxa-net.a
CORE_SRC  := $(filter-out $(NET_SRC),$(foreach m,$(MODULES),$(wildcard $(m)/*.c)))
CORE_OBJ  := $(CORE_SRC:%.c=$(BUILD)/%.o)
CORE_LIB  := $(BUILD)/libloaxa.a
# The commands: loaxa links all but the network's, for which it has
# stand-ins (cli/net-entries.c); loaxa-net links fleet and web and main
# again with only them (LOAXA_NET), loaxa-link link alone (LOAXA_LINK). The
# rest of cli/ is a library all three link.
CLI_NET_SRC := cli/cmd-fleet.c cli/cmd-web.c
CLI_NET_OBJ := $(CLI_NET_SRC:%.c=$(BUILD)/%.o)
CLI_LINK_OBJ := $(BUILD)/cli/cmd-link.o
CLI_SRC   := $(filter-out cli/main.c cli/net-entries.c cli/cmd-link.c $(CLI_NET_SRC),$(wildcard cli/*.c))
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/%.o)
CLI_LIB   := $(BUILD)/libloaxa-cli.a
PROG_OBJ  := $(BUILD)/cli/main.o $(BUILD)/cli/net-entries.o
PROG      := $(BUILD)/loaxa
NET_MAIN  := $(BUILD)/cli/main-net.o
NET_PROG  := $(BUILD)/loaxa-net
LINK_MAIN := $(BUILD)/cli/main-link.o
LINK_PROG := $(BUILD)/loaxa-link
RELAY_SRC := $(wildcard relay/fetch/*.c)
RELAY_OBJ := $(RELAY_SRC:%.c=$(BUILD)/%.o)
RELAY_PROG := $(BUILD)/loaxa-relay
RELAY_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(RELAY_PKGS) 2>/dev/null)
RELAY_LIBS := $(shell $(PKG_CONFIG) --libs $(RELAY_PKGS) 2>/dev/null)

UNIT_SRC  := $(wildcard tests/check_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%)
TESTLIB_SRC := $(filter-out $(UNIT_SRC) tests/gen-audio.c,$(wildcard tests/*.c))
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(BUILD)/%.o)
GEN_AUDIO := $(BUILD)/tests/gen-audio
PO_VI     := $(sort $(wildcard po/vi/*.po))
MO        := $(BUILD)/locale/vi/LC_MESSAGES/loaxa.mo

.SECONDARY:
.PHONY: all test unit e2e sanitize bench bench-fleet crash soak fuzz demo deps install uninstall clean
all: $(PROG) $(NET_PROG) $(LINK_PROG) $(RELAY_PROG) $(GEN_AUDIO) $(MO)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(CORE_LIB): $(CORE_OBJ)
$(NET_LIB): $(NET_OBJ)
$(CLI_LIB): $(CLI_OBJ)
# Made again when the Makefile changes, which may move a file between them.
$(CORE_LIB) $(NET_LIB) $(CLI_LIB): Makefile
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $(filter %.o,$^)

$(PROG): $(PROG_OBJ) $(CLI_LIB) $(CORE_LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(PROG_OBJ) $(CLI_LIB) $(CORE_LIB) $(LIBS)

$(NET_MAIN): cli/main.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $< (loaxa-net)")
	$(Q)$(CC) $(ALL_CFLAGS) -DLOAXA_NET -c -o $@ $<

# --as-needed: loaxa-net maps only the libraries its code calls (not the
# audio decoders and output that the core's other commands use).
$(NET_PROG): $(NET_MAIN) $(CLI_NET_OBJ) $(CLI_LIB) $(NET_LIB) $(CORE_LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -Wl,--as-needed -o $@ $(NET_MAIN) $(CLI_NET_OBJ) \
		$(CLI_LIB) $(NET_LIB) $(CORE_LIB) $(NET_LIBS) $(LIBS)

$(LINK_MAIN): cli/main.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $< (loaxa-link)")
	$(Q)$(CC) $(ALL_CFLAGS) -DLOAXA_LINK -c -o $@ $<

# Only what `loaxa link` calls, and of the libraries only those it calls.
$(LINK_PROG): $(LINK_MAIN) $(CLI_LINK_OBJ) $(CLI_LIB) $(NET_LIB) $(CORE_LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -Wl,--as-needed -o $@ $(LINK_MAIN) $(CLI_LINK_OBJ) \
		$(CLI_LIB) $(NET_LIB) $(CORE_LIB) $(LINK_LIBS) $(LIBS)

# Vietnamese messages: every po/vi/*.po (one per part of the program), joined
# into one catalogue; build/locale beside build/loaxa is where the program in
# the build tree finds it (common/i18n.c).
$(MO): $(PO_VI)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MSGFMT  $@")
	$(Q)msgcat --use-first $(PO_VI) | msgfmt --check -o $@ -

$(RELAY_OBJ): ALL_CFLAGS += $(RELAY_CFLAGS)

$(RELAY_PROG): $(RELAY_OBJ) $(CORE_LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(RELAY_OBJ) $(CORE_LIB) $(RELAY_LIBS) $(LIBS)

$(GEN_AUDIO): $(BUILD)/tests/gen-audio.o
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/check_%.o: tests/check_%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<

$(BUILD)/tests/check_%: $(BUILD)/tests/check_%.o $(TESTLIB_OBJ) $(NET_LIB) $(CORE_LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(TESTLIB_OBJ) $(NET_LIB) $(CORE_LIB) $(CHECK_LIBS) \
		$(NET_LIBS) $(LIBS)

# Every unit test binary, then every end-to-end script against the real binary.
test: unit e2e

unit: $(UNIT_BIN) $(GEN_AUDIO) $(PROG) $(NET_PROG) $(LINK_PROG)
	$(Q)fail=0; for t in $(UNIT_BIN); do \
		LOAXA_GEN_AUDIO=$(abspath $(GEN_AUDIO)) LOAXA=$(abspath $(PROG)) \
		CK_DEFAULT_TIMEOUT=60 $$t || fail=1; done; exit $$fail

# LOAXA_SANITIZED tells scripts that run tools of their own (valgrind) to skip them.
e2e: $(PROG) $(NET_PROG) $(LINK_PROG) $(RELAY_PROG) $(GEN_AUDIO) $(MO)
	$(Q)LOAXA=$(abspath $(PROG)) LOAXA_GEN_AUDIO=$(abspath $(GEN_AUDIO)) \
		LOAXA_SANITIZED=$(if $(filter 1,$(SAN)),1,) \
		tests/run-e2e $(filter-out tests/e2e/lib.sh tests/e2e/broker.sh,$(wildcard tests/e2e/*.sh))

sanitize:
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/san SAN=1 test

bench: $(PROG) $(NET_PROG) $(LINK_PROG) $(GEN_AUDIO)
	$(Q)for b in $(sort $(filter-out bench/fleet.sh,$(wildcard bench/*.sh))); do \
		LOAXA=$(abspath $(PROG)) LOAXA_GEN_AUDIO=$(abspath $(GEN_AUDIO)) $$b || exit 1; done

# The district at scale (minutes, not in `make bench`): a private mosquitto
# and FLEET_BENCH_N simulated stations in one process (bench/fleet-sim.c).
$(BUILD)/bench/fleet-sim: bench/fleet-sim.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(NET_LIBS) $(LIBS)

bench-fleet: $(PROG) $(NET_PROG) $(GEN_AUDIO) $(BUILD)/bench/fleet-sim
	$(Q)LOAXA=$(abspath $(PROG)) LOAXA_GEN_AUDIO=$(abspath $(GEN_AUDIO)) \
		FLEET_SIM=$(abspath $(BUILD)/bench/fleet-sim) bench/fleet.sh

# The power-cut loop: CRASH_KILLS SIGKILLs at random moments of airings and
# imports, each followed by the integrity, log, library and recovery checks
# (about 7 minutes for 200). tests/e2e/crash.sh runs 30 in every `make test`.
CRASH_KILLS ?= 200
crash: $(PROG) $(GEN_AUDIO)
	$(Q)LOAXA=$(abspath $(PROG)) LOAXA_GEN_AUDIO=$(abspath $(GEN_AUDIO)) \
		python3 tests/crash/crash.py --kills $(CRASH_KILLS)

# The soak (not in CI): the daemon airs a compressed timetable for
# SOAK_MINUTES; its resident memory may grow by less than 1 MB, and every
# airing must be logged.
SOAK_MINUTES ?= 10
soak: $(PROG) $(GEN_AUDIO)
	$(Q)LOAXA=$(abspath $(PROG)) LOAXA_GEN_AUDIO=$(abspath $(GEN_AUDIO)) \
		python3 tests/soak/soak.py --minutes $(SOAK_MINUTES)

# Fuzzing: the libFuzzer targets in tests/fuzz/ (configuration, packages,
# exports, audio probing) link the core rebuilt by clang with ASan and UBSan
# in $(FUZZ_BUILD); the gcc build is left alone. `make fuzz` replays each
# target's regression cases (tests/fuzz/corpus/NAME), then fuzzes it for
# FUZZ_SECONDS; CI runs FUZZ_SECONDS=30. For a real hunt, an hour a target
# (the corpora in $(FUZZ_BUILD)/corpus grow from one run to the next):
#   make fuzz FUZZ_SECONDS=3600
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 300
FUZZ_BUILD   := $(BUILD)/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -DLOAXA_VERSION='"$(VERSION)"' -I. \
                $(filter-out -Werror,$(WARN)) -O1 -g $(FUZZ_SAN) \
                -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -MMD -MP
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_OBJ     := $(CORE_SRC:%.c=$(FUZZ_BUILD)/%.o) $(FUZZ_BUILD)/tests/fuzz/util.o
FUZZ_LIB     := $(FUZZ_BUILD)/libloaxa.a

$(FUZZ_OBJ) $(FUZZ_SRC:%.c=$(FUZZ_BUILD)/%.o): $(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CLANG   $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_BIN): $(FUZZ_BUILD)/%: $(FUZZ_BUILD)/tests/fuzz/%.o $(FUZZ_LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< $(FUZZ_LIB) $(LIBS)

fuzz: $(FUZZ_BIN) $(PROG) $(GEN_AUDIO)
	$(Q)LOAXA=$(abspath $(PROG)) LOAXA_GEN_AUDIO=$(abspath $(GEN_AUDIO)) \
		tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_BUILD) $(FUZZ_BIN)

demo: $(PROG) $(GEN_AUDIO)
	$(Q)LOAXA=$(abspath $(PROG)) LOAXA_GEN_AUDIO=$(abspath $(GEN_AUDIO)) tools/demo

deps:
	$(Q)tools/deps

install: $(PROG) $(NET_PROG) $(LINK_PROG) $(RELAY_PROG) $(MO)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)/examples
	install -m 0755 $(PROG) $(DESTDIR)$(BINDIR)/loaxa
	install -m 0755 $(NET_PROG) $(DESTDIR)$(BINDIR)/loaxa-net
	install -m 0755 $(LINK_PROG) $(DESTDIR)$(BINDIR)/loaxa-link
	install -m 0755 $(RELAY_PROG) $(DESTDIR)$(BINDIR)/loaxa-relay
	install -m 0644 doc/loaxa.1 $(DESTDIR)$(MANDIR)/man1/loaxa.1
	install -d $(DESTDIR)$(MANDIR)/vi/man1
	install -m 0644 doc/loaxa.vi.1 $(DESTDIR)$(MANDIR)/vi/man1/loaxa.1
	install -d $(DESTDIR)$(LOCALEDIR)/vi/LC_MESSAGES
	install -m 0644 $(MO) $(DESTDIR)$(LOCALEDIR)/vi/LC_MESSAGES/loaxa.mo
	install -m 0644 examples/*.conf $(DESTDIR)$(DOCDIR)/examples/
	install -d $(DESTDIR)$(UNITDIR)
	for u in loaxa loaxa-web loaxa-relay loaxa-link loaxa-fleet; do \
		sed 's|@BINDIR@|$(BINDIR)|g' packaging/$$u.service >$(DESTDIR)$(UNITDIR)/$$u.service && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u.service || exit 1; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/loaxa $(DESTDIR)$(BINDIR)/loaxa-net \
		$(DESTDIR)$(BINDIR)/loaxa-link \
		$(DESTDIR)$(MANDIR)/man1/loaxa.1 $(DESTDIR)$(MANDIR)/vi/man1/loaxa.1 \
		$(DESTDIR)$(LOCALEDIR)/vi/LC_MESSAGES/loaxa.mo \
		$(DESTDIR)$(UNITDIR)/loaxa.service $(DESTDIR)$(UNITDIR)/loaxa-web.service \
		$(DESTDIR)$(BINDIR)/loaxa-relay $(DESTDIR)$(UNITDIR)/loaxa-relay.service \
		$(DESTDIR)$(UNITDIR)/loaxa-link.service $(DESTDIR)$(UNITDIR)/loaxa-fleet.service
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf $(BUILD)

-include $(CORE_OBJ:.o=.d) $(NET_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(CLI_NET_OBJ:.o=.d) \
	$(PROG_OBJ:.o=.d) $(NET_MAIN:.o=.d) $(LINK_MAIN:.o=.d) $(CLI_LINK_OBJ:.o=.d) \
	$(RELAY_OBJ:.o=.d) $(TESTLIB_OBJ:.o=.d) $(UNIT_BIN:=.d) $(BUILD)/tests/gen-audio.d $(FUZZ_OBJ:.o=.d)
