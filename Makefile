# The two commands of the README: `make run` and `make test`. Everything they need is installed
# from this repository's own files: the Debian packages by scripts/system-packages, the bot's venv
# (.venv, Python 3.11) from pyproject.toml, and Rasa's venv (nlu/.venv, Python 3.10) from
# nlu/requirements.txt.

PYTHON311 ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test system-packages-run system-packages-test setup nlu-env model lint typecheck unit clean-model bench bench-triage bench-triage-sets

run: system-packages-run setup model
	$(BIN)/helpdesk run

test: system-packages-test setup model lint typecheck
	$(BIN)/python -m pytest -q

# As root, installs what is missing; otherwise stops with the `sudo apt-get install` to run.
system-packages-run:
	bash scripts/system-packages run

system-packages-test:
	bash scripts/system-packages test

setup: $(STAMP) nlu-env

$(STAMP): pyproject.toml
	@$(PYTHON311) -c 'import sys; assert sys.version_info[:2] == (3, 11), "the bot needs Python 3.11"' \
		|| { echo "error: Python 3.11 not found (set PYTHON311=/path/to/python3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON311) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

nlu-env:
	bash nlu/tools/setup_venv.sh

# Trains only when the NLU data or config changed since the last model.
model: nlu-env
	nlu/.venv/bin/python -m nlu.departments  # the department lookup from config/people.yaml
	bash nlu/tools/train.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/ruff format --check core bot channels storage handlers i18n config reports nlu/*.py tests/nlu tests/reports

typecheck: $(STAMP)
	$(BIN)/mypy core bot channels storage handlers i18n config reports nlu/client.py nlu/rasa_http.py nlu/triage.py nlu/rules.py nlu/rubric_words.py nlu/evaluation.py nlu/server.py nlu/departments.py nlu/training_data.py

unit: system-packages-test $(STAMP)
	$(BIN)/python -m pytest -q --ignore=tests/bot/test_e2e.py

clean-model:
	rm -rf nlu/models nlu/.stamps/model.sha256

# Figures, not pass/fail: REST latency through the real bot and Rasa, and process memory.
bench: setup model
	PYTHONPATH=. $(BIN)/python bench/pipeline_latency.py 200

# The main triage figure: leave-one-office-out over the dev set, the holdouts and the unseen sets
# (their office column), the project (a real `rasa train nlu` per fold, at nice 19, into a temporary
# folder) beside two peers (TF-IDF + LR, e5 embeddings + LR) on the same folds, with parse latency and
# how the clarifying question behaves. Fold results are kept in var/bench-loo; a rerun resumes.
bench-triage: setup
	$(BIN)/python nlu/tools/bench_loo.py

# The shipped model beside the peers on each fixed set, with latency.
bench-triage-sets: setup model
	$(BIN)/python nlu/tools/bench_triage.py tests/data/triage_dev.tsv
	$(BIN)/python nlu/tools/bench_triage.py tests/nlu/data/triage_unseen.tsv
	$(BIN)/python nlu/tools/bench_triage.py tests/nlu/data/triage_unseen_2.tsv
	$(BIN)/python nlu/tools/bench_triage.py tests/nlu/data/triage_unseen_3.tsv
	$(BIN)/python nlu/tools/bench_triage.py tests/nlu/data/triage_unseen_4.tsv
	$(BIN)/python nlu/tools/bench_triage.py tests/nlu/data/triage_unseen_5.tsv
	$(BIN)/python nlu/tools/bench_triage.py tests/nlu/data/triage_unseen_6.tsv
