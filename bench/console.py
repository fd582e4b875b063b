"""Console figures: a signed-in entry list at 10,000 entries as a ratio to the hello-world, and page weight.

Data lives on PostgreSQL (a fresh database): BENCH_ENTRIES (10,000) entries cloned from one the real
code wrote (bench/seed.py), then spread over the four kinds, the five statuses, two authors and
missing English translations with a few set-based updates, so that filters and kinds have rows
to find. The newsroom and the hello-world are served alike (bench/servers.py: BENCH_SERVER,
BENCH_WORKERS) and measured in one run with wrk -t2 -c32; wrk's Lua script turns the requests
over many list URLs (each kind, every filter, pages reached by cursor), not one hot URL, with
an editor's session cookie. The hello-world is measured before and after; the ratio uses the mean.
Page weight: every console page's first load (its HTML plus the style sheets, scripts and fonts
it references, as a browser with an empty cache fetches them); the figure is the heaviest page.
Run alone: `.venv/bin/python -m bench console` (`--quick`: fewer entries, short runs).
"""

import asyncio
import html
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from typing import Final
from urllib.parse import quote
from uuid import UUID

from accounts.console_sessions import start_session
from accounts.invites import invite_staff
from bench.postgres import fresh_database
from bench.seed import SUBJECTS_KA, clone, write_template
from bench.servers import serving
from bench.table import Figure
from bench.wrk import CONNECTIONS, THREADS, UNITS, Run, ensure_wrk
from content.kinds import KINDS
from content.tables import Entry
from service.console.session import SESSION_COOKIE
from service.database import bind_engine, close_engine, engine_from_url, migrate, prepare_engine

PAGE_WEIGHT_LIMIT: Final = 150_000  # bytes: HTML, CSS, scripts and fonts of a page's first load
LIST_TARGET: Final = 0.2
# Not reached yet (issue 16): every request reads the session and the list from the database and
# renders the page; the API's lists are this fast only through the fast path's cache. Until the
# console has such a path, the CI guard keeps the level measured on 2026-12-02 (0.01).
LIST_REACHED: Final = 0.01
SEARCH_KA: Final = SUBJECTS_KA[3]  # "education", in one Georgian title in twenty
CURSOR_PAGES: Final = 4  # pages followed by their "older" links, per kind
OLDER: Final = re.compile(r'<a href="([^"]+)" rel="next">')
ROW: Final = re.compile(r'<td><a href="/console/(\w+)/([0-9a-f-]{36})"')
ASSETS: Final = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')
CSS_URLS: Final = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")

# Spread the cloned (published, bilingual news) entries, each a minute apart, over what staff
# filter by: kind, status, author, a missing English translation.
SPREAD: Final = (
    # Modulo 13 first, so that the kinds do not line up with the titles' twenty subjects.
    "UPDATE entry SET kind = CASE (EXTRACT(EPOCH FROM updated_at)::bigint / 60) % 13 % 4"
    " WHEN 1 THEN 'events' WHEN 2 THEN 'announcements' WHEN 3 THEN 'materials' ELSE 'news' END",
    "UPDATE entry SET status = 'draft', published_at = NULL"
    " WHERE (EXTRACT(EPOCH FROM updated_at)::bigint / 60) % 5 = 1",
    "UPDATE entry SET status = 'archived' WHERE (EXTRACT(EPOCH FROM updated_at)::bigint / 60) % 5 = 2",
    "UPDATE entry SET status = 'scheduled', publish_at = now() + interval '3 days', published_at = NULL"
    " WHERE (EXTRACT(EPOCH FROM updated_at)::bigint / 60) % 5 = 3",
    "UPDATE entry SET embargo_until = now() + interval '2 days'"
    " WHERE status = 'published' AND (EXTRACT(EPOCH FROM updated_at)::bigint / 60) % 7 = 0",
    "UPDATE entry SET created_by = {}, author_name = 'Bench Author'"
    " WHERE (EXTRACT(EPOCH FROM updated_at)::bigint / 60) % 3 = 0",
    "UPDATE entry_translation AS t SET kind = e.kind FROM entry AS e WHERE e.id = t.entry",
    "UPDATE entry_slug AS s SET kind = e.kind FROM entry AS e WHERE e.id = s.entry",
    "DELETE FROM entry_slug WHERE lang = 'en' AND entry IN"
    " (SELECT id FROM entry WHERE (EXTRACT(EPOCH FROM updated_at)::bigint / 60) % 11 = 0)",
    "DELETE FROM entry_translation WHERE lang = 'en' AND entry IN"
    " (SELECT id FROM entry WHERE (EXTRACT(EPOCH FROM updated_at)::bigint / 60) % 11 = 0)",
    "ANALYZE",
)


