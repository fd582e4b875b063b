"""Console figures of issue 17: the subscriber search at 100,000 subscribers, and a progress refresh's cost.

Data lives on PostgreSQL (a fresh database, the real migrations): three lists made by the real code,
then BENCH_SUBSCRIBERS (100,000) subscribers and their memberships written set-wise (Georgian and
English names, ten organisations, six statuses), analysed and vacuumed as autovacuum leaves a table.
The newsroom and the hello-world are served alike (bench/servers.py) and measured in one run with
wrk -t2 -c32; wrk's Lua script turns over several hundred different searches (address fragments,
names, surnames, organisations, each alone and with a status or a list, and their next pages by
cursor), not one hot URL, with an admin's session cookie. Nothing caches a search's page, so each
request reads the database; the hello-world runs before and after, the ratio uses the mean.
The progress figure: a campaign with one delivery row per subscriber in every state, read as the
console's progress page reads it (`states.get_campaign`) with the engine's query log caught; it
prints `EXPLAIN ANALYZE` of each statement and counts them (target: one).
Run alone: `.venv/bin/python -m bench console_subscribers` (not part of `make bench-quick`).
"""

import asyncio
import html
import os
import random
import re
import tempfile
import time
from contextlib import ExitStack
from typing import Final
from urllib.parse import quote, urlencode
from uuid import UUID

import asyncpg

from accounts.console_sessions import start_session
from accounts.invites import invite_staff
from bench.console import fetch, measure_paths
from bench.plans import CatchingEngine
from bench.postgres import fresh_database
from bench.servers import serving
from bench.table import Figure
from bench.wrk import ensure_wrk
from newsletters import lists
from newsletters.campaigns import states
from newsletters.subscriber_schemas import ListIn, ListNames, Names
from newsletters.template_store import ensure_defaults
from service.console.session import SESSION_COOKIE
from service.database import bind_engine, close_engine, migrate, prepare_engine

SEARCH_TARGET: Final = 0.2
STATEMENTS_TARGET: Final = 1
LISTS: Final = ("press", "partners", "researchers")
FIRST_NAMES: Final = ("Nino", "Giorgi", "Tamar", "Davit", "Ana", "Levan", "Mariam", "Irakli", "ნინო",
                      "გიორგი",
                      "თამარ", "დავით")  # fmt: skip
SURNAMES: Final = ("Beridze", "Kapanadze", "Gelashvili", "Maisuradze", "Lomidze", "Tsiklauri", "Abashidze",
                   "ბერიძე", "კაპანაძე", "გელაშვილი", "ლომიძე")  # fmt: skip
ORGANISATIONS: Final = ("IOM", "UNHCR", "Ministry of Justice", "Public Defender", "Caritas Georgia",
                        "GYLA", "Tbilisi State University", "ICMPD", "Red Cross", "")  # fmt: skip
DOMAINS: Final = ("gmail.com", "mail.ge", "iom.int", "justice.gov.ge", "tsu.ge", "yahoo.com", "ombudsman.ge")
STATUSES: Final = ("active",) * 6 + ("pending", "unsubscribed", "bounced", "complained")
DELIVERY_STATUSES: Final = ("sent",) * 12 + ("pending", "claimed", "deferred", "failed", "bounced", "skipped")
OLDER: Final = re.compile(r'<a href="([^"]+)" rel="next">')
ROW: Final = re.compile(r'<td><a href="/console/subscribers/[0-9a-f-]{36}"')


