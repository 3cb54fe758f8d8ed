# Two entry points for a fresh machine: `make run` (main job on the bundled seeds) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	# The CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build.
	$(VENV)/bin/pip install --quiet torch==2.13.0
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

.PHONY: run test
run: $(STAMP)
	$(VENV)/bin/untm build seeds -o out --offline

test: $(STAMP)
	$(PY) -m pytest -q
