"""`make bench`: every bench module with `figures(quick)` measured, then one table; fails when one misses.

`python -m bench [--quick] [MODULE ...]`. Full: each figure against its target. Quick (the CI guard,
`make bench-quick`): small data and short runs, failing only below half a target (a gross regression).
Modules with only a `main()` (stand-alone benchmarks such as media_upload) run when named.
"""

import importlib
import pkgutil
import sys
import time
from pathlib import Path

from bench.table import Figure, render

HELPERS = {"__main__", "wrk", "servers", "apps", "table", "seed", "postgres"}


def modules(selected: set[str]) -> list[str]:
    here = Path(__file__).parent
    names = sorted(info.name for info in pkgutil.iter_modules([str(here)]))
    return [
        n for n in names if n not in HELPERS and not n.startswith("_") and (not selected or n in selected)
    ]


def main() -> int:
    quick = "--quick" in sys.argv
    selected = {arg for arg in sys.argv[1:] if not arg.startswith("-")}
    figures: list[Figure] = []
    failures = 0
    for name in modules(selected):
        benchmark = importlib.import_module(f"bench.{name}")
        started = time.perf_counter()
        if hasattr(benchmark, "figures"):
            print(f"== bench/{name}.py{' (quick)' if quick else ''}", flush=True)
            figures += benchmark.figures(quick)
        elif selected and hasattr(benchmark, "main"):
            print(f"== bench/{name}.py", flush=True)
            failures += 1 if benchmark.main() else 0
        else:
            continue
        print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
    if figures:
        print(render(figures))
    missed = [f for f in figures if not (f.holds_within(0.5) if quick else f.holds)]
    for figure in missed:
        print(f"bench: {figure.name} misses {'half its' if quick else 'its'} target", file=sys.stderr)
    return 1 if missed or failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
