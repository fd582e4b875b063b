"""Several files in one console form: streamed part by part, the CSRF token checked before any file."""

import functools
from dataclasses import dataclass
from hmac import compare_digest
from typing import Any, Final

from litestar import Request
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash
from multipart import MultipartError, MultipartSegment, PushMultipartParser, parse_options_header

from content.media import library
from content.media.intake import Intake
from content.media.schemas import AssetOut
from content.media.storage import MediaStorage
from core.errors import DomainError, Invalid, TooLarge
from service.console.session import CSRF_COOKIE, settings_of
from tasks.enqueue import enqueue_renditions

MAX_FILES: Final = 20
TOKEN_FIELD: Final = "_csrf_token"  # noqa: S105  (the form field's name, not a secret)
FILE_FIELD: Final = "file"
# Room for the multipart framing of every part and the token around the files themselves.
FRAMING_ALLOWANCE: Final = 64 * 1024


class NotAnUpload(Exception):
    """The body is not a multipart form (a browser's upload form always is)."""


@dataclass(slots=True)
class Outcome:
    """What became of one file of the form: its asset, or why it was refused."""

    filename: str
    asset: AssetOut | None = None
    created: bool = False
    error: DomainError | None = None
    # Why, in a word the page turns into a sentence: type, size, pixels, empty, too_many.
    reason: str = ""


def _token_secret(token: str, secret: str) -> str | None:
    if len(token) < CSRF_SECRET_LENGTH + 1:
        return None
    token_secret, token_hash = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    expected = generate_csrf_hash(token=token_secret, secret=secret)
    return token_secret if compare_digest(token_hash, expected) else None


def token_matches(form_token: str, cookie_token: str, secret: str) -> bool:
    """Litestar's double-submit check: both tokens carry a valid HMAC and the same secret part."""
    from_form = _token_secret(form_token, secret)
    from_cookie = _token_secret(cookie_token, secret)
    return from_form is not None and from_cookie is not None and compare_digest(from_form, from_cookie)


def _reason(error: DomainError) -> str:
    if isinstance(error, TooLarge):
        return "size"
    if isinstance(error, Invalid):
        return "pixels"
    return "type"


def csrf_refused() -> PermissionDeniedException:
    """The refusal of a form whose token is missing or wrong (checked here, not by the middleware)."""
    # The message names CSRF so the console's refusal page says the form expired.
    return PermissionDeniedException("CSRF token verification failed")


class _Receiver:
    """The parser's events for one request, turned into stored assets or refusals, file by file."""

    def __init__(self, request: Request[Any, Any, Any], uploaded_by: Any) -> None:
        self.request = request
        self.settings = settings_of(request)
        self.limits = self.settings.media_limits
        self.storage: MediaStorage = request.app.state.media_storage
        self.enqueue = functools.partial(enqueue_renditions, request.app.state.queue)
        self.uploaded_by = uploaded_by
        self.outcomes: list[Outcome] = []
        self.token = bytearray()
        self.trusted = False
        self.part = ""
        self.intake: Intake | None = None
        self.current: Outcome | None = None

    def start(self, segment: MultipartSegment) -> None:
        self.part = segment.name if segment.name in (TOKEN_FIELD, FILE_FIELD) else ""
        if self.part != FILE_FIELD:
            return
        if not self.trusted:
            raise csrf_refused()  # no file is read before the form's token has been checked
        self.current = Outcome(filename=segment.filename or "")
        if len(self.outcomes) >= MAX_FILES:
            self.current.reason = "too_many"
        else:
            self.intake = Intake(self.limits.scratch_dir, self.limits.max_upload)

    def data(self, chunk: bytes) -> None:
        if self.part == TOKEN_FIELD:
            if len(self.token) + len(chunk) > 1024:
                raise csrf_refused()
            self.token += chunk
        elif self.part == FILE_FIELD and self.intake is not None and self.current is not None:
            try:
                self.intake.write(chunk)
            except TooLarge as error:
                self.current.error, self.current.reason = error, "size"
                self.intake.close()
                self.intake = None

    async def end(self) -> None:
        if self.part == TOKEN_FIELD:
            cookie = self.request.cookies.get(CSRF_COOKIE, "")
            if not token_matches(self.token.decode("latin-1"), cookie, self.settings.secret_key):
                raise csrf_refused()
            self.trusted = True
        elif self.part == FILE_FIELD and self.current is not None:
            await self._finish_file(self.current)
        self.part = ""

    async def _finish_file(self, outcome: Outcome) -> None:
        intake, self.intake, self.current = self.intake, None, None
        if intake is None:  # refused while it streamed in
            self.outcomes.append(outcome)
            return
        with intake:
            if intake.size == 0:
                if outcome.filename:  # an empty file; a form sent with no file chosen has no name either
                    outcome.reason = "empty"
                    self.outcomes.append(outcome)
                return
            sha256 = intake.finish()
            try:
                outcome.asset, outcome.created = await library.add_upload(
                    intake.path,
                    sha256,
                    intake.size,
                    outcome.filename,
                    self.uploaded_by,
                    self.storage,
                    self.limits,
                    self.enqueue,
                )
            except DomainError as error:
                outcome.error, outcome.reason = error, _reason(error)
        self.outcomes.append(outcome)

    def close(self) -> None:
        if self.intake is not None:
            self.intake.close()


async def receive_uploads(request: Request[Any, Any, Any], uploaded_by: Any) -> list[Outcome]:
    """Store each `file` part of a multipart body through the same domain function as the API.

    The form's `_csrf_token` must come before the files (browsers send fields in the form's order);
    a file the library refuses is reported and the others are kept.
    """
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get("boundary")
    if content_type != "multipart/form-data" or not boundary:
        raise NotAnUpload
    limits = settings_of(request).media_limits
    body_limit = MAX_FILES * limits.max_upload + FRAMING_ALLOWANCE
    announced = request.headers.get("content-length")
    if announced is not None and announced.isdigit() and int(announced) > body_limit:
        raise TooLarge("the form is larger than the limit", field="file")
    receiver = _Receiver(request, uploaded_by)
    received = 0
    try:
        with PushMultipartParser(boundary, max_segment_count=MAX_FILES + 8) as parser:
            async for chunk in request.stream():
                received += len(chunk)
                if received > body_limit:
                    raise TooLarge("the form is larger than the limit", field="file")
                for event in parser.parse(chunk):
                    if isinstance(event, MultipartSegment):
                        receiver.start(event)
                    elif event is None:
                        await receiver.end()
                    else:
                        receiver.data(bytes(event))
    except MultipartError:
        raise NotAnUpload from None
    finally:
        receiver.close()
    return receiver.outcomes
