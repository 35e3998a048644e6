"""Benchmarks, on demand (not part of the test suite); results and the exact commands
are in docs/benchmarks.md. ``python -m bench`` runs them all, each in its own process;
``python -m bench.<name>`` runs one (``bench.summary``, ``bench.support``)."""
