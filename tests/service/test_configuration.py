"""The README's configuration table names every variable the settings read, with its real default."""

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from service.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"
NAME = re.compile(r"`([A-Z][A-Z0-9_]+)`")


class Recording(Mapping[str, str]):
    """An environment that remembers every variable asked for."""

    def __init__(self, values: dict[str, str] | None = None) -> None:
        self.values = values or {}
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return self.values[key]

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return key in self.values

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("from_env must ask for its variables by name, not walk the environment")

    def __len__(self) -> int:
        return len(self.values)


def configuration_rows() -> list[list[str]]:
    text = README.read_text("utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in row.strip().strip("|").split(" | ")] for row in rows]


def documented() -> dict[str, str]:
    """Every variable of the table, with its default cell (split when a row holds several)."""
    found: dict[str, str] = {}
    for variables, default, _ in configuration_rows():
        names = NAME.findall(variables)
        defaults = default.split(", ") if len(names) > 1 and default.count(", ") == len(names) - 1 else []
        for position, name in enumerate(names):
            assert name not in found, f"{name} is in the configuration table twice"
            found[name] = defaults[position] if defaults else default
    return found


def test_every_variable_the_settings_read_is_in_the_readme_and_no_other() -> None:
    environment = Recording()
    Settings.from_env(environment)
    assert environment.asked, "Settings.from_env read nothing"
    names = set(documented())
    assert environment.asked - names == set(), "add these settings to the README configuration table"
    assert names - environment.asked == set(), "the README documents settings that are not read"


def test_every_row_has_a_default_and_says_what_it_does() -> None:
    rows = configuration_rows()
    assert len(rows) >= 30
    for variables, default, meaning in rows:
        assert default and len(meaning) > 10, variables


def literal_defaults() -> dict[str, str]:
    """The defaults the table gives as a plain value (others, like "unset", are described in words)."""
    literals = {}
    for name, default in documented().items():
        literal = re.fullmatch(r"`([^`$]*)`(?: \(.*\))?", default)
        if literal is not None:
            literals[name] = literal.group(1)
    return literals


def test_most_defaults_are_given_as_values() -> None:
    assert len(literal_defaults()) >= 20


@pytest.mark.parametrize(("name", "default"), sorted(literal_defaults().items()))
def test_a_documented_default_is_the_real_one(name: str, default: str) -> None:
    assert Settings.from_env({name: default}) == Settings.from_env({}), (
        f"README says {name} defaults to {default!r}, but setting that changes the settings"
    )
