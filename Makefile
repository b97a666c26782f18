# VetDesk — two commands on a fresh machine: `make run` and `make test`.
SWIFT      ?= swift
DEMO_DB    ?= data/demo/sede.db
BIN         = .build/debug/vetdesk
CENTRAL_BIN = .build/debug/vetcentral
TOOLS_BIN   = .build/debug/vettools
RELEASE_BIN = .build/release/vetdesk
# Debian packages the build, the tests and the benchmarks need.
APT_PACKAGES = libncursesw5-dev libsqlite3-dev sqlite3 libcurl4-openssl-dev tmux procps openssl postgresql python3-icalendar hyperfine \
	libxmlsec1-dev libxmlsec1-openssl libxml2-dev libxslt1-dev libssl-dev zlib1g-dev libqrencode-dev libhpdf-dev \
	xmlsec1 libxml2-utils libsaxonhe-java unzip qrencode zbar-tools poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build run test bench clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Instalando paquetes:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
	@# SUNAT's validator runs its XSL rules on Java (any JRE will do).
	@command -v java >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq default-jre-headless >/dev/null; }

build: deps
	$(SWIFT) build

run: build
	@[ -f "$(DEMO_DB)" ] || $(BIN) demo --db "$(DEMO_DB)"
	$(BIN) --db "$(DEMO_DB)"

test: build
	$(SWIFT) build --build-tests
	@# SUNAT's validator starts a JVM per document: C1 only and the serial GC halve its CPU.
	@# The test bundle runs as a few processes at once, by groups of targets (tools/run-tests.sh says why).
	JAVA_TOOL_OPTIONS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:CICompilerCount=1" \
	VETDESK_BIN="$(CURDIR)/$(BIN)" VETCENTRAL_BIN="$(CURDIR)/$(CENTRAL_BIN)" VETTOOLS_BIN="$(CURDIR)/$(TOOLS_BIN)" \
	tools/run-tests.sh "$$($(SWIFT) build --show-bin-path)"

bench: deps
	$(SWIFT) build -c release
	$(RELEASE_BIN) bench --workdir data/bench

clean:
	rm -rf .build data/bench
