"""A subscriber CSV from the console: streamed to a spool file, the CSRF token checked before the file."""

import tempfile
from dataclasses import dataclass, field
from typing import IO, Any, Final

from litestar import Request
from multipart import MultipartError, MultipartSegment, PushMultipartParser, parse_options_header

from core.errors import TooLarge
from service.console.media_upload import TOKEN_FIELD, NotAnUpload, csrf_refused, token_matches
from service.console.session import CSRF_COOKIE, settings_of

MAX_IMPORT_BYTES: Final = 256 * 1024 * 1024  # as the API's import
SPOOL_IN_MEMORY: Final = 4 * 1024 * 1024
TEXT_FIELDS: Final = ("basis",)
FILE_FIELD: Final = "file"
TEXT_LIMIT: Final = 16 * 1024  # bytes: 2,000 Georgian letters take three each


@dataclass(slots=True)
class ImportForm:
    """The import form as received: its text fields and the file, spooled (memory, then disk)."""

    fields: dict[str, str] = field(default_factory=dict)
    file: IO[bytes] | None = None
    filename: str = ""
    size: int = 0


async def receive_import(request: Request[Any, Any, Any]) -> ImportForm:
    """Read the multipart body part by part; the caller closes `form.file`.

    The form's `_csrf_token` comes first (browsers send fields in the form's order): no byte of the
    file is kept before it has been checked.
    """
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get("boundary")
    if content_type != "multipart/form-data" or not boundary:
        raise NotAnUpload
    announced = request.headers.get("content-length")
    if announced is not None and announced.isdigit() and int(announced) > MAX_IMPORT_BYTES:
        raise TooLarge("the file is larger than the limit", field="file")
    secret = settings_of(request).secret_key
    form = ImportForm()
    trusted = False
    part = ""
    value = bytearray()
    received = 0
    try:
        with PushMultipartParser(boundary, max_segment_count=16) as parser:
            async for chunk in request.stream():
                received += len(chunk)
                if received > MAX_IMPORT_BYTES:
                    raise TooLarge("the file is larger than the limit", field="file")
                for event in parser.parse(chunk):
                    if isinstance(event, MultipartSegment):
                        part = event.name if event.name in (TOKEN_FIELD, FILE_FIELD, *TEXT_FIELDS) else ""
                        value = bytearray()
                        if part == FILE_FIELD:
                            if not trusted:
                                raise csrf_refused()
                            if form.file is None:
                                form.file = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115  (the caller closes it)
                                form.filename = event.filename or ""
                            else:
                                part = ""  # one file per import; a second is ignored
                    elif event is None:
                        if part == TOKEN_FIELD:
                            cookie = request.cookies.get(CSRF_COOKIE, "")
                            if not token_matches(value.decode("latin-1"), cookie, secret):
                                raise csrf_refused()
                            trusted = True
                        elif part in TEXT_FIELDS:
                            form.fields[part] = value.decode("utf-8", errors="replace").strip()
                        part = ""
                    elif part == FILE_FIELD and form.file is not None:
                        form.file.write(event)
                        form.size += len(event)
                    elif part:
                        if len(value) + len(event) > TEXT_LIMIT:
                            raise csrf_refused() if part == TOKEN_FIELD else TooLarge("too long", field=part)
                        value += event
    except MultipartError:
        if form.file is not None:
            form.file.close()
        raise NotAnUpload from None
    except BaseException:
        if form.file is not None:
            form.file.close()
        raise
    if not trusted:
        if form.file is not None:
            form.file.close()
        raise csrf_refused()
    if form.file is not None:
        form.file.seek(0)
    return form
