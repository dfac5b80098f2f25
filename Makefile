# Every target bootstraps .venv itself: it is (re)built whenever a requirements file is newer.
# Two makes at once on a fresh clone (e.g. `make plan` twice) take turns: see BOOTSTRAP below.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
STACK  ?= dev
REQS   := requirements.txt requirements-dev.txt app/requirements.txt policies/requirements.txt
LINT_VENV  := .venv-lint
LINT_STAMP := $(LINT_VENV)/.installed

.PHONY: venv plan test lint bench app up preview destroy clean

# BOOTSTRAP(venv dir, stamp, requirements file, prerequisites): build a venv under a lock, so that a
# second make waits instead of running pip in a half-made venv ("No module named pip"). The lock is a
# directory (mkdir is atomic; flock is not everywhere), .venv-bootstrap[-lint].lock (git-ignored as
# .venv-*), holding the owner's PID: a lock whose owner is gone (a killed make) is taken over. After the
# wait the stamp is checked again, and a venv without a working pip (a run killed mid-way) is made anew.
define BOOTSTRAP
	@lock=.venv-bootstrap$(subst .venv,,$(1)).lock; \
	until mkdir "$$lock" 2>/dev/null; do \
		owner=$$(cat "$$lock/pid" 2>/dev/null); \
		if [ -n "$$owner" ] && ! kill -0 "$$owner" 2>/dev/null && [ "$$(cat "$$lock/pid" 2>/dev/null)" = "$$owner" ]; then \
			echo "make: removing the stale lock $$lock of process $$owner"; rm -rf "$$lock"; continue; \
		fi; \
		echo "make: waiting for another make to finish $(1) ($$lock)"; sleep 1; \
	done; \
	echo $$$$ > "$$lock/pid"; \
	trap 'rm -rf "$$lock"' EXIT INT TERM; \
	if [ -f $(2) ] && [ -z "$$(find $(4) -newer $(2) 2>/dev/null)" ]; then exit 0; fi; \
	if ! $(1)/bin/python -m pip --version >/dev/null 2>&1; then \
		rm -rf $(1) && $(PYTHON) -m venv $(1) || exit 1; \
	fi; \
	echo "$(1)/bin/python -m pip install --quiet --disable-pip-version-check -r $(3)"; \
	$(1)/bin/python -m pip install --quiet --disable-pip-version-check -r $(3) || exit 1; \
	touch $(2)
endef

$(STAMP): $(REQS)
	$(call BOOTSTRAP,$(VENV),$(STAMP),requirements-dev.txt,$(REQS))

venv: $(STAMP)

## The offline plan of a stack: program under mocks -> policy pack over gRPC -> monthly cost.
## PLAN_ARGS passes report options through, e.g. PLAN_ARGS="--format json --output plan.json" (CI does).
plan: $(STAMP)
	$(PY) -m costguard plan --stack $(STACK) $(PLAN_ARGS)

test: $(STAMP)
	$(PY) -m pytest -q -n 2

## Linters live in their own venv (checkov pins many packages); rebuilt when requirements-lint.txt changes.
$(LINT_STAMP): requirements-lint.txt
	$(call BOOTSTRAP,$(LINT_VENV),$(LINT_STAMP),requirements-lint.txt,requirements-lint.txt)

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
	rm -rf $(VENV) $(LINT_VENV) $(VENV)-bootstrap*.lock .pytest_cache .ruff_cache
