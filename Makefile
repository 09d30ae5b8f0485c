# goodfaith: every target lists itself in `make help`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(HOME)/.local/bin:$(PATH)

# The interpreter of .venv: the operating system's CPython when there is one. Debian's is an
# optimised, statically linked build (the services' images use the optimised python:3.11
# builds too), while the first python3 on PATH here is a pyenv build from source without
# --enable-optimizations, on which the pure-Python compliance domain runs ~15% slower and its
# one-rule baseline ~30% slower (docs/benchmarks.md, 2026-12-06). `make test PYTHON=...` picks
# another; with none, uv finds one itself.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11 /usr/bin/python3.12))
ifneq ($(PYTHON),)
export UV_PYTHON := $(PYTHON)
endif

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

.PHONY: uv
uv: ## Install uv if it is missing (from PyPI, into ~/.local)
	@scripts/ensure-uv

.PHONY: install
install: uv ## Create .venv with every package from the lock file
	@uv sync --frozen --all-packages --quiet

.PHONY: up
up: install ## Start the whole system: embedded PostgreSQL, the Tansu broker and all four services
	uv run goodfaith up

.PHONY: test
test: install ## Run every test (unit, integration and end-to-end on real PostgreSQL and broker)
	uv run pytest -q -p no:cacheprovider

.PHONY: test-unit
test-unit: install ## Run only the tests that need no infrastructure
	uv run pytest -q -m "not integration"

.PHONY: lint
lint: install ## ruff (with the complexity rule) and mypy --strict
	uv run ruff check .
	uv run mypy libs/events/src libs/runtime/src services/*/src

.PHONY: bench
bench: install ## Benchmarks side by side with their baselines; JSON in bench/results/
	uv run python -m bench.run

.PHONY: fuzz
fuzz: install ## Fuzz the running system's ledger and compliance APIs (start it with `make up`)
	@token=$$(uv run goodfaith token --tenant fuzz); for port in 8001 8003; do \
	  uv run st run http://127.0.0.1:$$port/openapi.json -H "Authorization: Bearer $$token" \
	    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
	    --max-examples $${EXAMPLES:-200} --workers 1 || exit 1; done

.PHONY: schemas
schemas: install ## Regenerate the checked-in JSON Schemas; refuses (exit 1) an incompatible change to a published version
	uv run python -m goodfaith_events.schemas write

.PHONY: token
token: install ## Mint a development token for the tenant "demo"
	@uv run goodfaith token --tenant demo

.PHONY: clean
clean: ## Remove local run data and caches
	rm -rf .run .pytest_cache .mypy_cache .ruff_cache
