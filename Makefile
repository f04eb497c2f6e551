# The two set-up commands of the README: `make demo` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYBIND11_DIR = $(shell $(PY) -m pybind11 --cmakedir)
BUILD ?= build/native
JOBS ?= $(shell nproc)
APT_PACKAGES := build-essential cmake ninja-build pkg-config libpoco-dev libsqlite3-dev libutf8proc-dev \
	nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev clang-format \
	mpd mpc sox libsox-fmt-mp3 ffmpeg openssl supysonic
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: setup system-packages install downloaders native demo test test-native test-python \
	test-sanitize bench lint format fuzz soak clean

setup: system-packages $(VENV)/.deps install downloaders

# Debian packages, installed only when one is missing (apt-get update is slow).
system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.deps: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "scikit-build-core>=0.10" "pybind11>=2.12" \
		"beets>=2.0" "rich>=13" "mutagen>=1.46" "Pillow>=10" \
		"pytest>=8" "hypothesis>=6" "ruff>=0.6" "spotipy>=2.24" "rapidfuzz>=3" \
		"essentia>=2.1b6.dev1389" "numpy>=1.24"
	touch $@

# The real spotDL (4.x, the major version the plugin knows) and yt-dlp in their own venv,
# as pipx would install them: spotDL pins rich<14, uvicorn, websockets ... that would
# hold back the plugin's venv. Linked into $(VENV)/bin, where the plugin looks beside its
# Python when they are not on PATH.
DOWNLOADERS_VENV ?= .venv-downloaders
downloaders: $(DOWNLOADERS_VENV)/.deps
$(DOWNLOADERS_VENV)/.deps: $(VENV)/.deps
	test -x $(DOWNLOADERS_VENV)/bin/python || python3 -m venv $(DOWNLOADERS_VENV)
	$(DOWNLOADERS_VENV)/bin/python -m pip install -q --upgrade pip
	$(DOWNLOADERS_VENV)/bin/python -m pip install -q "spotdl>=4,<5" "yt-dlp"
	ln -sf $(abspath $(DOWNLOADERS_VENV))/bin/spotdl $(VENV)/bin/spotdl
	ln -sf $(abspath $(DOWNLOADERS_VENV))/bin/yt-dlp $(VENV)/bin/yt-dlp
	touch $@

# The package with its native module, into the venv (so .venv/bin/beet runs the plugin).
install: $(VENV)/.deps
	$(PY) -m pip install -q --no-build-isolation --no-deps .

native: system-packages $(VENV)/.deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DSPOTIFY_EXTRACT_TESTS=ON -DSPOTIFY_EXTRACT_PYTHON=OFF \
		-Dpybind11_DIR=$(PYBIND11_DIR) -DPython_EXECUTABLE=$(abspath $(PY)) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

demo: setup
	$(PY) tests/demo.py

# SANITIZE=1 (CI) also runs the native tests under ASan+UBSan, before pytest so that
# pytest's summary stays the last line printed.
test: setup native
	$(MAKE) test-native $(if $(filter 1,$(SANITIZE)),test-sanitize) test-python

test-native:
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-python:
	$(PY) -m pytest tests/python

# The native tests under AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer):
# any report fails the test that triggered it.
SANITIZE_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
test-sanitize: system-packages $(VENV)/.deps
	cmake -S . -B build/sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug \
		-DSPOTIFY_EXTRACT_TESTS=ON -DSPOTIFY_EXTRACT_PYTHON=OFF -DSPOTIFY_EXTRACT_SANITIZE=ON \
		-DPython_EXECUTABLE=$(abspath $(PY)) -Wno-dev >/dev/null
	cmake --build build/sanitize -j $(JOBS)
	$(SANITIZE_ENV) ctest --test-dir build/sanitize --output-on-failure -j $(JOBS)

# The fault soak with more seeds than CI runs (tests/python/test_soak.py).
SOAK_SEEDS ?= 20
soak: setup
	SOAK_SEEDS=$(SOAK_SEEDS) $(PY) -m pytest -s tests/python/test_soak.py

# libFuzzer targets (tests/fuzz), built with Debian's clang (installed here, not in
# APT_PACKAGES, so CI does not pay for it), each run for FUZZ_SECONDS from the seed corpus
# in tests/fuzz/corpus/<target>/. FUZZ_TARGETS=fuzz_m3u limits the run.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
FUZZ_APT := clang libclang-rt-14-dev
fuzz: system-packages
	@missing=$$(for p in $(FUZZ_APT); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DSPOTIFY_EXTRACT_TESTS=OFF -DSPOTIFY_EXTRACT_PYTHON=OFF -DSPOTIFY_EXTRACT_SANITIZE=ON \
		-DSPOTIFY_EXTRACT_FUZZ=ON -Wno-dev >/dev/null
	cmake --build build/fuzz -j $(JOBS)
	tests/fuzz/run.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: setup
	cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release \
		-DSPOTIFY_EXTRACT_TESTS=OFF -DSPOTIFY_EXTRACT_PYTHON=OFF -DSPOTIFY_EXTRACT_BENCHMARKS=ON >/dev/null
	cmake --build build/bench -j $(JOBS)
	$(PY) benchmarks/run.py

lint: $(VENV)/.deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	find native tests benchmarks -name '*.cc' -o -name '*.h' | xargs clang-format --dry-run --Werror

format: $(VENV)/.deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	find native tests benchmarks -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf build
