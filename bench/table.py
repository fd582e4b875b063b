"""One row of the `make bench` table: a measured figure, its target and whether it holds."""

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Figure:
    """A measured figure; `at_least` says whether the target is a floor (ratios, rates) or a ceiling."""

    name: str
    value: float
    target: float
    unit: str = "×"
    at_least: bool = True
    detail: str = ""
    # For a figure whose target is not reached yet: the level the CI guard keeps (else half the target).
    reached: float | None = None

    @property
    def holds(self) -> bool:
        return self.value >= self.target if self.at_least else self.value <= self.target

    def holds_within(self, slack: float) -> bool:
        """Whether the figure clears `slack` × its target (the CI guard uses 0.5 for gross regressions).

        A figure not yet at its target is held to `slack` × the level it has `reached`, so that it
        cannot fall further unnoticed, while the table still shows it missing its target.
        """
        floor = self.target if self.reached is None else self.reached
        if self.at_least:
            return self.value >= floor * slack
        return self.value <= floor / slack


Comparison = Literal["≥", "≤"]


def render(figures: list[Figure]) -> str:
    """The figures as one aligned plain-text table."""
    width = max([len(figure.name) for figure in figures] + [6])
    lines = [f"{'figure':<{width}}  {'value':>12}  {'target':>12}  holds  detail"]
    for figure in figures:
        sign: Comparison = "≥" if figure.at_least else "≤"
        lines.append(
            f"{figure.name:<{width}}  {figure.value:>12,.2f}  {sign}{figure.target:>11,.2f}  "
            f"{'yes' if figure.holds else 'NO':<5}  {figure.unit} {figure.detail}".rstrip()
        )
    return "\n".join(lines)
