"""The console's browser-like client, for the security tests that walk the console too."""

from tests.service.console.conftest import console  # noqa: F401 (a fixture, found here by pytest)
