"""Errors of the public HTML routes as pages in the page's language (problem+json for JSON callers)."""

from typing import Any, Final

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from content.languages import LANGUAGES, negotiate_language
from core.errors import DomainError
from service.errors import EXCEPTION_HANDLERS
from service.pages import wants_json
from service.public_page import problem_page

# The app's own mapping decides the status (and logs what must be logged), in its order of precedence.
_PRECEDENCE: Final = (DomainError, ValidationException, HTTPException, Exception)
KEPT_HEADERS: Final = ("retry-after",)


def page_language(request: Request[Any, Any, Any]) -> str:
    """The page's language: the path's `{lang}`, else `?lang=`, else Accept-Language, else Georgian."""
    named = request.path_params.get("lang")
    if named in LANGUAGES:
        return str(named)
    return negotiate_language(request.query_params.get("lang"), request.headers.get("accept-language"))


def _as_problem(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    for kind in _PRECEDENCE:
        if isinstance(exc, kind):
            return EXCEPTION_HANDLERS[kind](request, exc)
    raise exc  # pragma: no cover (Exception is last)


def problem_as_page(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """An error on a public page: the same status as the API would answer, told in the page's language."""
    problem = _as_problem(request, exc)
    if wants_json(request):
        return problem
    answer = problem_page(page_language(request), problem.status_code or 500)
    for name in KEPT_HEADERS:
        if name in problem.headers:
            answer.headers[name] = problem.headers[name]
    return answer


# Every class the app maps, so that none of its handlers is nearer the error than this one.
PAGE_EXCEPTION_HANDLERS: Final[ExceptionHandlersMap] = {kind: problem_as_page for kind in _PRECEDENCE}
