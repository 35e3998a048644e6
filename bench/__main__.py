"""python -m bench: every benchmark of the project, one after another."""

from __future__ import annotations

import sys

from bench import summary


def main() -> int:
    return summary.main(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
