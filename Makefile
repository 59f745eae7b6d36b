# Everything a fresh Debian/Ubuntu machine needs, in two commands:
#   make demo   # install and recommend an architecture for a bundled scenario
#   make test   # install test tools and run the whole test suite
#
# Variables: PYTHON (interpreter, default python3), VENV (default .venv).

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
EXAMPLE ?= churn-bigquery-sql-team

# durable-rules 2.0.28 ships only as an sdist whose C extension needs
# PyEval_CallObject, removed in Python 3.13: mlarch builds a tiny library that
# provides it (engine/core/durable.py), so no install needs CPPFLAGS.

.PHONY: demo test test-slow lint smoke system-deps bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/mlarch recommend scenarios/$(EXAMPLE).yaml

# Graphviz renders diagrams (PNG/SVG/PDF tests); valgrind proves the
# durable-rules crash guard. Installed when missing and we are allowed to.
system-deps:
	@missing=""; \
	command -v dot >/dev/null 2>&1 || missing="$$missing graphviz"; \
	command -v valgrind >/dev/null 2>&1 || missing="$$missing valgrind"; \
	if [ -n "$$missing" ]; then \
	  echo "make test: installing$$missing with apt-get (Graphviz renders diagrams, valgrind checks a durable-rules crash guard)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "please install:$$missing (Debian/Ubuntu: apt-get install$$missing)"; exit 1; fi; \
	fi

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

test: system-deps $(VENV)/.installed lint
	$(PY) -m pytest

# The full lane, which CI runs in its own step: the checks marked slow (valgrind,
# memory soak, wheel builds, full-size oracle agreement), which the default lane
# skips, and every property test again at its full size (the default lane runs a
# quarter of the examples: the `ci` hypothesis profile, tests/strategies.py).
test-slow: system-deps $(VENV)/.installed
	HYPOTHESIS_PROFILE=full $(PY) -m pytest -m 'slow or hypothesis'

# Build the wheel with PYTHON, install it into a fresh VENV the way a user
# would (no CPPFLAGS, no pip cache: durable-rules is compiled from its sdist
# too) and run it from outside the checkout: proves the wheel works on that
# Python and carries its rules and scenarios. CI runs it on 3.11, 3.12, 3.13.
smoke:
	rm -rf $(VENV) $(VENV)-dist
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	env -u CPPFLAGS $(PY) -m pip wheel --quiet --no-cache-dir --no-deps -w $(VENV)-dist .
	env -u CPPFLAGS $(PY) -m pip install --quiet --no-cache-dir $(VENV)-dist/mlarch-*.whl
	cd /tmp && $(abspath $(VENV))/bin/mlarch --version
	cd /tmp && $(abspath $(VENV))/bin/mlarch recommend $(EXAMPLE) --format json > /tmp/mlarch-smoke.json
	cd /tmp && $(abspath $(VENV))/bin/mlarch review churn-custom-tpu --fail-on error > /dev/null; test $$? = 1 && echo "smoke ok: review of a bundled design finds its error"
	cd /tmp && $(abspath $(VENV))/bin/python -c 'import json; d = json.load(open("/tmp/mlarch-smoke.json")); assert d["decisions"] and d["engine"]["rules_loaded"] > 0, d; print("smoke ok:", d["scenario"], len(d["decisions"]), "decisions,", d["engine"]["rules_loaded"], "rules")'
	cd /tmp && $(abspath $(VENV))/bin/python -c 'import mlarch; r = mlarch.evaluate("$(EXAMPLE)"); assert r.decisions, r; print("smoke ok: Python API,", len(r.decisions), "decisions")'
	cd /tmp && $(abspath $(VENV))/bin/mlarch test > /dev/null && echo "smoke ok: bundled rule examples pass"

bench: $(VENV)/.installed
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .venv-* build dist engine/core/*.so *.egg-info .pytest_cache .hypothesis
