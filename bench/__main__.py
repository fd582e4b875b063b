"""`make bench`: every bench module with `figures(quick)` measured, then one table; fails when one misses.

`python -m bench [--quick] [MODULE ...]`. Full: each figure against its target. Quick (the CI guard,
`make bench-quick`): small data and short runs, failing only below half a target (a gross regression);
a module with a figure that misses is measured once more and each figure's better try counts.
Modules with only a `main()` (stand-alone benchmarks such as media_upload) run when named.
"""

import importlib
import pkgutil
import sys
import time
from dataclasses import replace
from pathlib import Path

from bench.table import Figure, render

HELPERS = {"__main__", "wrk", "servers", "apps", "table", "seed", "postgres"}


def modules(selected: set[str]) -> list[str]:
    here = Path(__file__).parent
    names = sorted(info.name for info in pkgutil.iter_modules([str(here)]))
    return [
        n for n in names if n not in HELPERS and not n.startswith("_") and (not selected or n in selected)
    ]


def best(first: Figure, again: Figure) -> Figure:
    """The better of two measurements of one figure, with both values in its detail."""
    better = max(first, again, key=lambda figure: figure.value if figure.at_least else -figure.value)
    return replace(better, detail=f"{better.detail} (tries: {first.value:,.2f}, {again.value:,.2f})")


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
            found: list[Figure] = benchmark.figures(quick)
            if quick and not all(figure.holds_within(0.5) for figure in found):
                # A gross regression misses again; a busy moment of a shared machine seldom does twice.
                print(f"   a figure missed half its target; measuring bench/{name}.py once more", flush=True)
                again = benchmark.figures(quick)
                found = [best(first, second) for first, second in zip(found, again, strict=True)]
            figures += found
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