def _array(values: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


def _seed_statements(count: int) -> list[str]:
    """Subscribers (n = 1..count, every field a function of n) and their memberships, set-wise."""
    pick = "({}::text[])[n % {} + 1]"
    return [
        "INSERT INTO subscriber (id, address_key, email, name, organisation, lang, status, token, basis,"  # noqa: S608
        " created_at, updated_at) SELECT gen_random_uuid(), md5('key' || n),"
        f" 'person' || n || '@' || {pick.format(_array(DOMAINS), len(DOMAINS))},"
        f" {pick.format(_array(FIRST_NAMES), len(FIRST_NAMES))} || ' '"
        f" || ({_array(SURNAMES)}::text[])[(n / 7) % {len(SURNAMES)} + 1],"
        f" ({_array(ORGANISATIONS)}::text[])[(n / 3) % {len(ORGANISATIONS)} + 1],"
        " CASE WHEN n % 3 = 0 THEN 'en' ELSE 'ka' END,"
        f" ({_array(STATUSES)}::text[])[(n / 11) % {len(STATUSES)} + 1],"
        " md5('token' || n), 'bench', now() - n * interval '1 minute', now()"
        f" FROM generate_series(1, {count}) AS n",
        # Each person on one or two lists: the first byte of their token chooses.
        "INSERT INTO membership (id, subscriber, mailing_list, status, created_at, updated_at, subscribed_at)"
        " SELECT gen_random_uuid(), s.id, l.id,"
        " CASE WHEN s.status IN ('active', 'pending') THEN s.status ELSE 'unsubscribed' END,"
        " now(), now(), now()"
        " FROM subscriber AS s JOIN mailing_list AS l ON"
        " (l.slug = 'press' AND get_byte(decode(substr(s.token, 1, 2), 'hex'), 0) % 3 = 0)"
        " OR (l.slug = 'partners' AND get_byte(decode(substr(s.token, 1, 2), 'hex'), 0) % 3 = 1)"
        " OR (l.slug = 'researchers' AND get_byte(decode(substr(s.token, 1, 2), 'hex'), 0) % 2 = 0)",
    ]


def _campaign_statements() -> list[str]:
    """A sending campaign with one delivery row per subscriber, in every state, and a few complaints."""
    return [
        "INSERT INTO campaign (id, slug, status, template, subject_ka, subject_en, intro_ka, intro_en,"
        " entries, lists, from_name, from_address, content, round, created_at, updated_at, started_at)"
        " SELECT gen_random_uuid(), 'bench-progress', 'sending', id, 'ბიულეტენი', 'Bulletin', '', '',"
        " '[]', '[\"press\", \"partners\", \"researchers\"]', 'SCMI', 'newsroom@bench.test', '{}', 1, now(),"
        " now(), now() FROM newsletter_template WHERE slug = 'newsletter'",
        "INSERT INTO delivery (id, campaign, subscriber, email, lang, name, token, status, attempts,"  # noqa: S608
        " next_attempt_at, error, late_outcome)"
        " SELECT gen_random_uuid(), c.id, s.id, s.email, s.lang, s.name, s.token,"
        f" ({_array(DELIVERY_STATUSES)}::text[])[(row_number() OVER ()) % {len(DELIVERY_STATUSES)} + 1],"
        " 1, now(), '', CASE WHEN (row_number() OVER ()) % 997 = 0 THEN 'complaint' ELSE '' END"
        " FROM subscriber AS s CROSS JOIN campaign AS c WHERE c.slug = 'bench-progress'",
    ]


async def _seed(url: str, count: int) -> tuple[CatchingEngine, str, UUID]:
    """The data above; the engine (still bound, its query log caught), an admin's session, the campaign."""
    engine = CatchingEngine(config={"dsn": url})
    bind_engine(engine)
    await prepare_engine(engine)
    await migrate(quiet=True)
    for slug in LISTS:
        await lists.create_list(
            ListIn(
                slug=slug,
                name=ListNames(ka=f"სია {slug}", en=f"List {slug}"),
                description=Names(ka="", en=""),
            )
        )
    await ensure_defaults()
    connection = await asyncpg.connect(url)
    try:
        for statement in _seed_statements(count) + _campaign_statements():
            await connection.execute(statement)
        # As autovacuum leaves tables after a bulk write: statistics and the visibility map current.
        await connection.execute("VACUUM ANALYZE")
        campaign = await connection.fetchval("SELECT id FROM campaign WHERE slug = 'bench-progress'")
    finally:
        await connection.close()
    admin = await invite_staff("admin@bench.test", "admin", "Bench Admin", lang="en")
    return engine, await start_session(admin.staff_id, stage="signed_in"), campaign


def search_paths(count: int, rng: random.Random) -> list[str]:
    """Several hundred different searches as admins type them, alone and with a status or a list."""
    terms: list[str] = []
    terms += [f"person{rng.randrange(1, count + 1)}@" for _ in range(60)]  # one address
    terms += [f"person{rng.randrange(10, 1000)}" for _ in range(30)]  # an address fragment
    terms += [domain.split(".")[0] for domain in DOMAINS]
    terms += [name.lower()[:5] for name in FIRST_NAMES] + list(SURNAMES)
    terms += [surname[:4] for surname in SURNAMES[:7]]
    terms += [organisation for organisation in ORGANISATIONS if organisation]
    terms += [f"{rng.choice(FIRST_NAMES[:8])} {rng.choice(SURNAMES[:7])}" for _ in range(20)]
    terms += ["nobody-at-all", "xyzzy", "unhcr", "ministry", "university"]
    paths = [
        "/console/subscribers/",
        "/console/subscribers/?status=active",
        "/console/subscribers/?list=press",
    ]
    for term in terms:
        paths.append("/console/subscribers/?" + urlencode({"q": term}, quote_via=quote))
        paths.append("/console/subscribers/?" + urlencode({"q": term, "status": rng.choice(STATUSES)}))
        paths.append("/console/subscribers/?" + urlencode({"q": term, "list": rng.choice(LISTS)}))
    for status in sorted(set(STATUSES)):
        paths.append(f"/console/subscribers/?status={status}&list={rng.choice(LISTS)}")
    return paths


def checked_paths(base: str, cookie: str, paths: list[str]) -> list[str]:
    """Every path answered 200; the next pages of those that have one join them (keyset paging)."""
    found, with_rows = list(paths), 0
    for path in paths:
        status, body = fetch(base + path, cookie)
        assert status == 200, f"{path}: {status}"
        text = body.decode()
        with_rows += bool(ROW.search(text))
        older = OLDER.search(text)
        if older:
            found.append(html.unescape(older.group(1)))
    assert with_rows > len(paths) * 0.6, f"only {with_rows} of {len(paths)} searches found anyone"
    for path in found[len(paths) :]:
        status, body = fetch(base + path, cookie)
        assert status == 200, f"{path}: {status}"
        assert ROW.search(body.decode()), f"{path} lists nobody"
    return found


async def progress_plan(url: str, engine: CatchingEngine, campaign: UUID) -> tuple[int, float]:
    """Statements one progress refresh runs, each printed with its plan; the slowest's execution ms."""
    await states.get_campaign(campaign)  # the template's defaults and the pool are warm, as on a live page
    engine.caught.clear()
    engine.log_queries = True
    try:
        shown = await states.get_campaign(campaign)
    finally:
        engine.log_queries = False
    statements = list(engine.caught)
    print(f"bench console_subscribers: a progress refresh of {shown.counts.recipients:,} recipients "
          f"runs {len(statements)} statement(s)", flush=True)  # fmt: skip
    slowest = 0.0
    connection = await asyncpg.connect(url)
    try:
        for statement in statements:
            plan = [row[0] for row in await connection.fetch(f"EXPLAIN (ANALYZE, COSTS OFF) {statement}")]
            print(f"\n{statement.strip()}\n" + "\n".join("  " + line for line in plan), flush=True)
            for line in plan:
                if line.startswith("Execution Time:"):
                    slowest = max(slowest, float(line.split()[2]))
    finally:
        await connection.close()
    return len(statements), slowest


def figures(quick: bool) -> list[Figure]:
    """The figures; `make bench-quick` leaves this module out (seeding 100,000 takes a while)."""
    if quick:
        return []
    seconds = int(os.environ.get("BENCH_SECONDS") or 20)
    count = int(os.environ.get("BENCH_SUBSCRIBERS") or 100_000)
    server = os.environ.get("BENCH_SERVER", "uvicorn")
    workers = int(os.environ.get("BENCH_WORKERS", "1"))
    ensure_wrk()
    return asyncio.run(_figures(seconds, count, server, workers))


async def _figures(seconds: int, count: int, server: str, workers: int) -> list[Figure]:
    how = f"{server}×{workers}, wrk -t2 -c32 -d{seconds}s"
    async with fresh_database() as url:
        started = time.perf_counter()
        engine, token, campaign = await _seed(url, count)
        try:
            print(f"bench console_subscribers: {count:,} subscribers seeded in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
            statements, plan_ms = await progress_plan(url, engine, campaign)
        finally:
            await close_engine(engine)
        cookie = f"{SESSION_COOKIE}={token}"
        with tempfile.TemporaryDirectory(prefix="scmi-bench-") as data, ExitStack() as stack:
            env = {"DATA_DIR": data, "DATABASE_URL": url, "REDIS_URL": "", "PUBLIC_URL": "http://127.0.0.1"}
            newsroom = stack.enter_context(
                serving("bench.apps:newsroom", env, "/healthz", server=server, workers=workers)
            )
            hello = stack.enter_context(
                serving("bench.apps:hello_world", {}, "/", server=server, workers=workers)
            )
            searches = search_paths(count, random.Random(17))  # noqa: S311  (a repeatable mix, not a secret)
            paths = checked_paths(newsroom, cookie, searches)
            print(f"bench console_subscribers: {len(paths)} search URLs; measuring ({how})", flush=True)
            for target, turn in ((hello, ["/"]), (newsroom, paths)):  # warm-up
                measure_paths(target, turn, cookie, 2)
            before = measure_paths(hello, ["/"], "", seconds)
            search = measure_paths(newsroom, paths, cookie, seconds)
            after = measure_paths(hello, ["/"], "", seconds)
            assert fetch(newsroom + paths[-1], cookie)[0] == 200, "the session ended during the run"
    hello_rate = (before.requests_per_second + after.requests_per_second) / 2
    rate = search.requests_per_second
    print(
        f"bench console_subscribers: search {rate:,.0f} req/s, hello-world "
        f"{before.requests_per_second:,.0f} before and {after.requests_per_second:,.0f} after: "
        f"ratio {rate / hello_rate:.3f}",
        flush=True,
    )
    return [
        Figure(
            "console subscriber search, signed in / hello",
            rate / hello_rate,
            SEARCH_TARGET,
            detail=f"{rate / hello_rate:.3f}: {rate:,.0f} vs {hello_rate:,.0f} req/s, "
            f"p99 {search.p99_ms:.0f} ms; "
            f"{count:,} subscribers, {len(paths)} URLs, {how}",
        ),
        Figure(
            "campaign progress refresh, database statements",
            statements,
            STATEMENTS_TARGET,
            unit="",
            at_least=False,
            detail=f"{count:,} recipients; {plan_ms:.1f} ms (EXPLAIN ANALYZE, printed above)",
        ),
    ]


def main() -> int:
    from bench.table import render

    found = figures(False)
    print(render(found))
    return 0 if all(figure.holds for figure in found) else 1


if __name__ == "__main__":
    raise SystemExit(main())
