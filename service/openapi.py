"""The OpenAPI document says what errors look like: every 4xx and 5xx is RFC 9457 problem+json."""

from typing import Final

from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.openapi.spec import Components, OpenAPI, OpenAPIMediaType, OpenAPIResponse, Reference, Schema
from litestar.openapi.spec.enums import OpenAPIType

from service.errors import PROBLEM_JSON

_TEXT: Final = Schema(type=OpenAPIType.STRING)
PROBLEM_SCHEMA: Final = Schema(
    type=OpenAPIType.OBJECT,
    description="An error (RFC 9457). `errors` names the wrong fields of a request.",
    required=["title", "status", "detail"],
    properties={
        "type": _TEXT,
        "title": _TEXT,
        "status": Schema(type=OpenAPIType.INTEGER),
        "detail": _TEXT,
        "instance": _TEXT,
        "errors": Schema(
            type=OpenAPIType.ARRAY,
            items=Schema(
                type=OpenAPIType.OBJECT,
                required=["field", "message"],
                properties={"field": _TEXT, "message": _TEXT},
            ),
        ),
    },
)


def _problem(description: str) -> OpenAPIResponse:
    return OpenAPIResponse(
        description=description,
        content={PROBLEM_JSON: OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))},
    )


# Pages for people (subscription, registration pages, the newsletter archive) answer HTML, or JSON if asked.
HTML_PAGE_PREFIXES: Final = ("/subscriptions/", "/newsletters/", "/events/", "/registrations/")
_HTML: Final = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, description="An HTML page"))


def document_problems(app: Litestar) -> None:
    """Replace the generated error responses with problem+json, and cover every 4xx and 5xx.

    HTML pages also document their HTML answers, for success and error alike. The document is built
    when first asked for (GET /schema), not with the app: building it costs a third of a second, which
    every process start and every test's app would otherwise pay.
    """
    # Litestar creates its OpenAPI plugin itself and offers no hook after the document is built; the
    # subclass adds nothing but the rewrite, so the plugin's state and slots stay as they are.
    app.plugins.get(OpenAPIPlugin).__class__ = _ProblemDocumentingPlugin


class _ProblemDocumentingPlugin(OpenAPIPlugin):
    """Litestar's OpenAPI plugin, with problem+json written into the document it builds."""

    __slots__ = ()

    def _build_openapi(self) -> OpenAPI:
        openapi = super()._build_openapi()
        _rewrite_errors(openapi)
        return openapi


def _rewrite_errors(openapi: OpenAPI) -> None:
    components = openapi.components if isinstance(openapi.components, Components) else Components()
    components.schemas = {**(components.schemas or {}), "Problem": PROBLEM_SCHEMA}
    openapi.components = components
    for path, path_item in (openapi.paths or {}).items():
        for method in ("get", "put", "post", "delete", "patch", "head"):
            operation = getattr(path_item, method, None)
            if operation is None:
                continue
            # The reading pages live at the root (`/{lang}/{kind}/{slug}`): their tag says they are pages.
            is_page = path.startswith(HTML_PAGE_PREFIXES) or "pages" in (operation.tags or [])
            responses = dict(operation.responses or {})
            for status in list(responses):
                if status[0] in "45":
                    responses[status] = _problem(getattr(responses[status], "description", "") or "Error")
            responses.setdefault("4XX", _problem("The request was refused; `detail` says why"))
            responses.setdefault("5XX", _problem("The service could not answer"))
            if is_page:
                for response in responses.values():
                    if isinstance(response, OpenAPIResponse):
                        response.content = {**(response.content or {}), "text/html": _HTML}
            operation.responses = responses
