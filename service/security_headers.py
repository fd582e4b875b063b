"""Security headers on every answer: nosniff always; pages also a strict CSP and no referrer."""

from typing import Final

from litestar.types import Message, Scope

# Pages that set no policy of their own get the strictest one: no script, style, image or frame.
STRICT_PAGE_POLICY: Final = "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
# The API documentation under /schema is rendered in the browser by Redoc, Swagger UI, RapiDoc or
# Stoplight Elements, loaded from their CDNs and started by an inline script holding the schema: it
# runs no script of ours on data of others, so it gets what those renderers need and nothing else.
DOCS_POLICY: Final = (
    "default-src 'none'; "
    "script-src 'unsafe-inline' https://cdn.jsdelivr.net https://cdn.redoc.ly https://unpkg.com; "
    "style-src 'unsafe-inline' https://cdn.jsdelivr.net https://unpkg.com https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com data:; img-src 'self' data: https:; connect-src 'self'; "
    "worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
REFERRER_POLICY: Final = "no-referrer"
_NOSNIFF: Final = (b"x-content-type-options", b"nosniff")


def is_docs(path: str) -> bool:
    """Whether a path is the API documentation (Litestar's OpenAPI pages)."""
    return path == "/schema" or path.startswith("/schema/")


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A `before_send` hook (it sees every answer, unknown routes and errors too).

    `X-Content-Type-Options: nosniff` on everything; HTML also a Content-Security-Policy and a
    Referrer-Policy, unless the page set its own. It works on the raw header list (one pass, no
    header object): it runs on every answer, and the cached ones cost little more than this.
    """
    if message["type"] != "http.response.start":
        return
    headers = message["headers"] = [
        (name, value) for name, value in message["headers"] if name.lower() != _NOSNIFF[0]
    ]
    headers.append(_NOSNIFF)
    content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    if not content_type.lower().startswith(b"text/html"):
        return
    names = {name.lower() for name, _ in headers}
    if b"content-security-policy" not in names:
        policy = DOCS_POLICY if is_docs(scope["path"]) else STRICT_PAGE_POLICY
        headers.append((b"content-security-policy", policy.encode("latin-1")))
    if b"referrer-policy" not in names:
        headers.append((b"referrer-policy", REFERRER_POLICY.encode("latin-1")))
