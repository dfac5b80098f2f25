# Every target bootstraps .venv itself: it is (re)built whenever a requirements file is newer.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
STACK  ?= dev
REQS   := requirements.txt requirements-dev.txt app/requirements.txt policies/requirements.txt

.PHONY: venv plan test lint bench app up preview destroy clean

$(STAMP): $(REQS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

venv: $(STAMP)

## The offline plan of a stack: program under mocks -> policy pack over gRPC -> monthly cost.
plan: $(STAMP)
	$(PY) -m costguard plan --stack $(STACK)

test: $(STAMP)
	$(PY) -m pytest -q -n 2

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

bench: $(STAMP)
	$(PY) -m bench

## The API on http://127.0.0.1:8000 over a local moto DynamoDB (Ctrl-C stops both).
app: $(STAMP)
	$(PY) -m app.local

## Real deployment (needs the Pulumi CLI, AWS credentials and Docker with arm64 builds).
preview: $(STAMP)
	pulumi preview --stack $(STACK) --policy-pack policies

up: $(STAMP)
	pulumi up --stack $(STACK) --policy-pack policies

destroy:
	pulumi destroy --stack $(STACK)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
