"""axe-core's WCAG 2.1 A and AA rules, run in a page open in headless Chromium: what they find."""

from typing import Any, Final

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page

WCAG_21_AA: Final = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The page's violations of WCAG 2.1 AA (axe-core's own script, injected; nothing fetched)."""
    results = await Axe().run(page, options=WCAG_21_AA)
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation with the elements it names, for an assertion message."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'])}" for v in violations
    )
