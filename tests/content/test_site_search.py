"""Search across kinds in the domain: snippets, cursors, and the public-only rule; SQLite and PostgreSQL."""

from datetime import timedelta

import pytest

from content.entries import create_entry
from content.publishing import publish_entry
from content.schemas import EntryIn, PublishIn, TranslationIn
from content.search import query_terms
from content.site_search import decode_cursor, encode_cursor, search, snippet
from core.db import utcnow
from core.errors import Invalid
from tests.conftest import Database
from tests.content.drafts import EDITOR


def test_a_snippet_marks_every_form_and_escapes_the_rest() -> None:
    terms = query_terms("სხდომა")
    text = "კომისიის <სხდომაზე> & სხდომის ოქმი"
    assert snippet(text, terms) == "კომისიის &lt;<mark>სხდომაზე</mark>&gt; &amp; <mark>სხდომის</mark> ოქმი"


def test_a_long_text_is_cut_around_its_first_match() -> None:
    words = [f"w{number}" for number in range(100)]
    words[50] = "strategy"
    cut = snippet(" ".join(words), query_terms("strategies"), words=10)
    assert cut.startswith("… w42 ") and cut.endswith(" …")
    assert "<mark>strategy</mark>" in cut
    assert len(cut.split()) == 12  # ten words and two ellipses
    # No match in the text (it matched the title only, say): its opening words.
    assert snippet("a b c", ["zz"]) == "a b c"
    assert snippet("", ["zz"]) == ""


def test_cursors_round_trip_and_forgeries_are_refused() -> None:
    from uuid import uuid4

    text_id = uuid4()
    assert decode_cursor(encode_cursor(-1.2345678901234567e-06, text_id)) == (
        -1.2345678901234567e-06,
        text_id,
    )
    for forged in ("", "bm90IG91cnM", encode_cursor(0.0, text_id)[:-4] + "!!!!"):
        with pytest.raises(Invalid):
            decode_cursor(forged)
    import base64

    with pytest.raises(Invalid):
        decode_cursor(base64.urlsafe_b64encode(f"nan|{text_id}".encode()).decode())


def _entry(ka: str, en: str) -> EntryIn:
    return EntryIn(
        translations={
            "ka": TranslationIn(title=ka, summary="", body=""),
            "en": TranslationIn(title=en, summary="", body=""),
        },  # type: ignore[arg-type]
    )


async def test_only_public_entries_are_found_and_kinds_and_languages_filter(db: Database) -> None:
    news = await create_entry("news", _entry("სტრატეგიის პროექტი", "Draft strategy"), EDITOR)
    await publish_entry("news", news.id, PublishIn(), EDITOR)
    material = await create_entry("materials", _entry("სტრატეგიაში ცვლილებები", "Strategy changes"), EDITOR)
    await publish_entry("materials", material.id, PublishIn(), EDITOR)
    draft = await create_entry("news", _entry("სტრატეგია", "Strategy"), EDITOR)
    embargoed = await create_entry("announcements", _entry("სტრატეგიით", "Strategies"), EDITOR)
    await publish_entry(
        "announcements", embargoed.id, PublishIn(embargo_until=utcnow() + timedelta(hours=1)), EDITOR
    )

    hits = (await search("სტრატეგია")).items
    assert {(hit.kind, hit.lang, hit.id) for hit in hits} == {
        ("news", "ka", news.id),
        ("materials", "ka", material.id),
    }
    assert draft.id not in {hit.id for hit in hits} and embargoed.id not in {hit.id for hit in hits}
    assert [hit.id for hit in (await search("strategy", lang="en", kind="materials")).items] == [material.id]
    assert {hit.lang for hit in (await search("strategy")).items} == {"en"}
    with pytest.raises(Invalid):
        await search("strategy", kind="drafts")
    assert (await search("   ")).items == []
