"""Search across every published kind in one or both languages: ranked, with marked, escaped snippets."""

import base64
import binascii
import functools
import html
import math
import re
from typing import Any, Final
from uuid import UUID

from content.kinds import KINDS
from content.languages import LANGUAGES
from content.plain_text import markdown_line
from content.queries import PUBLIC_STATUS
from content.schemas import SearchHit, SearchPage
from content.search import fts5_query, query_terms, tsquery
from content.tables import Entry, EntryTranslation
from core.db import as_utc, is_sqlite, utcnow
from core.errors import Invalid

SNIPPET_WORDS: Final = 30
BODY_WORDS_KEPT: Final = 2048  # bodies' plain lines remembered (a few megabytes at most)
SNIPPET_BEFORE: Final = 8
_WORD = re.compile(r"\w+", re.UNICODE)


def encode_cursor(score: float, translation_id: UUID) -> str:
    """An opaque cursor for the position after a result: its score (exact, as `repr` keeps it) and id."""
    raw = f"{score!r}|{translation_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[float, UUID]:
    """Read a cursor back; anything not made by `encode_cursor` is refused."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        score_text, _, id_text = raw.partition("|")
        score = float(score_text)
        if not math.isfinite(score):
            raise ValueError(score_text)
        return score, UUID(id_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid("the cursor is not one this server gave out", field="cursor") from None


def _ranked_sql(terms: list[str], lang: str | None, kind: str | None) -> tuple[str, list[Any]]:
    """The matching public texts with a score where lower is better, as a query to wrap."""
    now = utcnow()
    if is_sqlite():
        # bm25 is negative and lower for better matches.
        sql = (
            "SELECT t.id AS id, bm25(entry_search) AS score FROM entry_search"
            " JOIN entry_translation t ON t.id = entry_search.translation_id"
            " JOIN entry e ON e.id = t.entry WHERE entry_search MATCH {}"
        )
        args: list[Any] = [fts5_query(terms)]
    else:
        # ts_rank is higher for better matches: negated, so both engines sort the same way. float8
        # so the cursor's score compares exactly with the one recomputed.
        sql = (
            "SELECT t.id AS id, (-ts_rank(to_tsvector('simple', t.search_text), q.query))::float8 AS score"
            " FROM entry_translation t JOIN entry e ON e.id = t.entry,"
            " (SELECT to_tsquery('simple', {}) AS query) q"
            " WHERE to_tsvector('simple', t.search_text) @@ q.query"
        )
        args = [tsquery(terms)]
    sql += (
        " AND e.status = {} AND e.published_at <= {} AND (e.embargo_until IS NULL OR e.embargo_until <= {})"
    )
    args += [PUBLIC_STATUS, now, now]
    if lang is not None:
        sql += " AND t.lang = {}"
        args.append(lang)
    if kind is not None:
        sql += " AND t.kind = {}"
        args.append(kind)
    return sql, args


def _matches(word: str, terms: list[str]) -> bool:
    lowered = word.lower()
    return any(lowered.startswith(term) for term in terms)


def snippet(text: str, terms: list[str], words: int = SNIPPET_WORDS) -> str:
    """A passage of plain text around its first match, escaped, with each matching word in `<mark>`."""
    spans = [match.span() for match in _WORD.finditer(text)]
    first = next((i for i, (start, end) in enumerate(spans) if _matches(text[start:end], terms)), 0)
    begin = max(0, first - SNIPPET_BEFORE)
    chosen = spans[begin : begin + words]
    if not chosen:
        return html.escape(text.strip())
    at_end = begin + len(chosen) == len(spans)
    out: list[str] = ["… " if begin > 0 else ""]
    # From the text's start when the passage starts with its first word, so a leading `<` stays.
    position = chosen[0][0] if begin > 0 else 0
    for word_start, word_end in chosen:
        out.append(html.escape(text[position:word_start]))
        word = html.escape(text[word_start:word_end])
        out.append(f"<mark>{word}</mark>" if _matches(text[word_start:word_end], terms) else word)
        position = word_end
    out.append(html.escape(text[position:].rstrip()) if at_end else " …")
    return "".join(out)


# Rendering a body's Markdown to find its words costs about a millisecond, and the texts a search
# finds are found again by the next search for a word they hold: the same source gives the same line.
_body_words: Final = functools.lru_cache(maxsize=BODY_WORDS_KEPT)(markdown_line)


def _plain(row: dict[str, Any]) -> str:
    # The words a reader sees, from the Markdown source: never the stored body HTML.
    parts = (row["title"], row["summary"], _body_words(row["body"]), row["location"] or "")
    return " ".join(part for part in parts if part)


async def search(
    q: str,
    *,
    lang: str | None = None,
    kind: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
) -> SearchPage:
    """Published entries of every kind (or one) whose text in `lang` (or either language) matches `q`.

    Best matches first; ties by text id, so the keyset (score, id) walks every result exactly once.
    """
    if lang is not None and lang not in LANGUAGES:
        raise Invalid("lang must be ka or en", field="lang")
    if kind is not None and kind not in KINDS:
        raise Invalid(f"kind must be one of {', '.join(KINDS)}", field="kind")
    terms = query_terms(q)
    if not terms:
        return SearchPage(items=[], next_cursor=None)
    inner, args = _ranked_sql(terms, lang, kind)
    sql = f"SELECT ranked.id AS id, ranked.score AS score FROM ({inner}) AS ranked"  # noqa: S608 (no input in it)
    if cursor is not None:
        score, last_id = decode_cursor(cursor)
        sql += " WHERE ranked.score > {} OR (ranked.score = {} AND ranked.id > {})"
        args += [score, score, last_id]
    sql += " ORDER BY ranked.score, ranked.id LIMIT {}"
    args.append(limit + 1)
    rows = await Entry.raw(sql, *args)
    has_more = len(rows) > limit
    rows = rows[:limit]
    ids = [UUID(str(row["id"])) for row in rows]
    texts = (
        {
            row["id"]: row
            for row in await EntryTranslation.select(
                EntryTranslation.id,
                EntryTranslation.entry.id,
                EntryTranslation.entry.published_at,
                EntryTranslation.kind,
                EntryTranslation.lang,
                EntryTranslation.slug,
                EntryTranslation.title,
                EntryTranslation.summary,
                EntryTranslation.body,
                EntryTranslation.location,
            ).where(EntryTranslation.id.is_in(ids))
        }
        if ids
        else {}
    )
    items = [
        SearchHit(
            id=text["entry.id"],
            kind=text["kind"],
            lang=text["lang"],
            slug=text["slug"],
            title=text["title"],
            summary=text["summary"],
            published_at=as_utc(text["entry.published_at"]),
            snippet=snippet(_plain(text), terms),
        )
        for text in (texts[text_id] for text_id in ids if text_id in texts)
    ]
    next_cursor = None
    if has_more and rows:
        next_cursor = encode_cursor(float(rows[-1]["score"]), ids[-1])
    return SearchPage(items=items, next_cursor=next_cursor)
