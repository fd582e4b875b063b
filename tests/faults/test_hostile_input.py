"""Hostile input to every writable text field, every list's numbers and `q`, mail headers and uploads.

Every answer is a clean 4xx problem+json or a success; what a success stored reads back exactly as sent,
and nothing else changed. The fields come from the app's own OpenAPI document, so a new one is covered
the day it appears; a new JSON write operation fails the test until it has a base body below.
"""

import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import httpx
import pytest

from service.app import create_app
from service.settings import Settings
from tests.conftest import Database, Staff, running, settings_with
from tests.helpers import bilingual, create_published
from tests.media_files import HTML, SHELL_SCRIPT, SVG_WITH_SCRIPT, pdf, png
from tests.newsletters.conftest import Inbox, newsroom_for
from tests.private_servers import smtp_server

PROBLEM = "application/problem+json"
LONE_SURROGATE = (
    "\x00lone-surrogate\x00"  # stands for the JSON escape \ud800, which Python's json cannot write
)
MEGABYTE = 1_000_000

# The corpus: each value goes into every text field, one at a time.
CORPUS: dict[str, str] = {
    "control characters": "a\x01b\x08c\x0b\x0c\x1b[31m\x1f\x7fd",
    "NUL": "before\x00after",
    "zero-width, right-to-left and astral": (
        "a\u200b\u200c\u200d\ufeffb \u202eexe.txt\u202c \u2066x\u2069 \u200f \U0001d54f\U0001f600 \U000e0041"
    ),
    "lone surrogate": LONE_SURROGATE,
    "1 MB": "ა" * (MEGABYTE // 3),
    "CR/LF header injection": "Name\r\nBcc: victim@example.com\r\nX-Injected: yes",
    "template injection": "{{ 7*7 }} {{ 'pwn' ~ 'ed' }} {% for x in range(3) %}loop{% endfor %} ${7*7} <%= 7*7 %>",
    "LIKE and FTS operators": '%_ "*" NEAR(a b) OR -x col:y ^z (a) \\ \\% \'; --',
    "traversal and markup": "../../etc/passwd\\..\\win.ini <script>alert(1)</script><img src=x onerror=alert(2)>]]>",
}


@pytest.fixture
async def hostile_client(settings: Settings, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """The app without the public sign-up rate limit, so every field of the sign-up form is tried."""
    app = create_app(settings_with(settings, subscribe_limit_per_ip=1_000_000))
    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver.local", timeout=60
        ) as http:
            yield http
    db.bind()


@dataclass
class World:
    """Rows every base body refers to, and a counter that keeps slugs and addresses unique."""

    http: httpx.AsyncClient
    staff: Staff
    ids: dict[str, str] = field(default_factory=dict)
    counter: int = 0
    on_extra: bool = False  # whether the subscriber under edit is on the list `extra` now

    def unique(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter}"

    async def make(self, method: str, path: str, body: Any, role: str = "admin") -> dict[str, Any]:
        response = await self.http.request(method, path, json=body, headers=self.staff.headers(role))
        assert response.status_code in (200, 201), response.text
        return response.json()  # type: ignore[no-any-return]


def _entry_body(world: World) -> dict[str, Any]:
    body = bilingual(topics=["migration-policy"], starts_at="2027-03-01T10:00:00+04:00")
    body["translations"]["ka"]["location"] = "თბილისი"
    return body


def _campaign_body(world: World) -> dict[str, Any]:
    return {
        "template": "newsletter",
        "subject": {"ka": "სიახლეები", "en": "News"},
        "intro": {"ka": "შესავალი", "en": "Intro"},
        "entries": [world.ids["entry"]],
        "lists": ["press"],
        "from_name": "Secretariat",
        "from_address": "newsroom@newsroom.test",
        "reply_to": "press@newsroom.test",
        "slug": world.unique("campaign"),
    }


def _webhook_body() -> dict[str, Any]:
    return {"url": "https://website.test/hooks", "events": ["entry.published"], "description": "The website"}


MJML = (
    "<mjml><mj-body><mj-section><mj-column><mj-text>{{ intro }}</mj-text>"
    '<mj-text><a href="{{ unsubscribe_url }}">unsubscribe</a></mj-text></mj-column></mj-section></mj-body></mjml>'
)

# Per JSON write operation of the OpenAPI document: the concrete path and a valid body to spoil.
BaseBody = Callable[[World], tuple[str, dict[str, Any]]]
BASE_BODIES: dict[tuple[str, str], BaseBody] = {
    ("POST", "/api/v1/events"): lambda w: ("/api/v1/events", _entry_body(w)),
    ("PATCH", "/api/v1/events/{ref}"): lambda w: (f"/api/v1/events/{w.ids['event']}", _entry_body(w)),
    ("POST", "/api/v1/events/{ref}/publish"): lambda w: (
        f"/api/v1/events/{w.ids['event']}/publish",
        {"at": "2030-01-01T00:00:00Z", "embargo_until": "2030-01-02T00:00:00Z"},
    ),
    ("POST", "/api/v1/events/{ref}/preview-link"): lambda w: (
        f"/api/v1/events/{w.ids['event']}/preview-link",
        {"expires_in_days": 7},
    ),
    ("POST", "/api/v1/events/{ref}/submit"): lambda w: (
        f"/api/v1/events/{w.ids['event']}/submit",
        {"note": "Ready for a look"},
    ),
    ("POST", "/api/v1/events/{ref}/request-changes"): lambda w: (
        f"/api/v1/events/{w.ids['event']}/request-changes",
        {"note": "Please check the dates"},
    ),
    ("POST", "/api/v1/events/{ref}/comments"): lambda w: (
        f"/api/v1/events/{w.ids['event']}/comments",
        {"body": "A *comment*"},
    ),
    ("PATCH", "/api/v1/me"): lambda w: ("/api/v1/me", {"review_mails": True}),
    ("POST", "/api/v1/topics"): lambda w: (
        "/api/v1/topics",
        {"slug": w.unique("topic"), "name": {"ka": "თემა", "en": "Topic"}},
    ),
    ("PATCH", "/api/v1/topics/{slug}"): lambda w: (
        "/api/v1/topics/to-rename",
        {"name": {"ka": "ახალი სახელი", "en": "A new name"}},
    ),
    ("PATCH", "/api/v1/media/{asset_id}"): lambda w: (
        f"/api/v1/media/{w.ids['asset']}",
        {
            "caption": {"ka": "წარწერა"},
            "alt": {"ka": "ალტ"},
            "credit": {"ka": "ავტორი"},
            "licence": "CC BY 4.0",
        },
    ),
    ("POST", "/api/v1/staff"): lambda w: (
        "/api/v1/staff",
        {"email": f"{w.unique('staff')}@scmi.test", "role": "author", "name": "Staff"},
    ),
    ("PATCH", "/api/v1/staff/{staff_id}"): lambda w: (f"/api/v1/staff/{w.ids['staff']}", {"role": "author"}),
    ("POST", "/api/v1/staff/{staff_id}/tokens"): lambda w: (
        f"/api/v1/staff/{w.ids['staff']}/tokens",
        {"label": "laptop"},
    ),
    ("POST", "/api/v1/lists"): lambda w: (
        "/api/v1/lists",
        {
            "slug": w.unique("list"),
            "name": {"ka": "სია", "en": "List"},
            "description": {"ka": "აღწერა", "en": "About"},
            "public": True,
        },
    ),
    ("PATCH", "/api/v1/lists/{slug}"): lambda w: (
        "/api/v1/lists/press",
        {"name": {"ka": "პრესა", "en": "Press"}, "description": {"ka": "აღწერა", "en": "About"}},
    ),
    ("POST", "/api/v1/subscribers"): lambda w: (
        "/api/v1/subscribers",
        {
            "email": f"{w.unique('reader')}@example.ge",
            "basis": "partnership agreement",
            "lists": ["press"],
            "lang": "ka",
            "name": "ნინო",
            "organisation": "Org",
        },
    ),
    ("PATCH", "/api/v1/subscribers/{subscriber_id}"): lambda w: (
        f"/api/v1/subscribers/{w.ids['subscriber']}",
        # Joining or leaving a list each time, so that the basis is recorded each time.
        {
            "name": "ნინო",
            "organisation": "Org",
            "lang": "ka",
            "lists": ["press"] if w.on_extra else ["press", "extra"],
            "basis": "agreement",
        },
    ),
    ("POST", "/api/v1/subscriptions"): lambda w: (
        "/api/v1/subscriptions",
        {
            "email": f"{w.unique('signup')}@example.ge",
            "lists": ["press"],
            "lang": "ka",
            "name": "ნინო",
            "organisation": "Org",
            "consent": True,
        },
    ),
    ("POST", "/api/v1/templates"): lambda w: (
        "/api/v1/templates",
        {"slug": w.unique("template"), "name": {"ka": "შაბლონი", "en": "Template"}, "mjml": MJML},
    ),
    ("PUT", "/api/v1/templates/{ref}"): lambda w: (
        f"/api/v1/templates/{w.ids['template']}",
        {"slug": w.ids["template"], "name": {"ka": "შაბლონი", "en": "Template"}, "mjml": MJML},
    ),
    ("POST", "/api/v1/campaigns"): lambda w: ("/api/v1/campaigns", _campaign_body(w)),
    # The event has no registrant: a body that passes the checks is 409, never a draft.
    # Registering is answered 202 alike whether stored or not, as subscribing is.
    ("POST", "/api/v1/events/{ref}/registrations"): lambda w: (
        f"/api/v1/events/{w.ids['event']}/registrations",
        {
            "email": f"{w.unique('guest')}@example.ge",
            "name": "ნინო",
            "organisation": "Org",
            "lang": "ka",
            "role": "press",
            "outlet": "Outlet",
            "consent": True,
        },
    ),
    # No registration waits for a decision here: the body is parsed and checked before the look-up.
    ("POST", "/api/v1/events/{ref}/registrations/{registration_id}/accredit"): lambda w: (
        f"/api/v1/events/{w.ids['event']}/registrations/{w.ids['staff']}/accredit",
        {"decision": "accepted", "note": "Welcome"},
    ),
    # The event is not under an embargo: the body is parsed and checked before the entry's state.
    ("POST", "/api/v1/events/{ref}/embargo-access"): lambda w: (
        f"/api/v1/events/{w.ids['event']}/embargo-access",
        {"lists": ["press"], "emails": ["desk@outlet.example"], "lang": "en"},
    ),
    ("POST", "/api/v1/events/{ref}/registrations/mail"): lambda w: (
        f"/api/v1/events/{w.ids['event']}/registrations/mail",
        {k: v for k, v in _campaign_body(w).items() if k not in ("lists", "entries")}
        | {"statuses": ["registered", "waitlisted"]},
    ),
    ("PUT", "/api/v1/campaigns/{ref}"): lambda w: (
        f"/api/v1/campaigns/{w.ids['campaign']}",
        {**_campaign_body(w), "slug": w.ids["campaign_slug"]},
    ),
    ("POST", "/api/v1/campaigns/digest"): lambda w: (
        "/api/v1/campaigns/digest",
        {
            "since": "2020-01-01T00:00:00Z",
            "lists": ["press"],
            "template": "digest",
            "from_name": "Secretariat",
            "from_address": "newsroom@newsroom.test",
        },
    ),
    ("POST", "/api/v1/campaigns/{ref}/send"): lambda w: (
        f"/api/v1/campaigns/{w.ids['spare_campaign']}/send",
        {"at": "2035-01-01T00:00:00Z"},
    ),
    ("POST", "/api/v1/campaigns/{ref}/test"): lambda w: (
        f"/api/v1/campaigns/{w.ids['campaign']}/test",
        {"addresses": ["editor@newsroom.test"], "lang": "en"},
    ),
    ("POST", "/api/v1/webhooks"): lambda w: ("/api/v1/webhooks", _webhook_body()),
    ("PATCH", "/api/v1/webhooks/{endpoint_id}"): lambda w: (
        f"/api/v1/webhooks/{w.ids['webhook']}",
        {**_webhook_body(), "enabled": True},
    ),
}
# Where a write keeps what the answer does not show.
ALSO_READ: dict[tuple[str, str], Callable[[World], str]] = {
    ("PATCH", "/api/v1/subscribers/{subscriber_id}"): lambda w: (
        f"/api/v1/subscribers/{w.ids['subscriber']}/consent"
    ),
    ("POST", "/api/v1/staff/{staff_id}/tokens"): lambda w: f"/api/v1/staff/{w.ids['staff']}/tokens",
    # A review step's note joins the entry's conversation.
    ("POST", "/api/v1/events/{ref}/submit"): lambda w: f"/api/v1/events/{w.ids['event']}/comments",
    ("POST", "/api/v1/events/{ref}/request-changes"): lambda w: f"/api/v1/events/{w.ids['event']}/comments",
}
# Entries of every kind share one request schema: events (which alone have `location`) stand for all.
SAME_AS_EVENTS = re.compile(r"^/api/v1/(news|announcements|materials)(/|$)")


async def _prepare(world: World) -> None:
    topic = {"slug": "migration-policy", "name": {"ka": "მიგრაცია", "en": "Migration"}}
    await world.make("POST", "/api/v1/topics", topic)
    # The rename route's own target, apart from the topic the other rows' check watches.
    await world.make("POST", "/api/v1/topics", {"slug": "to-rename", "name": {"ka": "თემა", "en": "Topic"}})
    press = {"slug": "press", "name": {"ka": "პრესა", "en": "Press"}, "public": True}
    await world.make("POST", "/api/v1/lists", press)
    await world.make("POST", "/api/v1/lists", {**press, "slug": "extra", "public": False})
    world.ids["event"] = (await world.make("POST", "/api/v1/events", _entry_body(world)))["id"]
    world.ids["entry"] = (await world.make("POST", "/api/v1/news", bilingual()))["id"]
    await world.make("POST", f"/api/v1/news/{world.ids['entry']}/publish", None)
    world.ids["sentinel"] = (await world.make("POST", "/api/v1/news", bilingual("საკონტროლო", "Sentinel")))[
        "id"
    ]
    uploaded = await world.http.post(
        "/api/v1/media", files={"file": ("p.png", png(), "image/png")}, headers=world.staff.headers("author")
    )
    assert uploaded.status_code == 201, uploaded.text
    world.ids["asset"] = uploaded.json()["id"]
    member = {"email": "target@scmi.test", "role": "author", "name": "Target"}
    world.ids["staff"] = (await world.make("POST", "/api/v1/staff", member))["staff"]["id"]
    for name in ("subscriber", "sentinel_subscriber"):
        _, body = BASE_BODIES[("POST", "/api/v1/subscribers")](world)
        world.ids[name] = (await world.make("POST", "/api/v1/subscribers", body))["id"]
    world.ids["template"] = "house"
    house = {"slug": "house", "name": {"ka": "შაბლონი", "en": "House"}, "mjml": MJML}
    await world.make("POST", "/api/v1/templates", house, role="editor")
    campaign = await world.make("POST", "/api/v1/campaigns", _campaign_body(world), role="editor")
    world.ids["campaign"], world.ids["campaign_slug"] = campaign["id"], campaign["slug"]
    spare = await world.make("POST", "/api/v1/campaigns", _campaign_body(world), role="editor")
    world.ids["spare_campaign"] = spare["id"]
    world.ids["webhook"] = (await world.make("POST", "/api/v1/webhooks", _webhook_body()))["id"]


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def text_fields(
    schema: dict[str, Any], components: dict[str, Any], path: tuple[str, ...] = ()
) -> set[tuple[str, ...]]:
    """Paths to every string in a request schema; `*` is any key of a map, `[]` an item of a list."""
    schema = _resolve(schema, components)
    found: set[tuple[str, ...]] = set()
    for alternative in schema.get("oneOf", []) + schema.get("anyOf", []):
        found |= text_fields(alternative, components, path)
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "string" in kinds:
        found.add(path)
    for name, child in schema.get("properties", {}).items():
        found |= text_fields(child, components, (*path, name))
    if isinstance(schema.get("additionalProperties"), dict):
        found |= text_fields(schema["additionalProperties"], components, (*path, "*"))
    if "array" in kinds and isinstance(schema.get("items"), dict):
        found |= text_fields(schema["items"], components, (*path, "[]"))
    return found


def json_write_operations(document: dict[str, Any]) -> dict[tuple[str, str], set[tuple[str, ...]]]:
    components = document["components"]["schemas"]
    operations = {}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                operations[(method.upper(), path)] = text_fields(
                    content["application/json"]["schema"], components
                )
    return operations


def spoiled(body: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A deep copy of the body with the value at the path (creating what is missing)."""
    body = json.loads(json.dumps(body))
    holder: Any = body
    for position, step in enumerate(path):
        last = position == len(path) - 1
        if step == "[]":
            if not holder:
                holder.append(value if last else {})
            key: Any = 0
        elif step == "*":
            key = next(iter(holder), "ka")
        else:
            key = step
        if last:
            holder[key] = value
        else:
            if isinstance(holder, dict) and not isinstance(holder.get(key), dict | list):
                holder[key] = [] if path[position + 1] == "[]" else {}
            holder = holder[key]
    return body


def encoded(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).replace(json.dumps(LONE_SURROGATE)[1:-1], "\\ud800").encode()


def strings_in(document: Any) -> list[str]:
    if isinstance(document, str):
        return [document]
    if isinstance(document, dict):
        return [text for value in document.values() for text in strings_in(value)]
    if isinstance(document, list):
        return [text for value in document for text in strings_in(value)]
    return []


def clean_refusal(response: httpx.Response) -> str | None:
    """Why an answer is not a clean 4xx problem+json or a success (None when it is)."""
    if response.status_code >= 500:
        return f"{response.status_code}: {response.text[:300]}"
    if response.status_code >= 400:
        if not response.headers.get("content-type", "").startswith(PROBLEM):
            return f"{response.status_code} is not problem+json"
        if "Traceback" in response.text:
            return "a stack trace in the answer"
    return None


async def _snapshot(world: World) -> dict[str, Any]:
    admin = world.staff.headers("admin")
    return {
        path: (await world.http.get(path, headers=admin)).json()
        for path in (
            f"/api/v1/news/{world.ids['sentinel']}",
            f"/api/v1/subscribers/{world.ids['sentinel_subscriber']}",
        )
    } | {
        "topic": [
            t for t in (await world.http.get("/api/v1/topics")).json() if t["slug"] == "migration-policy"
        ]
    }


async def test_every_writable_text_field_takes_the_hostile_corpus_cleanly(
    hostile_client: httpx.AsyncClient, staff: Staff, db: Database
) -> None:
    world = World(hostile_client, staff)
    await _prepare(world)
    document = (await hostile_client.get("/schema/openapi.json")).json()
    operations = json_write_operations(document)
    missing = {op for op in operations if op not in BASE_BODIES and not SAME_AS_EVENTS.match(op[1])}
    assert missing == set(), f"JSON write operations without a base body in BASE_BODIES: {missing}"
    before = await _snapshot(world)
    admin = staff.headers("admin")
    problems: list[str] = []
    tally = {"requests": 0, "accepted": 0, "refused": 0}
    for (method, template), fields in sorted(operations.items()):
        if SAME_AS_EVENTS.match(template):
            continue
        for field_path in sorted(fields):
            for name, value in CORPUS.items():
                path, base = BASE_BODIES[(method, template)](world)
                body = encoded(spoiled(base, field_path, value))
                response = await hostile_client.request(
                    method, path, content=body, headers={**admin, "Content-Type": "application/json"}
                )
                tally["requests"] += 1
                where = f"{method} {template} {'.'.join(field_path)} <- {name}"
                if (reason := clean_refusal(response)) is not None:
                    problems.append(f"{where}: {reason}")
                    continue
                if response.status_code >= 400:
                    tally["refused"] += 1
                    continue
                tally["accepted"] += 1
                if template == "/api/v1/subscribers/{subscriber_id}":
                    world.on_extra = not world.on_extra
                if value == LONE_SURROGATE:
                    problems.append(f"{where}: a lone surrogate was accepted")
                    continue
                stored = response.json() if response.content else {}
                read_path = path if method in ("PATCH", "PUT") else None
                if isinstance(stored, dict) and "id" in stored and method == "POST" and "{" not in template:
                    read_path = f"{path}/{stored['id']}"
                if (
                    read_path is not None
                    and (readback := await hostile_client.get(read_path, headers=admin)).is_success
                ):
                    stored = readback.json()
                if (also := ALSO_READ.get((method, template))) is not None:
                    stored = [stored, (await hostile_client.get(also(world), headers=admin)).json()]
                if method == "POST" and template in (
                    "/api/v1/subscriptions",
                    "/api/v1/events/{ref}/registrations",
                ):
                    continue  # answered 202 alike whether stored or not; the mail test reads what was stored
                if value not in strings_in(stored):
                    problems.append(f"{where}: accepted but reads back otherwise")
    after = await _snapshot(world)
    print(
        f"\nhostile corpus on {db.backend}: {tally['requests']} requests over "
        f"{sum(len(f) for op, f in operations.items() if not SAME_AS_EVENTS.match(op[1]))} text fields, "
        f"{tally['accepted']} accepted and read back, {tally['refused']} refused cleanly, {len(problems)} problems"
    )
    assert problems == [], "\n".join(problems)
    assert after == before, "rows the corpus did not aim at changed"


def _concrete(template: str, value: str = "x") -> str:
    return re.sub(r"{[^}]+}", lambda _: quote(value, safe=""), template)


async def test_deep_json_huge_numbers_and_hostile_query_strings_are_refused_cleanly(
    hostile_client: httpx.AsyncClient, staff: Staff, db: Database
) -> None:
    world = World(hostile_client, staff)
    await _prepare(world)
    document = (await hostile_client.get("/schema/openapi.json")).json()
    admin = {**staff.headers("admin"), "Content-Type": "application/json"}
    problems: list[str] = []
    sent = 0
    deep = [("[" * 10_000 + "]" * 10_000).encode(), ('{"a":' * 10_000 + "1" + "}" * 10_000).encode()]
    for method, template in sorted(json_write_operations(document)):
        if SAME_AS_EVENTS.match(template):
            continue
        path, _ = BASE_BODIES[(method, template)](world)
        for body in deep:
            response = await hostile_client.request(method, path, content=body, headers=admin)
            sent += 1
            if response.is_success or (reason := clean_refusal(response)) is not None:
                problems.append(
                    f"{method} {template} deep JSON: {response.status_code} {response.text[:200]}"
                )
    numbers = ["-1", "0", "-9223372036854775809", "1" + "0" * 40, "1e308", "NaN", "0x10", "1.5", "٣"]
    strings = [value for name, value in CORPUS.items() if name not in {"1 MB", "lone surrogate"}]
    for template, methods in document["paths"].items():
        operation = methods.get("get")
        if operation is None:
            continue
        for parameter in operation.get("parameters", []):
            kind = _resolve(parameter.get("schema", {}), document["components"]["schemas"])
            integer = kind.get("type") == "integer" or "integer" in str(
                kind.get("oneOf", kind.get("anyOf", ""))
            )
            values = numbers if integer else [*strings, "%ED%A0%80", "ა" * 1000]
            for value in values:
                if parameter["in"] == "path":
                    url = _concrete(template, value)
                elif parameter["in"] == "query":
                    url = f"{_concrete(template)}?{parameter['name']}={quote(value, safe='%')}"
                else:
                    continue
                # The subscription pages answer browsers in HTML; ask for JSON to see the problem.
                response = await hostile_client.get(url, headers={**admin, "Accept": "application/json"})
                sent += 1
                if (reason := clean_refusal(response)) is not None:
                    problems.append(f"GET {template} {parameter['name']}={value[:40]!r}: {reason}")
    print(
        f"\ndeep JSON, numbers and query strings on {db.backend}: {sent} requests, {len(problems)} problems"
    )
    assert problems == [], "\n".join(problems)


SEARCHES = ['%', '_', '"', "*", "NEAR", "OR", "-", ":", "^", "(", ")", "\\", '"a" OR "b"', "a*", "NEAR(a b, 2)",
            "title:x", "^x", "-x", "%%", "\\%", "'", "a' OR '1'='1"]  # fmt: skip


async def test_like_and_full_text_operators_in_q_are_taken_literally(
    hostile_client: httpx.AsyncClient, staff: Staff, db: Database
) -> None:
    world = World(hostile_client, staff)
    await _prepare(world)
    admin = staff.headers("admin")
    people = {
        "under_score@example.ge": "ნინო_ბერიძე",
        "percent@example.ge": "100% Press",
        "plain@example.ge": "Plain Reader",
        "back@example.ge": "back\\slash",
    }
    for address, name in people.items():
        body = {"email": address, "basis": "agreement", "lists": ["press"], "lang": "ka", "name": name}
        await world.make("POST", "/api/v1/subscribers", body)
    stored = {
        item["email"]: item
        for item in (await hostile_client.get("/api/v1/subscribers?limit=100", headers=admin)).json()["items"]
    }
    problems = []
    for q in SEARCHES:
        for kind in ("news", "events"):
            response = await hostile_client.get(f"/api/v1/{kind}", params={"q": q, "lang": "en"})
            if response.status_code != 200:
                problems.append(f"{kind} q={q!r}: {response.status_code} {response.text[:200]}")
        response = await hostile_client.get("/api/v1/subscribers", params={"q": q}, headers=admin)
        if response.status_code != 200:
            problems.append(f"subscribers q={q!r}: {response.status_code} {response.text[:200]}")
            continue
        found = {item["email"] for item in response.json()["items"]}
        typed = q.strip().lower()
        expected = {
            email
            for email, item in stored.items()
            if any(typed in (item.get(column) or "").lower() for column in ("email", "name", "organisation"))
        }
        if found != expected:
            problems.append(
                f"subscribers q={q!r}: found {sorted(found)}, literally matching {sorted(expected)}"
            )
    print(
        f"\n{len(SEARCHES)} operator queries on {db.backend} (entries and subscribers): {len(problems)} problems"
    )
    assert problems == [], "\n".join(problems)


FEEDS = ["news.rss", "news.atom", "news.json", "all.rss", "all.atom", "all.json"]


async def test_hostile_text_in_published_entries_leaves_feeds_and_pages_well_formed(
    hostile_client: httpx.AsyncClient, staff: Staff, db: Database
) -> None:
    editor = staff.headers("editor")
    published = []
    for name, value in CORPUS.items():
        if name in {"1 MB", "lone surrogate"}:
            continue
        body = bilingual(en_title=f"{value} {name}"[:500])
        body["translations"]["en"].update(summary=value, body=value)
        created = await hostile_client.post("/api/v1/news", json=body, headers=editor)
        assert created.status_code in (201, 422), created.text
        if created.status_code == 201:
            entry = created.json()
            response = await hostile_client.post(f"/api/v1/news/{entry['id']}/publish", headers=editor)
            assert response.status_code == 200, response.text
            published.append((name, value, entry))
    for feed in FEEDS:
        response = await hostile_client.get(f"/feeds/en/{feed}")
        assert response.status_code == 200, (feed, response.text[:300])
        if feed.endswith(".json"):
            titles = [item["title"] for item in response.json()["items"]]
        else:
            tree = ElementTree.fromstring(response.content)  # well-formed XML, or this raises
            titles = [
                element.text or "" for element in tree.iter() if element.tag.rsplit("}", 1)[-1] == "title"
            ]
        for name, _, _ in published:
            assert any(title.endswith(name) for title in titles), (feed, name)
    for name, value, entry in published:
        slug = next(ref["slug"] for ref in entry["translations"] if ref["lang"] == "en")
        response = await hostile_client.get(f"/api/v1/news/{quote(slug, safe='')}", params={"lang": "en"})
        assert response.status_code == 200, (name, response.text[:300])
        assert response.json()["summary"] == value, name
        assert "<script" not in response.json()["body_html"] and "onerror" not in response.json()["body_html"]
    print(f"\n{len(published)} hostile entries published on {db.backend}; {len(FEEDS)} feeds well-formed")


def multipart(filename: bytes, data: bytes, content_type: bytes) -> tuple[bytes, str]:
    boundary = "scmi-hostile-boundary"
    body = (
        f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="file"; filename="'
        + filename
        + b'"\r\nContent-Type: '
        + content_type
        + b"\r\n\r\n"
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


UPLOAD_NAMES = [
    b"../../../../etc/passwd.png",
    b"..\\..\\windows\\win.ini.png",
    b"/etc/cron.d/evil.png",
    "ფოტო \u202egnp.exe.png".encode(),
    b"nul\x00byte.png",
    b"crlf\r\nX-Injected: yes.png",
    b"x" * 4000 + b".png",
    b"CON.png",
    b"<script>alert(1)</script>.png",
    b"%2e%2e%2f%2e%2e%2fpasswd.png",
    b"",
]
GIF_JS = b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=alert(document.domain);//;"
UPLOADS = [
    ("png", png(), b"image/png"),
    ("png with html appended", png() + HTML, b"image/png"),
    ("html named png", HTML, b"image/png"),
    ("gif/javascript polyglot", GIF_JS, b"image/gif"),
    ("svg with script", SVG_WITH_SCRIPT, b"image/svg+xml"),
    ("shell script as jpeg", SHELL_SCRIPT, b"image/jpeg"),
    ("pdf with html appended", pdf() + HTML, b"application/pdf"),
]
UNSAFE_TYPES = (
    "text/html",
    "image/svg+xml",
    "application/javascript",
    "text/javascript",
    "application/xhtml",
)


async def test_hostile_uploads_are_refused_or_stored_and_served_safely(
    client: httpx.AsyncClient, staff: Staff, settings: Settings, db: Database
) -> None:
    author = staff.headers("author")
    outcomes = {"stored": 0, "refused": 0}
    problems: list[str] = []
    for file_name in UPLOAD_NAMES:
        for label, data, content_type in UPLOADS:
            body, multipart_type = multipart(file_name, data, content_type)
            response = await client.post(
                "/api/v1/media", content=body, headers={**author, "Content-Type": multipart_type}
            )
            where = f"{label} as {file_name[:40]!r}"
            if (reason := clean_refusal(response)) is not None:
                problems.append(f"{where}: {reason}")
                continue
            if not response.is_success:
                outcomes["refused"] += 1
                continue
            outcomes["stored"] += 1
            asset = response.json()
            stored_name = asset.get("filename") or ""
            if any(bad in stored_name for bad in ("/", "\\", "\x00", "\r", "\n")):
                problems.append(f"{where}: stored file name {stored_name!r}")
            served = await client.get(f"/api/v1/media/{asset['id']}/file", headers=author)
            served_type = served.headers.get("content-type", "")
            if served.status_code != 200 or served_type.startswith(UNSAFE_TYPES):
                problems.append(f"{where}: served {served.status_code} as {served_type}")
            if served.headers.get("x-content-type-options") != "nosniff":
                problems.append(f"{where}: served without nosniff")
            disposition = served.headers.get("content-disposition", "")
            if "\r" in disposition or "\n" in disposition or "X-Injected" in served.headers:
                problems.append(f"{where}: header injection through the file name")
    escaped = [
        str(path)
        for path in settings.data_dir.parent.rglob("*")
        if any(word in path.name for word in ("passwd", "win.ini", "evil", "script"))
    ]
    print(
        f"\n{len(UPLOAD_NAMES) * len(UPLOADS)} hostile uploads on {db.backend}: "
        f"{outcomes['stored']} stored, {outcomes['refused']} refused, {len(problems)} problems"
    )
    assert escaped == [], "a file name chose where a file was written"
    assert problems == [], "\n".join(problems)


INJECTED_HEADER = "Name\r\nBcc: victim@example.com\r\nX-Injected: yes"
JINJA = "{{ 'pwn' ~ 'ed' }} {{ 7*7 }} {% for x in range(3) %}loop{% endfor %}"
EVALUATED = ("pwned", "looplooploop", " 49 ")


async def test_mail_headers_and_templates_never_take_injected_text(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    inbox = Inbox()
    with smtp_server(inbox, enable_SMTPUTF8=True) as smtp_url:
        async with newsroom_for(settings_with(settings, smtp_url=smtp_url), db) as room:
            refused = {}
            for field_name, value in (
                ("subject", {"ka": INJECTED_HEADER, "en": "News"}),
                ("from_name", INJECTED_HEADER),
            ):
                body = {
                    "template": "newsletter",
                    "subject": {"ka": "სიახლეები", "en": "News"},
                    "lists": ["partners"],
                    "from_address": "newsroom@newsroom.test",
                    field_name: value,
                }
                response = await room.post("/api/v1/campaigns", json=body, headers=room.admin)
                refused[field_name] = response.status_code
            assert refused == {"subject": 422, "from_name": 422}, refused

            hostile_name = f"{INJECTED_HEADER} {JINJA}"
            subscriber = {
                "email": "nino@example.ge",
                "basis": "partnership agreement",
                "lists": ["partners"],
                "lang": "en",
                "name": hostile_name,
                "organisation": JINJA,
            }
            assert (
                await room.post("/api/v1/subscribers", json=subscriber, headers=room.admin)
            ).status_code == 201
            signup = await room.subscribe("giorgi@example.ge", lists=["press"], name=hostile_name, lang="en")
            assert signup.status_code == 202, signup.text
            entry_body = bilingual(en_title=f"Story {JINJA}")
            entry_body["translations"]["en"]["body"] = f"Body {JINJA}"
            entry = await create_published(room.client, room.admin, body=entry_body)
            campaign_body = {
                "template": "newsletter",
                "subject": {"ka": f"სიახლეები {JINJA}", "en": f"News {JINJA}"},
                "intro": {"ka": JINJA, "en": f"Intro {JINJA}"},
                "entries": [entry["id"]],
                "lists": ["partners"],
                "from_name": f"Secretariat {JINJA}",
                "from_address": "newsroom@newsroom.test",
            }
            campaign = await room.post("/api/v1/campaigns", json=campaign_body, headers=room.admin)
            assert campaign.status_code == 201, campaign.text
            campaign_id = campaign.json()["id"]
            test = {"addresses": ["editor@newsroom.test"], "lang": "en"}
            tested = await room.post(f"/api/v1/campaigns/{campaign_id}/test", json=test, headers=room.admin)
            assert tested.status_code == 202, tested.text
            sent = await room.post(f"/api/v1/campaigns/{campaign_id}/send", json={}, headers=room.admin)
            assert sent.status_code == 202, sent.text
            await room.run_jobs()
            await room.run_jobs()
    received = {
        address: inbox.to(address)
        for address in ("giorgi@example.ge", "editor@newsroom.test", "nino@example.ge")
    }
    assert all(len(messages) == 1 for messages in received.values()), {k: len(v) for k, v in received.items()}
    assert all(rcpt in ([a] for a in received) for rcpt in inbox.recipients), inbox.recipients
    for address, [message] in received.items():
        assert "Bcc" not in message and "X-Injected" not in message, (address, message.keys())
        assert len(message["To"].addresses) == 1 and message["To"].addresses[0].addr_spec == address
        texts = [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
        decoded = "\n".join([str(message["Subject"]), str(message["From"]), str(message["To"]), *texts])
        for evaluated in EVALUATED:
            assert evaluated not in decoded, (address, evaluated)
    campaign_mail = received["nino@example.ge"][0]
    plain = campaign_mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "{{ 'pwn' ~ 'ed' }}" in plain and "{{ 'pwn' ~ 'ed' }}" in str(campaign_mail["Subject"])
    print(
        f"\nmail on {db.backend}: {len(inbox.messages)} messages, no injected header, no template evaluated"
    )
