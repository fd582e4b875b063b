"""Run every benchmark module in bench/ (each has a `main()`), one after another; fail if any fails."""

import importlib
import pkgutil
import sys
from pathlib import Path

HELPERS = {"__main__", "wrk", "servers", "apps"}


def main() -> int:
    selected = set(sys.argv[1:])
    here = Path(__file__).parent
    failures = 0
    for module in sorted(info.name for info in pkgutil.iter_modules([str(here)])):
        if module in HELPERS or module.startswith("_") or (selected and module not in selected):
            continue
        benchmark = importlib.import_module(f"bench.{module}")
        if hasattr(benchmark, "main"):
            print(f"== bench/{module}.py", flush=True)
            failures += 1 if benchmark.main() else 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
