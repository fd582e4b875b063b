"""CSV import: bad rows with reasons, duplicates, unicode, re-runs, suppression, 100,000 rows, the CLI."""

import asyncio
import os
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench.import_subscribers import make_csv
from newsletters.consent import Origin
from newsletters.importing import import_csv
from newsletters.suppression import recipients
from newsletters.tables import ConsentEvent, Membership, Subscriber
from tests.conftest import Database
from tests.newsletters.conftest import Newsroom

HEADER = "email,name,organisation,lang,lists\n"
ROWS = """\
nino@example.ge,ნინო ბერიძე,"საზოგადოებრივი მაუწყებელი, სიახლეები",ka,press
Giorgi@Example.GE,"Giorgi ""Gia"" Maisuradze",IOM,en,press;partners
broken-address,Nobody,,ka,press
nino@EXAMPLE.ge,Duplicate,,ka,press
tamar@example.ge,თამარ,,ru,press
lasha@example.ge,ლაშა,,ka,secret-list
empty-lists@example.ge,,,ka,
short@example.ge,too,few
,,,,
zoë.ünïcode@exämple.ge,Zoë 🇬🇪 Ünïcode,,EN,partners
"""


async def run_import(room: Newsroom, text: str) -> dict[str, object]:
    response = await room.client.post(
        "/api/v1/subscribers/import",
        params={"basis": "press accreditation register 2026"},
        content=text.encode(),
        headers={**room.admin, "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_an_import_reports_each_refused_row_with_its_reason(newsroom: Newsroom) -> None:
    report = await run_import(newsroom, HEADER + ROWS)
    assert (report["rows"], report["accepted"], report["created"], report["refused"]) == (9, 3, 3, 6)
    reasons = {(item["line"], item["email"]): item["reason"] for item in report["refusals"]}  # type: ignore[attr-defined]
    assert reasons[(4, "broken-address")].startswith("not a valid mail address")
    assert reasons[(5, "nino@EXAMPLE.ge")] == "duplicate of line 2"
    assert reasons[(6, "tamar@example.ge")] == "language must be ka or en, not 'ru'"
    assert reasons[(7, "lasha@example.ge")] == "unknown list 'secret-list'"
    assert reasons[(8, "empty-lists@example.ge")] == "no list given"
    assert reasons[(9, "short@example.ge")] == "expected 5 columns, found 3"

    nino = await newsroom.find("nino@example.ge")
    assert (nino["name"], nino["organisation"], nino["status"]) == (
        "ნინო ბერიძე",
        "საზოგადოებრივი მაუწყებელი, სიახლეები",
        "active",
    )
    giorgi = await newsroom.find("giorgi@example.ge")
    assert giorgi["name"] == 'Giorgi "Gia" Maisuradze'
    assert [item["list"] for item in giorgi["lists"]] == ["partners", "press"]
    zoe = await newsroom.find("ünïcode")
    assert (zoe["email"], zoe["name"], zoe["lang"]) == ("zoë.ünïcode@exämple.ge", "Zoë 🇬🇪 Ünïcode", "en")
    [event] = await newsroom.history(giorgi["id"])
    assert (event["action"], event["basis"], event["lists"], event["source"]) == (
        "import",
        "press accreditation register 2026",
        ["partners", "press"],
        "import",
    )
    assert sorted([r.email async for r in recipients(["press"])]) == ["giorgi@example.ge", "nino@example.ge"]
    tokens = [row["token"] for row in await Subscriber.select(Subscriber.token)]
    assert len(set(tokens)) == 3
    assert all(len(token) >= 43 for token in tokens)


async def test_running_an_import_again_duplicates_nothing(newsroom: Newsroom) -> None:
    await run_import(newsroom, HEADER + ROWS)
    counts = (await Subscriber.count(), await Membership.count(), await ConsentEvent.count())
    again = await run_import(newsroom, HEADER + ROWS)
    assert (again["created"], again["updated"], again["unchanged"], again["refused"]) == (0, 0, 3, 6)
    assert (await Subscriber.count(), await Membership.count(), await ConsentEvent.count()) == counts
    # A later file that adds a list to a known address only adds that place.
    more = await run_import(newsroom, HEADER + "NINO@example.ge,,,ka,press;partners\n")
    assert (more["created"], more["updated"]) == (0, 1)
    assert [item["list"] for item in (await newsroom.find("nino@example.ge"))["lists"]] == [
        "partners",
        "press",
    ]


async def test_an_import_never_brings_back_unsubscribed_or_erased_people(newsroom: Newsroom) -> None:
    await run_import(newsroom, HEADER + "left@example.ge,L,,ka,press\ngone@example.ge,G,,ka,press\n")
    from newsletters.tables import Subscriber as S

    token = (await S.select(S.token).where(S.email == "left@example.ge").first() or {})["token"]
    await newsroom.client.post(f"/subscriptions/unsubscribe/{token}", content=b"List-Unsubscribe=One-Click")
    gone = await newsroom.find("gone@example.ge")
    await newsroom.client.delete(f"/api/v1/subscribers/{gone['id']}", headers=newsroom.admin)

    report = await run_import(
        newsroom, HEADER + "LEFT@example.ge,L,,ka,press;partners\ngone@example.ge,G,,ka,press\n"
    )
    assert report["created"] == report["updated"] == 0
    assert [(item["email"], item["reason"]) for item in report["refusals"]] == [  # type: ignore[attr-defined]
        ("LEFT@example.ge", "unsubscribed address: only the person can subscribe it again"),
        ("gone@example.ge", "erased address: only the person can subscribe it again"),
    ]
    assert [r.email async for r in recipients(["press", "partners"])] == []
    assert "gone@example.ge" not in str(await S.select(S.email))


async def test_a_pending_sign_up_in_an_import_becomes_active_on_the_files_basis(newsroom: Newsroom) -> None:
    await newsroom.subscribe("waiting@example.ge", lists=["press"])
    report = await run_import(newsroom, HEADER + "waiting@example.ge,W,,ka,press\n")
    assert report["updated"] == 1
    assert (await newsroom.find("waiting@example.ge"))["status"] == "active"
    assert [r.email async for r in recipients(["press"])] == ["waiting@example.ge"]


@pytest.mark.parametrize(
    ("text", "field"),
    [("", "file"), ("mail,name\nx@example.ge,X\n", "file"), (HEADER + "a@example.ge,,,ka,press\n", None)],
)
async def test_a_file_without_the_header_is_refused_whole(
    newsroom: Newsroom, text: str, field: str | None
) -> None:
    response = await newsroom.client.post(
        "/api/v1/subscribers/import",
        params={"basis": "agreement"},
        content=text.encode(),
        headers={**newsroom.admin, "Content-Type": "text/csv"},
    )
    if field is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field


async def test_the_import_needs_a_basis(newsroom: Newsroom) -> None:
    response = await newsroom.client.post(
        "/api/v1/subscribers/import",
        content=HEADER.encode(),
        headers={**newsroom.admin, "Content-Type": "text/csv"},
    )
    assert response.status_code == 400


@pytest.mark.slow
async def test_a_100000_row_file_imports_with_its_bad_rows_reported(
    newsroom: Newsroom, tmp_path: Path
) -> None:
    path = tmp_path / "big.csv"
    bad = make_csv(path, 100_000)
    progress: list[int] = []
    with path.open(encoding="utf-8", newline="") as text:
        report = await import_csv(
            text,
            secret_key=newsroom.settings.secret_key,
            basis="bench agreement",
            origin=Origin(source="test"),
            on_progress=progress.append,
        )
    assert report.rows == 100_000
    assert report.refused == bad
    assert report.created == 100_000 - bad
    assert progress[-1] == 100_000
    assert progress == sorted(progress)
    reasons = Counter(refusal.reason.split(":")[0] for refusal in report.refusals)
    assert reasons["not a valid mail address"] == 100
    assert (
        sum(count for reason, count in reasons.items() if reason.startswith("duplicate of line")) == bad - 100
    )
    assert report.refusals[0].reason == "duplicate of line 997"
    assert await Subscriber.count() == 100_000 - bad
    assert await Membership.count() == report.created + len(
        [n for n in range(1, 100_001) if n % 5 == 0 and n % 1000 and n % 997]
    )


async def test_the_command_line_imports_shows_progress_and_writes_the_report(
    newsroom: Newsroom, db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "subscribers.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    report_path = tmp_path / "refused.csv"
    env = {**os.environ, "DATABASE_URL": db.url, "DATA_DIR": str(tmp_path / "data")}
    scmi = str(Path(sys.executable).parent / "scmi")

    async def scmi_import(*extra: str) -> tuple[str, str]:
        process = await asyncio.create_subprocess_exec(
            scmi, "subscribers", "import", str(path), "--basis", "register", *extra,
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        return out.decode(), err.decode()

    out, err = await scmi_import("--report", str(report_path))
    assert "rows 9: accepted 3 (created 3, updated 0, unchanged 0), refused 6" in out
    assert "line 4: broken-address: not a valid mail address" in out
    assert "importing" in err  # the progress bar (a bare label when stderr is not a terminal)
    lines = report_path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "line,email,reason"
    assert len(lines) == 7
    out, _ = await scmi_import()
    assert "accepted 3 (created 0, updated 0, unchanged 3), refused 6" in out
    assert (await newsroom.find("nino@example.ge"))["name"] == "ნინო ბერიძე"
