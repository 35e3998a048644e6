"""Benchmarks (see docs/benchmarks.md). Run a module: python -m bench.<name>."""
