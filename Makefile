# Every target bootstraps .venv itself: it is (re)built whenever a requirements file is newer.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
STACK  ?= dev
REQS   := requirements.txt requirements-dev.txt app/requirements.txt policies/requirements.txt
LINT_VENV  := .venv-lint
LINT_STAMP := $(LINT_VENV)/.installed

.PHONY: venv plan test lint bench app up preview destroy clean

$(STAMP): $(REQS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP)

## The offline plan of a stack: program under mocks -> policy pack over gRPC -> monthly cost.
## PLAN_ARGS passes report options through, e.g. PLAN_ARGS="--format json --output plan.json" (CI does).
plan: $(STAMP)
	$(PY) -m costguard plan --stack $(STACK) $(PLAN_ARGS)

test: $(STAMP)
	$(PY) -m pytest -q -n 2

## Linters live in their own venv (checkov pins many packages); rebuilt when requirements-lint.txt changes.
$(LINT_STAMP): requirements-lint.txt
	@test -x $(LINT_VENV)/bin/python || $(PYTHON) -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-lint.txt
	@touch $(LINT_STAMP)

lint: $(STAMP) $(LINT_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(LINT_VENV)/bin/actionlint
	$(LINT_VENV)/bin/checkov --quiet --compact --skip-download --framework github_actions -d .github/workflows
	@if [ -f Dockerfile ]; then \
		echo "$(LINT_VENV)/bin/hadolint Dockerfile" && $(LINT_VENV)/bin/hadolint --no-color --failure-threshold warning Dockerfile && \
		echo "checkov --framework dockerfile -f Dockerfile" && \
		$(LINT_VENV)/bin/checkov --quiet --compact --skip-download --framework dockerfile -f Dockerfile; \
	else echo "lint: no Dockerfile yet: hadolint and checkov on the Dockerfile skipped"; fi

bench: $(STAMP)
	$(PY) -m bench

## The API on http://127.0.0.1:8000 over a local moto DynamoDB (Ctrl-C stops both).
app: $(STAMP)
	$(PY) -m app.local

## Real deployment (needs the Pulumi CLI, AWS credentials and Docker with arm64 builds).
## The pack's budget policy prices usage from usage.yml, as `make plan` does (costguard pack-config).
PACK_CONFIG := .venv/policy-config.json
POLICY      := --policy-pack policies --policy-pack-config $(PACK_CONFIG)

$(PACK_CONFIG): $(STAMP) usage.yml
	$(PY) -m costguard pack-config --output $(PACK_CONFIG)

preview: $(PACK_CONFIG)
	pulumi preview --stack $(STACK) $(POLICY)

up: $(PACK_CONFIG)
	pulumi up --stack $(STACK) $(POLICY)

destroy:
	pulumi destroy --stack $(STACK)

clean:
	rm -rf $(VENV) $(LINT_VENV) .pytest_cache .ruff_cache
