"""Benchmarks (run with `.venv/bin/python -m bench.nlu_eval` or `make bench`)."""
