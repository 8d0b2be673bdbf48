# The two commands a deployer needs. Both do all set-up on a fresh machine.
.PHONY: run test setup train bench cv conversations clean
export RASA_TELEMETRY_ENABLED := false

run:
	@bash scripts/bootstrap.sh run
	@.venv/bin/python -m bot.cli run

test:
	@bash scripts/bootstrap.sh test
	@.venv/bin/python -m pytest $(PYTEST_ARGS)

setup:
	@bash scripts/bootstrap.sh run

train:
	@bash scripts/bootstrap.sh run
	@.venv/bin/python -m bot.cli train --force

bench:
	@bash scripts/bootstrap.sh run
	@.venv/bin/python -m bench.nlu_eval

cv:
	@bash scripts/bootstrap.sh run
	@.venv/bin/python -m bench.nlu_cv

conversations:
	@bash scripts/bootstrap.sh run
	@.venv/bin/python -m bench.conversations

clean:
	rm -rf models var results .pytest_cache
