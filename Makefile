# Crossdock: the two commands of the quickstart are `make run` and `make test`.
# Builds are meson + ninja; this file only sequences them.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
DATA       ?= crossdock-data
LISTEN     ?= 127.0.0.1:8080
FUZZ_SECONDS ?= 60

.PHONY: all deps run test bench fuzz format check-format tidy clean

all: deps
	@test -f $(BUILD)/build.ninja || meson setup $(BUILD) --buildtype=release -Db_lto=true \
	    -Dtests=false
	ninja -C $(BUILD)

deps:
	@scripts/deps.sh build

run: all
	@scripts/run.sh $(BUILD)/crossdock $(DATA) $(LISTEN)

test:
	@scripts/deps.sh test
	@test -f $(ASAN_BUILD)/build.ninja || meson setup $(ASAN_BUILD) --buildtype=debug \
	    -Db_sanitize=address,undefined -Dc_args=-fno-sanitize-recover=all -Db_lundef=false
	ninja -C $(ASAN_BUILD)
	@$(MAKE) --no-print-directory all
	@XD_RELEASE_BUILD=$(BUILD) scripts/test.sh $(ASAN_BUILD)

bench: all
	@scripts/bench.sh $(BUILD)

fuzz:
	@scripts/deps.sh test
	@test -f $(FUZZ_BUILD)/build.ninja || CC=clang meson setup $(FUZZ_BUILD) --buildtype=debugoptimized \
	    -Dfuzzing=true -Dtests=false -Db_lundef=false
	ninja -C $(FUZZ_BUILD)
	@scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

check-format:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

tidy: all
	clang-tidy -p $(BUILD) $$(git ls-files 'src/*.c')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
