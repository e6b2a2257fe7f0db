# The README's two commands are `make demo` and `make test`; both install what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never
VENV := .venv/bin
# uv from PATH, else a private copy from PyPI in .local/tools (nothing installed globally).
UV := $(shell command -v uv 2>/dev/null || echo .local/tools/bin/uv)
# v5.7.1: the newest kustomize that builds with Go 1.26 (v5.8 needs Go 1.27).
KUSTOMIZE_VERSION := v5.7.1

.PHONY: help setup up down demo admin test test-unit test-integration chaos screenshots bench eval lint clean

help:
	@echo "make demo    run the pipeline on the bundled sample mailbox (local Kafka + PostgreSQL)"
	@echo "make test    unit + integration tests (starts the local stack itself)"
	@echo "make bench   throughput and latency, pipeline vs bare passthrough (JSON)"
	@echo "make up|down start/stop Kafka, PostgreSQL (and the services, for down)"
	@echo "make admin   the admin web UI on http://127.0.0.1:8090/admin/ (after make demo)"
	@echo "make chaos   the fault suite: kill -9, broker and PostgreSQL restarts, poison; 1,000 emails each"
	@echo "make screenshots  the README's desk pictures, taken by the browser tests"

# uv (from PyPI) builds .venv/ from the lockfile; Maven resolves the Kafka jars once.
setup: .venv/.synced
	@scripts/local-stack.sh kafka-jars
	@# promtool (tests/deploy: the alert rules) comes with Debian's prometheus package.
	@command -v promtool >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && DEBIAN_FRONTEND=noninteractive apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; } \
	  || echo "setup: promtool missing (install Debian's prometheus package); tests/deploy will fail" >&2
	@# chromium (tests/integration/test_admin_ui.py drives it with Playwright; no browser download).
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && DEBIAN_FRONTEND=noninteractive apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; } \
	  || echo "setup: chromium missing (install Debian's chromium package); tests/integration/test_admin_ui.py will fail" >&2
	@# kustomize (tests/deploy renders deploy/k8s) from the Go module proxy, into .local/tools.
	@test -x .local/tools/bin/kustomize || { command -v go >/dev/null \
	  && GOBIN=$(CURDIR)/.local/tools/bin GOTOOLCHAIN=local GOFLAGS=-modcacherw \
	     go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION); } \
	  || echo "setup: could not build kustomize (needs go); tests/deploy falls back to kubectl kustomize" >&2

.local/tools/bin/uv:
	python3 -m venv .local/tools
	.local/tools/bin/pip install --quiet uv

.venv/.synced: uv.lock pyproject.toml */*/pyproject.toml cli/pyproject.toml | $(UV)
	$(UV) sync --all-packages --frozen
	@touch $@

up: setup
	@scripts/local-stack.sh up

down:
	@if [ -d .local/run ]; then scripts/services.sh stop; fi
	@scripts/local-stack.sh down

demo: up
	@scripts/services.sh start
	@# The CLI talks to the same Kafka and PostgreSQL as the services (local, or the ones you exported).
	@set -a; source <(scripts/local-stack.sh env 2>/dev/null); set +a; \
	  $(VENV)/triage ingest samples/emails --ids-out .local/demo-ids.txt && \
	  $(VENV)/triage results --ids .local/demo-ids.txt --wait 120
	@echo
	@echo "The stack is still running: services log to .local/logs/, 'make down' stops everything."

# The admin API and web UI against the local stack; a token generated once per checkout. It
# re-decides corrections with route's rules and mailbox (scripts/services.sh's default, ADR 0025).
admin: up
	@test -s .local/admin-token || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > .local/admin-token)
	@echo "admin UI: http://127.0.0.1:$${TRIAGE_ADMIN_PORT:-8090}/admin/  token: $$(cat .local/admin-token)  (Ctrl-C stops it)"
	@set -a; source <(scripts/local-stack.sh env 2>/dev/null); set +a; \
	  TRIAGE_MAILBOX_FILE="$${TRIAGE_MAILBOX_FILE:-$(CURDIR)/samples/mailbox.json}" \
	  TRIAGE_ADMIN_TOKEN="$$(cat .local/admin-token)" $(VENV)/triage-admin

test: setup
	$(VENV)/python -m pytest -q

# The README's pictures of the desk, taken by the browser tests that drive each page.
screenshots: setup
	TRIAGE_SCREENSHOTS_DIR=$(CURDIR)/docs/images/desk $(VENV)/python -m pytest -q \
	  tests/integration/test_admin_ui.py tests/integration/test_admin_model_page.py tests/integration/test_desk_queues.py

test-unit: setup
	$(VENV)/python -m pytest -q tests/unit

# The fault suite (docs/reliability.md) on a private broker and PostgreSQL: kill -9 of each
# service, broker kill -9 and SIGTERM, a PostgreSQL restart, poison inputs; 1,000 emails each.
# `make test` runs a shorter version (CI_SUBSET in tests/chaos/test_fault_suite.py, 100 emails).
# Also HubSpot down 5 minutes under 1,000 emails and 1,000 emails at its real limit
# (tests/integration/test_crm_outage.py; TRIAGE_CHAOS_OUTAGE_S, TRIAGE_CHAOS_EMAILS size them).
chaos: setup
	TRIAGE_CHAOS_EMAILS=$${TRIAGE_CHAOS_EMAILS:-1000} $(VENV)/python -m pytest -q -o addopts="-ra --strict-markers" \
	  tests/chaos tests/integration/test_crm_outage.py

test-integration: setup
	$(VENV)/python -m pytest -q tests/integration

bench: setup
	$(VENV)/python -m bench.pipeline
	$(VENV)/python -m bench.normalize

# Every labelled set (gold/*/, samples/) on its own and left out of the intent model's training;
# exit 1 when a score falls below gold/ratchet.json.
eval: setup
	$(VENV)/triage eval --all --loso --ratchet gold/ratchet.json

lint: setup
	$(VENV)/ruff check .
	$(VENV)/mypy

clean:
	rm -rf .venv .pytest_cache .ruff_cache
