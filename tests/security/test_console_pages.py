"""Every console page, signed in, carries the console's security headers; every console form survives hostile
input with a clean answer. Pages and forms come from the route table and the pages themselves, so a new
console page or form cannot escape."""

import re
import uuid
from html.parser import HTMLParser

import httpx
import pytest
from litestar.routes import HTTPRoute

from accounts.invites import invite_staff
from content.kinds import KINDS
from content.schemas import TopicIn
from content.topics import create_topic
from service.app import create_app
from service.settings import Settings
from tests.conftest import Database
from tests.service.console.conftest import ConsoleClient
from tests.service.console.staff_pages import sign_in_as, write

HOSTILE = [
    "\x00nul",
    "\u202eevil\u202c",
    "<script>alert(1)</script>",
    "{{ 7*7 }}{% raw %}",
    "' OR 1=1 --",
    "../../etc/passwd",
    "A" * 100_000,
    "\r\nSet-Cookie: x=1",
    "𝕏🇬🇪\u200d",
]
FIXED_FIELDS = {"_csrf_token"}


def console_get_paths(settings: Settings) -> list[str]:
    """Every console GET route with its parameters filled (a random id where one is asked)."""
    app = create_app(settings)
    paths: set[str] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "GET" not in route.methods:
            continue
        if not route.path.startswith("/console") or "/static/" in route.path:
            continue
        paths.add(re.sub(r"{[^}]+}", lambda _: str(uuid.uuid4()), route.path))
    return sorted(paths)


class Forms(HTMLParser):
    """The POST forms of a page: their action and the names of their fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, set[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form" and (found.get("method") or "").lower() == "post":
            self.forms.append((found.get("action") or "", found.get("enctype") or "", set()))
        elif tag in {"input", "textarea", "select", "button"} and self.forms and found.get("name"):
            self.forms[-1][2].add(str(found["name"]))


def assert_console_headers(path: str, response: httpx.Response) -> None:
    policy = response.headers.get("content-security-policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives.get("default-src") == ["'none'"], (path, policy)
    assert directives.get("frame-ancestors") == ["'none'"], (path, policy)
    assert directives.get("base-uri") == ["'none'"], (path, policy)
    assert directives.get("script-src", ["'self'"]) == ["'self'"], (path, policy)  # ours, never inline
    assert "http" not in policy, (path, policy)  # no other origin
    for name, value in (
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-resource-policy", "same-origin"),
        ("cache-control", "no-store"),
    ):
        assert response.headers.get(name) == value, (path, name, response.headers.get(name))
    assert "camera=()" in response.headers.get("permissions-policy", ""), path


async def test_every_console_page_has_the_console_headers_signed_in_and_out(
    console: ConsoleClient, settings: Settings, db: Database
) -> None:
    paths = console_get_paths(settings)
    assert len(paths) >= 10
    for path in paths:
        answer = await console.get(path)
        assert answer.status_code < 500, (path, answer.status_code)
        if answer.headers.get("content-type", "").startswith("text/html"):
            assert_console_headers(path, answer)
    admin = await sign_in_as(console, "admin")
    entry = await write("news", admin.actor, {"ka": "სათაური", "en": "Title"})
    paths += [f"/console/news/{entry}"]
    seen_html = 0
    for path in paths:
        answer = await console.get(path)
        assert answer.status_code < 500, (path, answer.status_code)
        if answer.headers.get("content-type", "").startswith("text/html"):
            assert_console_headers(path, answer)
            seen_html += 1
    assert seen_html >= len(KINDS) + 3


@pytest.mark.parametrize("role", ["author", "admin"])
async def test_every_console_form_answers_hostile_input_cleanly(
    console: ConsoleClient, settings: Settings, db: Database, role: str
) -> None:
    person = await sign_in_as(console, role)
    entry = await write("news", person.actor, {"ka": "სათაური", "en": "Title"})
    await create_topic(TopicIn(slug="borders", name={"ka": "საზღვრები", "en": "Borders"}))
    pages = [p for p in console_get_paths(settings) if "welcome" not in p]
    pages += [f"/console/news/{entry}", "/console/news/new", "/console/topics/borders"]
    colleague = await invite_staff("colleague@scmi.test", "author", "Colleague")
    pages += [f"/console/staff/{colleague.staff_id}"]  # their role and status forms (admins only)
    pages += ["/console/templates/newsletter"]
    tried: set[str] = set()
    for page in pages:
        served = await console.get(page)
        if not served.headers.get("content-type", "").startswith("text/html"):
            continue
        parser = Forms()
        parser.feed(served.text)
        for action, enctype, fields in parser.forms:
            target = action or page
            # Signing out (or everywhere) ends this test's session; their forms have no free text.
            if target.startswith("/console/sign-out") or target in tried:
                continue
            tried.add(target)
            token = re.search(r'name="_csrf_token" value="([^"]+)"', served.text)
            assert token, page
            for value in HOSTILE:
                body = {name: value for name in fields - FIXED_FIELDS if name != "action"}
                body["_csrf_token"] = token.group(1)
                if "action" in fields:
                    body["action"] = "save"
                if enctype == "multipart/form-data":
                    answer = await console.post(
                        target, data=body, files={"file": ("x.txt", b"x", "text/plain")}
                    )
                else:
                    answer = await console.post(target, data=body)
                assert answer.status_code < 500, (target, value[:30], answer.status_code, answer.text[:300])
                assert "Traceback" not in answer.text
                if answer.headers.get("content-type", "").startswith("text/html"):
                    assert "<script>alert(1)</script>" not in answer.text, target
            # The session survives every try (no form signs the person out by accident).
            assert (await console.get("/console/")).status_code == 200, target
    assert len(tried) >= 3, tried
