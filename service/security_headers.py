"""Security headers: nosniff on every answer, HSTS over HTTPS; pages a strict CSP, no referrer, isolation."""

from typing import Final

from litestar.types import Message, Scope

from service.api_docs import DOCS_POLICY

# Pages that set no policy of their own get the strictest one: no script, style, image or frame.
STRICT_PAGE_POLICY: Final = "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
REFERRER_POLICY: Final = "no-referrer"
_NOSNIFF: Final = (b"x-content-type-options", b"nosniff")
# A year, this host only: other hosts of the ministry's domain may not be on HTTPS yet.
_HSTS: Final = (b"strict-transport-security", b"max-age=31536000")
# Pages need no powerful feature; the website embeds our media and feeds, never our pages.
PAGE_HEADERS: Final = (
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (
        b"permissions-policy",
        b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=(), "
        b"interest-cohort=()",
    ),
)


def is_docs(path: str) -> bool:
    """Whether a path is the API documentation (Litestar's OpenAPI pages)."""
    return path == "/schema" or path.startswith("/schema/")


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A `before_send` hook (it sees every answer, unknown routes and errors too).

    `X-Content-Type-Options: nosniff` on everything, `Strict-Transport-Security` when reached over
    HTTPS; HTML also a Content-Security-Policy, a Referrer-Policy (unless the page set its own), and
    Cross-Origin-Opener/Resource-Policy and a Permissions-Policy. It works on the raw header list
    (one pass, no header object): it runs on every answer, and the cached ones cost little more.
    """
    if message["type"] != "http.response.start":
        return
    headers = message["headers"] = [
        (name, value) for name, value in message["headers"] if name.lower() != _NOSNIFF[0]
    ]
    headers.append(_NOSNIFF)
    if scope.get("scheme") == "https":  # behind a proxy, its X-Forwarded-Proto (service.client_address)
        headers.append(_HSTS)
    content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    if not content_type.lower().startswith(b"text/html"):
        return
    names = {name.lower() for name, _ in headers}
    if b"content-security-policy" not in names:
        policy = DOCS_POLICY if is_docs(scope["path"]) else STRICT_PAGE_POLICY
        headers.append((b"content-security-policy", policy.encode("latin-1")))
    if b"referrer-policy" not in names:
        headers.append((b"referrer-policy", REFERRER_POLICY.encode("latin-1")))
    headers.extend(header for header in PAGE_HEADERS if header[0] not in names)
