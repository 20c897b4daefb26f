"""Benchmarks: measure speed and memory against the targets (printing lives in `cli/bench.py`; tests never assert timings)."""
