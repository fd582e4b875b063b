"""`GET /api/v1/search`: published entries of every kind, ranked, with marked snippets."""

from typing import Annotated, Any, Final

from litestar import Request, Response, get
from litestar.params import QueryParameter

from content import site_search
from content.kinds import KINDS
from content.languages import Lang
from content.schemas import SearchPage
from content.search import query_terms
from service.answers import AnswerCache, public_answer
from service.cached_reads import as_response

DEFAULT_LIMIT: Final = 20


@get(
    "/api/v1/search",
    summary="Search every published kind",
    description="Published entries of every kind (or `kind`), in `lang` or, without it, both languages; "
    "best matches first. Each item's `snippet` is escaped HTML with the matching words in `<mark>`. "
    "Georgian word forms find each other (სხდომა, სხდომაზე, სხდომის).",
    tags=["search"],
)
async def search(
    request: Request[Any, Any, Any],
    q: Annotated[str, QueryParameter(min_length=1, max_length=200, description="the words to find")],
    lang: Annotated[Lang | None, QueryParameter(description="ka or en; without it, both")] = None,
    kind: Annotated[str | None, QueryParameter(description=f"one of {', '.join(KINDS)}")] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=100, description="page size, 1..100")] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
) -> Response[SearchPage]:
    async def found() -> SearchPage:
        return await site_search.search(q, lang=lang, kind=kind, limit=limit, cursor=cursor)

    # Kept for the content version like the lists: word forms with the same stems share one answer.
    key = ("search", tuple(query_terms(q)), lang, kind, limit, cursor)
    answers: AnswerCache = request.app.state.answers
    if_none_match = request.headers.get("if-none-match")
    kept = await answers.get(key, found, if_none_match)
    return as_response(public_answer(kept, if_none_match, vary=False))
