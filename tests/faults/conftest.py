"""The tests under tests/faults that cut servers or load the machine carry the `faults` marker, so that
`make test` runs them alone after the rest; the hostile-input corpus cuts nothing and runs with the rest."""

import pytest

# Pure input checks: they share nothing with the other tests and need no quiet machine.
BESIDE_THE_REST = {"test_hostile_input.py"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/faults/" in str(item.path) and item.path.name not in BESIDE_THE_REST:
            item.add_marker(pytest.mark.faults)
