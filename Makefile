# cscc - top-level wrapper around Meson/ninja.
#   make          build build/cscc
#   make run      install what is missing, build, load the bundled sample, show the summary,
#                 then serve it over HTTP (prints the URL; Ctrl-C stops)
#   make test     install what is missing, build (also with ASan+UBSan), run every test
#   make bench    run the benchmarks in bench/ (slow; needs network for npm the first time)
#   make clean    remove the build directories

BUILD      ?= build
BUILD_ASAN ?= build-asan
DATA       ?= var
MESON      ?= meson
NINJA      ?= ninja

.PHONY: all build run test bench deps deps-test clean fuzz format

all: build

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --buildtype=release -Db_ndebug=false

build: $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

deps:
	@scripts/install-deps

deps-test:
	@scripts/install-deps --test

run: deps
	@$(MAKE) --no-print-directory build
	@scripts/run-main "$(BUILD)/cscc" "$(DATA)"

test: deps-test
	@tests/run

bench: deps build
	@bench/run

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) build-fuzz

format:
	clang-format -i $$(find src tests fuzz bench -name '*.[ch]')