async def _seed(url: str, count: int) -> tuple[str, UUID]:
    """The entries, spread; an editor's signed-in session token and a second author's id."""
    engine = engine_from_url(url)
    bind_engine(engine)
    await prepare_engine(engine)
    try:
        await migrate(quiet=True)
        template = await write_template()
        await clone(template, range(2, count + 1))
        author = await invite_staff("author@bench.test", "author", "Bench Author", lang="en")
        for statement in SPREAD:
            if "{}" in statement:
                await Entry.raw(statement, author.staff_id)
            else:
                await Entry.raw(statement)
        editor = await invite_staff("editor@bench.test", "editor", "Bench Editor", lang="en")
        return await start_session(editor.staff_id, stage="signed_in"), author.staff_id
    finally:
        await close_engine(engine)


def fetch(url: str, cookie: str = "") -> tuple[int, bytes]:
    """Status and body of a GET, redirects not followed (a sign-in redirect must show as such)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def list_paths(base: str, cookie: str, author: UUID) -> list[str]:
    """Many list URLs, each checked to answer a page of rows: every kind and filter, cursor pages."""
    paths: list[str] = []
    for kind in KINDS:
        first = f"/console/{kind}/"
        paths += [
            first,
            f"{first}?status=draft",
            f"{first}?status=published",
            f"{first}?status=scheduled",
            f"{first}?missing=en",
            f"{first}?topic=emigration",
            f"{first}?q={quote(SEARCH_KA)}",
            f"{first}?author={author}",
        ]
        path = first
        for _ in range(CURSOR_PAGES):  # older pages, reached as staff reach them
            status, body = fetch(base + path, cookie)
            found = OLDER.search(body.decode())
            assert status == 200, f"{path}: {status}"
            assert found, f"{path} has no older page"
            path = html.unescape(found.group(1))
            paths.append(path)
    for path in paths:
        status, body = fetch(base + path, cookie)
        assert status == 200, f"{path}: {status}"
        assert ROW.search(body.decode()), f"{path} lists no entries"
    return paths


def _lua(paths: list[str], cookie: str) -> str:
    """A wrk script: each thread starts at a random place in `paths` and takes them in turn."""
    listed = ",\n".join(f'  "{path}"' for path in paths)
    headers = f'{{Cookie = "{cookie}"}}' if cookie else "{}"
    return (
        f"local paths = {{\n{listed}\n}}\n"
        f"local headers = {headers}\n"
        "local i = 0\n"
        "function setup(thread) thread:set('start', math.random(#paths)) end\n"
        "function init(args) i = tonumber(start) or 0 end\n"
        "function request()\n"
        "  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i], headers)\n'
        "end\n"
    )


def measure_paths(base: str, paths: list[str], cookie: str, seconds: int) -> Run:
    """One wrk run (-t2 -c32 --latency) turning over `paths`; error answers fail the run."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua(paths, cookie))
    try:
        command = [ensure_wrk(), f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
        output = subprocess.run(  # noqa: S603
            [*command, "-s", script.name, base], capture_output=True, text=True, check=True
        ).stdout
    finally:
        os.unlink(script.name)
    if "Non-2xx or 3xx responses" in output:
        raise RuntimeError(f"wrk saw error answers:\n{output}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    if rate is None or p99 is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    return Run(float(rate.group(1)), float(p99.group(1)) * UNITS[p99.group(2)])


def first_load(base: str, path: str, cookie: str) -> int:
    """Bytes of a page's first load: its HTML and every style sheet, script and font it references."""
    status, body = fetch(base + path, cookie)
    assert status == 200, f"{path}: {status}"
    total, seen = len(body), set()
    for asset in ASSETS.findall(body.decode()):
        if asset in seen:
            continue
        seen.add(asset)
        assert asset.startswith("/"), f"{path} loads {asset} from elsewhere"
        _, content = fetch(base + asset)
        total += len(content)
        if asset.endswith(".css"):
            for font in set(CSS_URLS.findall(content.decode())):
                if not font.startswith("data:"):
                    total += len(fetch(base + font)[1])
    return total


def console_pages(base: str, cookie: str, paths: list[str]) -> list[str]:
    """Every console page a signed-in editor opens here; the editor page once it exists."""
    pages = ["/console/", "/console/topics/", "/console/topics/emigration", *paths]
    # Hook for the entry editor (built elsewhere): `/console/news/{id}` joins the page weight and the
    # editor figure as soon as it answers 200.
    editor = entry_editor_path(base, cookie)
    return pages + ([editor] if editor else [])


def entry_editor_path(base: str, cookie: str) -> str | None:
    """`/console/news/{id}` of the newest news entry, if the console serves an editor there."""
    _, body = fetch(f"{base}/console/news/", cookie)
    found = ROW.search(body.decode())
    if found is None:
        return None
    path = f"/console/{found.group(1)}/{found.group(2)}"
    status, _ = fetch(base + path, cookie)
    return path if status == 200 else None


def figures(quick: bool) -> list[Figure]:
    """The console figures; quick: 2,000 entries and 3 s runs."""
    seconds = int(os.environ.get("BENCH_SECONDS") or (3 if quick else 20))
    count = int(os.environ.get("BENCH_ENTRIES") or (2_000 if quick else 10_000))
    server = os.environ.get("BENCH_SERVER", "uvicorn")
    workers = int(os.environ.get("BENCH_WORKERS", "1"))
    ensure_wrk()
    return asyncio.run(_figures(seconds, count, server, workers))


async def _figures(seconds: int, count: int, server: str, workers: int) -> list[Figure]:
    how = f"{server}×{workers}, wrk -t2 -c32 -d{seconds}s"
    async with fresh_database() as url:
        started = time.perf_counter()
        token, author = await _seed(url, count)
        print(f"bench console: {count:,} entries seeded in {time.perf_counter() - started:.1f} s", flush=True)
        cookie = f"{SESSION_COOKIE}={token}"
        with tempfile.TemporaryDirectory(prefix="scmi-bench-") as data, ExitStack() as stack:
            env = {"DATA_DIR": data, "DATABASE_URL": url, "REDIS_URL": "", "PUBLIC_URL": "http://127.0.0.1"}
            newsroom = stack.enter_context(
                serving("bench.apps:newsroom", env, "/healthz", server=server, workers=workers)
            )
            hello = stack.enter_context(
                serving("bench.apps:hello_world", {}, "/", server=server, workers=workers)
            )
            paths = list_paths(newsroom, cookie, author)
            editor = entry_editor_path(newsroom, cookie)
            weights = {
                path: first_load(newsroom, path, cookie) for path in console_pages(newsroom, cookie, paths)
            }
            weights["/console/sign-in"] = first_load(newsroom, "/console/sign-in", "")
            print(f"bench console: {len(paths)} list URLs; measuring ({how})", flush=True)
            for target, turn in ((hello, ["/"]), (newsroom, paths)):  # warm-up
                measure_paths(target, turn, cookie, 2)
            runs = {
                "hello": measure_paths(hello, ["/"], "", seconds),
                "lists": measure_paths(newsroom, paths, cookie, seconds),
                # The floor of any signed-in page: the sign-in page sends a signed-in browser on
                # (303) after looking its session up, and does nothing else.
                "session": measure_paths(newsroom, ["/console/sign-in"], cookie, seconds),
            }
            if editor is not None:
                runs["editor"] = measure_paths(newsroom, [editor], cookie, seconds)
            runs["hello_after"] = measure_paths(hello, ["/"], "", seconds)
            # The session held throughout: a sign-in redirect (a 3xx, which wrk counts as success)
            # would have made the list figure meaningless.
            assert fetch(newsroom + paths[-1], cookie)[0] == 200, "the session ended during the run"
    return _console_figures(runs, weights, count, how)


def _console_figures(runs: dict[str, Run], weights: dict[str, int], count: int, how: str) -> list[Figure]:
    hello = (runs["hello"].requests_per_second + runs["hello_after"].requests_per_second) / 2
    lists = runs["lists"].requests_per_second
    heaviest = max(weights, key=lambda path: weights[path])
    result = [
        Figure(
            "console entry list, signed in / hello",
            lists / hello,
            LIST_TARGET,
            reached=LIST_REACHED,
            detail=f"{lists:,.0f} vs {hello:,.0f} req/s; a session look-up alone "
            f"{runs['session'].requests_per_second:,.0f} req/s; {count:,} entries, many URLs, {how}",
        ),
        Figure(
            "console page first load, heaviest",
            weights[heaviest] / 1000,
            PAGE_WEIGHT_LIMIT / 1000,
            unit="KB",
            at_least=False,
            detail=f"{heaviest} of {len(weights)} pages (HTML, CSS, scripts, fonts)",
        ),
    ]
    if "editor" in runs:  # only once the entry editor exists (see console_pages)
        rate = runs["editor"].requests_per_second
        result.append(
            Figure(
                "console editor page / hello",
                rate / hello,
                LIST_TARGET,
                reached=LIST_REACHED,
                detail=f"{rate:,.0f} req/s, {how}",
            )
        )
    return result


def main() -> int:
    from bench.table import render

    found = figures("--quick" in sys.argv)
    print(render(found))
    return 0 if all(figure.holds for figure in found) else 1


if __name__ == "__main__":
    raise SystemExit(main())
