"""On-demand benchmarks (not part of the test suite). ``python -m bench`` runs them all;
``python -m bench.summary`` runs the Billing Summary's. Results go to bench/results/ and
the figures that matter are copied, with the exact commands, to docs/benchmarks.md."""
