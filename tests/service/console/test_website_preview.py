"""The editor's "preview on the website": a preview link made by the API's rules, then opened; both databases."""

import re

from content.tables import PreviewLink
from tests.conftest import Database
from tests.service.console import test_entry_editor
from tests.service.console.test_entry_editor import BILINGUAL, Browser, entry_id_of, post_form, token_of

sign_in = test_entry_editor.sign_in  # the editor tests' fixture: signed-in browsers sharing one app

PREVIEW_ACTION = re.compile(r'<form method="post" action="(/console/news/[0-9a-f-]{36}/preview-link)"')


async def test_an_author_previews_a_saved_draft_on_the_website(sign_in: Browser, db: Database) -> None:
    author = await sign_in("eka@example.org", "author")
    entry_id = entry_id_of(await post_form(author, "/console/news/new", {**BILINGUAL, "action": "save"}))
    page = await author.get(f"/console/news/{entry_id}")
    assert "Preview on the website" in page.text
    match = PREVIEW_ACTION.search(page.text)
    assert match and match.group(1) == f"/console/news/{entry_id}/preview-link"

    opened = await author.post(match.group(1), data={"_csrf_token": token_of(page)})
    assert opened.status_code == 303, opened.text[:500]
    location = opened.headers["location"]
    token = location.rpartition("/")[2]
    assert location == f"https://newsroom.test/api/v1/preview/{token}"
    assert await PreviewLink.count() == 1

    shown = await author.get(location, params={"lang": "en"})
    assert shown.status_code == 200
    assert shown.json()["title"] == BILINGUAL["en.title"]
    assert shown.headers["cache-control"] == "no-store"


async def test_the_button_follows_the_api_rules(sign_in: Browser, db: Database) -> None:
    author = await sign_in("eka@example.org", "author")
    entry_id = entry_id_of(await post_form(author, "/console/news/new", {**BILINGUAL, "action": "save"}))
    other = await sign_in("dato@example.org", "author")
    theirs = await other.get(f"/console/news/{entry_id}")
    assert "Preview on the website" not in theirs.text
    refused = await other.post(
        f"/console/news/{entry_id}/preview-link", data={"_csrf_token": token_of(theirs)}
    )
    assert refused.status_code == 403
    # Without the form's token nothing is made, whoever asks.
    forged = await author.post(f"/console/news/{entry_id}/preview-link", data={})
    assert forged.status_code == 403
    assert await PreviewLink.count() == 0

    editor = await sign_in("nino@example.org", "editor")
    editing = await editor.get(f"/console/news/{entry_id}")
    assert "Preview on the website" in editing.text
    made = await editor.post(
        f"/console/news/{entry_id}/preview-link", data={"_csrf_token": token_of(editing)}
    )
    assert made.status_code == 303
    assert await PreviewLink.count() == 1
