# Two commands for a fresh Debian/Ubuntu machine (see README):
#   make run    build and open the desktop app
#   make test   run every test: crates, CLI against the sandbox, desktop end-to-end under Xvfb
# Each installs what is missing first and skips what is already there.

SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := build-essential pkg-config curl wget file cmake libssl-dev libwebkit2gtk-4.1-dev \
	libxdo-dev libayatana-appindicator3-dev librsvg2-dev xvfb xauth webkit2gtk-driver
CARGO := $(shell command -v cargo || echo $(HOME)/.cargo/bin/cargo)
TAURI_DRIVER := $(shell command -v tauri-driver || echo $(HOME)/.cargo/bin/tauri-driver)
DESKTOP_BIN := target/debug/oauth-inspector-desktop

.PHONY: run test deps system-deps node-deps tauri-driver ui desktop test-rust test-interop test-e2e bench bench-diagram

run: deps ui
	$(CARGO) run -p oauth-inspector-desktop

test: deps ui
	$(MAKE) test-rust
	$(MAKE) test-interop
	$(MAKE) test-e2e

test-rust:
	$(CARGO) test --workspace

# The CLI against panva's oidc-provider, a real authorization server we did not write.
test-interop:
	$(CARGO) build -p inspector-cli
	cd tests && npm run interop

# The desktop binary with ui/dist embedded, driven through WebDriver under a virtual display.
test-e2e: desktop tauri-driver
	cd tests && if [ -n "$$DISPLAY" ]; then npm run e2e; else xvfb-run -a -s "-screen 0 1280x800x24" npm run e2e; fi

desktop: ui
	$(CARGO) build -p oauth-inspector-desktop

ui: node-deps
	cd ui && npm run build

deps: system-deps node-deps

system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	command -v node >/dev/null || missing="$$missing nodejs"; command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@command -v cargo >/dev/null || [ -x $(HOME)/.cargo/bin/cargo ] || { echo "Rust is missing: install it with rustup (https://rustup.rs), then run make again"; exit 1; }

# npm ci only when package-lock.json changed since the last install.
node-deps: ui/node_modules/.installed tests/node_modules/.installed
%/node_modules/.installed: %/package-lock.json
	cd $* && npm ci --no-audit --no-fund
	touch $@

tauri-driver:
	@[ -x "$(TAURI_DRIVER)" ] || $(CARGO) install tauri-driver --locked

# Store benchmarks (criterion): 10,000 sessions / 100,000 steps; prints each figure and its ratio
# to a baseline measured in the same run. STORE_BENCH_SESSIONS=1000 make bench for a quick run.
bench:
	$(CARGO) bench -p inspector-store --bench store
	$(CARGO) bench -p inspector-token --bench inspect
	$(MAKE) bench-diagram

# The sequence diagram with 500 steps against 50, in the desktop binary under a virtual display.
bench-diagram: desktop tauri-driver
	$(CARGO) build -p inspector-cli
	if [ -n "$$DISPLAY" ]; then node bench/diagram.mjs; else xvfb-run -a -s "-screen 0 1280x800x24" node bench/diagram.mjs; fi
