# oya: one Makefile. `make` builds build/oya; `make check` installs test dependencies, builds with
# AddressSanitizer + UBSan and runs the unit and integration tests; `make run` starts the demo.

CC      ?= cc
CFLAGS  ?= -O2
CFLAGS  += -std=c17 -Wall -Wextra -Werror -D_GNU_SOURCE -g -pthread
LDFLAGS ?=
# relative relocations packed (DT_RELR) where the linker and libc know them: less for ld.so to read and
# fewer resident pages, which matters for a PID 1 that sits in every container
RELR    := $(shell echo 'int main(void){return 0;}' | $(CC) -x c - -o /dev/null -Wl,-z,pack-relative-relocs 2>/dev/null && echo -Wl,-z,pack-relative-relocs)
PREFIX  ?= /usr/local
PYTHON  ?= /usr/bin/python3

SRC      := $(shell find src -name '*.c' | sort)
LIB_SRC  := $(filter-out src/main.c,$(SRC))
HDR      := $(shell find src -name '*.h')
OBJ      := $(SRC:src/%.c=build/obj/%.o)
ASAN_OBJ := $(SRC:src/%.c=build/asan/obj/%.o)
ASAN_LIB := $(LIB_SRC:src/%.c=build/asan/obj/%.o)
SANFLAGS := -O1 -DOYA_ALLOC_FAULTS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_TESTS := $(patsubst tests/unit/%.c,build/asan/%,$(wildcard tests/unit/test_*.c))
MUSL_CC  ?= musl-gcc
STATIC_OBJ := $(SRC:src/%.c=build/static/obj/%.o)
# the static binary is what goes into images: size counts (-Oz: gcc 12 trades speed for size further than
# -Os; the supervisor waits on the kernel, not on its own code), and C needs no unwind tables. It is linked
# at a fixed address (musl -static is not PIE: position-independent code only cost size) and without
# RELRO padding (musl applies RELRO only in its dynamic linker: a static binary's was never read-only).
STATIC_CFLAGS := -std=c17 -Wall -Wextra -Werror -D_GNU_SOURCE -DOYA_NO_THREADS -Oz -fno-pie -ffunction-sections \
                 -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables

# make fuzz: the libFuzzer harnesses of tests/fuzz (clang), each run FUZZ_SECONDS on a corpus seeded from
# tests/fuzz/corpus, the machine's unit files and the demo; a crash, leak, timeout or blow-up fails it
FUZZ_CC  ?= clang
FUZZ_FLAGS := -std=c17 -Wall -Wextra -Werror -D_GNU_SOURCE -g -O1 -pthread -fno-omit-frame-pointer \
              -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_LIB := $(LIB_SRC:src/%.c=build/fuzz/obj/%.o)
FUZZERS  := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60

.PHONY: all run check unit integration deps clean install bench static fuzz

all: build/oya

build/oya: $(OBJ)
	$(CC) $(CFLAGS) -o $@ $(OBJ) $(RELR) $(LDFLAGS)

build/obj/%.o: src/%.c $(HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

build/asan/obj/%.o: src/%.c $(HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANFLAGS) -c -o $@ $<

build/asan/oya: $(ASAN_OBJ)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $(ASAN_OBJ)

# make static: one statically linked, stripped file with every subcommand (musl, from musl-tools)
static: build/oya-static

build/static/obj/%.o: src/%.c $(HDR)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(STATIC_CFLAGS) -c -o $@ $<

build/oya-static: $(STATIC_OBJ)
	$(MUSL_CC) -static -no-pie -s -Wl,--gc-sections -Wl,-z,norelro -o $@ $(STATIC_OBJ)

build/asan/test_%: tests/unit/test_%.c $(ASAN_LIB) $(HDR)
	$(CC) $(CFLAGS) $(SANFLAGS) -Isrc -o $@ $< $(ASAN_LIB) -lcmocka

run: build/oya
	./build/oya up examples/demo

deps:
	./scripts/deps.sh

unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done

integration: build/asan/oya build/oya build/oya-static
	OYA_BIN=$(CURDIR)/build/asan/oya OYA_STATIC=$(CURDIR)/build/oya-static \
		$(PYTHON) -m pytest -q -p no:cacheprovider tests/integration

check: deps
	$(MAKE) unit
	$(MAKE) fuzz FUZZ_SECONDS=3
	$(MAKE) integration

build/fuzz/obj/%.o: src/%.c $(HDR)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -c -o $@ $<

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -Isrc -o $@ $< $(FUZZ_LIB)

fuzz: $(FUZZERS) build/oya
	./tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

# make bench: every scenario, oya beside the anchors in one run; writes docs/benchmarks.md
BENCH_BIN := $(patsubst bench/%.c,build/bench/%,$(wildcard bench/*.c))

build/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

bench: build/oya build/oya-static $(BENCH_BIN)
	./scripts/deps.sh --bench
	./bench/inspect.sh
	./bench/pid1.sh
	$(PYTHON) bench/supervisors.py
	$(PYTHON) bench/scale.py
	$(PYTHON) bench/logs.py
	$(PYTHON) bench/trace.py
	$(PYTHON) bench/top.py

install: build/oya
	install -D -m 0755 build/oya $(DESTDIR)$(PREFIX)/bin/oya

clean:
	rm -rf build
