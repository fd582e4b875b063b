"""Run every benchmark module of this package in turn; fail if any fails."""

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    failures = 0
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda info: info.name):
        if module.name.startswith("_"):
            continue
        print(f"== bench.{module.name}", flush=True)
        result = importlib.import_module(f"bench.{module.name}").main()
        failures += 1 if result else 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
