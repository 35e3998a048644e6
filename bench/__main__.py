"""python -m bench: every benchmark of the project, each in its own process (each one
configures Django for its own database)."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = ["bench.summary", "bench.support"]


def main() -> int:
    rc = 0
    for module in BENCHMARKS:
        print(f"=== python -m {module}", flush=True)
        rc |= subprocess.call([sys.executable, "-m", module, *sys.argv[1:]])
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
