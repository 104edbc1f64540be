# `make run` starts the shell, `make test` runs every check. Both install what the build
# needs on a fresh Debian machine first. One cargo profile (release) serves tests,
# benchmarks and the shell, so RocksDB's C++ is compiled once.
CARGO ?= cargo
ARGS ?=
# System packages the build needs: libclang for the rocksdb crate's bindgen,
# a C++ compiler for RocksDB itself; and MariaDB with the RocksDB engine (MyRocks),
# which tests/process/myrocks_roundtrip.rs starts with an exported my.cnf.
SYSTEM_PACKAGES := libclang-dev clang g++ make mariadb-server mariadb-plugin-rocksdb

.PHONY: run test deps build bench-index clean

deps:
	@missing=""; \
	for p in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

build: deps
	$(CARGO) build --release --locked

run: deps
	$(CARGO) run --release --locked --bin alexdb -- $(ARGS)

test: deps
	$(CARGO) fmt --all --check
	$(CARGO) clippy --release --locked --workspace --all-targets -- -D warnings
	$(CARGO) test --release --locked --workspace

bench-index: deps
	$(CARGO) run --release --locked --bin alexdb -- bench index --keys 10000000 --dist uniform

clean:
	$(CARGO) clean
