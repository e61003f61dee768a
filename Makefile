# lagesbild — common tasks. `make` alone lists them.
.DEFAULT_GOAL := help
YEAR ?= 2023

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

setup: ## Install system libraries and the locked Python environment
	bash scripts/setup

fetch: ## Download Brå's workbooks for the kommun's län into data/raw and load them
	uv run lagesbild fetch

report: ## Build the report for YEAR (default 2023) as HTML and PDF
	uv run lagesbild build --year $(YEAR)

demo: ## Write the example project for Gagnef into lagesbild-demo/ and build its report (offline)
	uv run lagesbild demo

test: ## Run the test suite (includes ruff and mypy)
	uv run pytest

lint: ## Lint and type-check
	uv run ruff check src tests
	uv run ruff format --check src tests
	uv run mypy

locale: ## Extract the CLI's messages and compile the Swedish catalogue (edit locale/sv/LC_MESSAGES/lagesbild.po)
	uv run pybabel extract -F babel.cfg --no-location --sort-output --omit-header --no-wrap -o src/lagesbild_cli/locale/lagesbild.pot src/lagesbild_cli
	uv run pybabel update -i src/lagesbild_cli/locale/lagesbild.pot -d src/lagesbild_cli/locale -D lagesbild -l sv --no-fuzzy-matching --ignore-obsolete --no-wrap
	uv run pybabel extract --no-location --sort-output --omit-header --no-wrap -o src/lagesbild_cli/locale/messages.pot $$(uv run python -c 'import click, typer, os; print(os.path.dirname(click.__file__), os.path.dirname(typer.__file__))')
	uv run pybabel update -i src/lagesbild_cli/locale/messages.pot -d src/lagesbild_cli/locale -D messages -l sv --no-fuzzy-matching --ignore-obsolete --no-wrap
	sed -i '/^"POT-Creation-Date: /d' src/lagesbild_cli/locale/*.pot src/lagesbild_cli/locale/sv/LC_MESSAGES/*.po  # no churn: merges stay clean
	uv run pybabel compile -d src/lagesbild_cli/locale -D lagesbild --statistics
	uv run pybabel compile -d src/lagesbild_cli/locale -D messages --statistics

fmt: ## Format the code
	uv run ruff format src tests
	uv run ruff check --fix src tests

pages: ## PDF pages (60 dpi) and the HTML at 1280 and 390 px as PNG in PAGES, for a look (needs poppler-utils and chromium); REPORT is the report folder
	@report="$${REPORT:-$$(ls -d data/processed/reports/*/$(YEAR) | head -n 1)}"; out="$${PAGES:-data/processed/pages}"; \
	mkdir -p "$$out" && rm -f "$$out"/*.png && \
	pdftoppm -r 60 -png "$$report/lagesbild.pdf" "$$out/page" && \
	for w in 1280 390; do \
	  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
	    --disable-sync --no-first-run --hide-scrollbars --user-data-dir="$$(mktemp -d)" --window-size=$$w,3000 \
	    --screenshot="$$(realpath "$$out")/html-$$w.png" "file://$$(realpath "$$report/lagesbild.html")" 2>/dev/null; \
	done; echo "Wrote $$(ls "$$out" | wc -l) pictures in $$out"

clean: ## Remove the database and reports (raw data stays)
	rm -rf data/processed/lagesbild.duckdb data/processed/reports

.PHONY: help setup fetch report demo test lint locale fmt pages clean bench

bench: ## Measure build speed against PDF rendering; writes bench/results.json (several minutes)
	uv run python bench/run.py
