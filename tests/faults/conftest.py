"""Every test under tests/faults carries the `faults` marker, so `make test-faults` can run them alone."""

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/faults/" in str(item.path):
            item.add_marker(pytest.mark.faults)
