"""The API documentation at /schema: Swagger UI served by the service itself, for offline networks."""

import hashlib
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import Any, Final

import swagger_ui
from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.params import FromPath

ASSETS_PATH: Final = "/schema/assets"
_SWAGGER: Final = Path(swagger_ui.__file__).parent / "static"


def _asset(name: str, content: bytes, media_type: str) -> tuple[str, bytes, str]:
    # The content's hash in the name: cached for a year, a new version is a new address.
    stem, _, suffix = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(content).hexdigest()[:12]}.{suffix}", content, media_type


_FILES: Final = [
    _asset("swagger-ui.css", (_SWAGGER / "swagger-ui.css").read_bytes(), "text/css"),
    _asset("swagger-ui-bundle.js", (_SWAGGER / "swagger-ui-bundle.js").read_bytes(), "text/javascript"),
    _asset("api-docs.js", files("service").joinpath("static/api-docs.js").read_bytes(), "text/javascript"),
]
ASSETS: Final = {name: (content, media_type) for name, content, media_type in _FILES}
STYLESHEET, BUNDLE, STARTER = (f"{ASSETS_PATH}/{name}" for name, _, _ in _FILES)
# Swagger UI sets style attributes from its script, hence 'unsafe-inline' for styles (never scripts).
DOCS_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class LocalSwaggerUI(OpenAPIRenderPlugin):
    """Swagger UI from the installed `swagger-ui-py` package's copy, started by a script of ours."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = str(openapi_schema.get("info", {}).get("title", "API"))
        document = request.app.openapi_config.path.rstrip("/") + "/openapi.json"  # type: ignore[union-attr]
        return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="stylesheet" href="{STYLESHEET}">
<script src="{BUNDLE}" defer></script>
<script src="{STARTER}" defer></script>
</head>
<body>
<main id="swagger-ui" data-url="{escape(document)}"><noscript>The API documentation needs JavaScript;
the document itself is at <a href="{escape(document)}">{escape(document)}</a>.</noscript></main>
</body>
</html>""".encode()


@get(f"{ASSETS_PATH}/{{name:str}}", include_in_schema=False, sync_to_thread=False)
def docs_asset(name: FromPath[str]) -> Response[bytes]:
    """A file of the documentation page, by its hashed name."""
    found = ASSETS.get(name)
    if found is None:
        raise NotFoundException()
    content, media_type = found
    return Response(
        content,
        headers={"Content-Type": media_type, "Cache-Control": "public, max-age=31536000, immutable"},
    )
