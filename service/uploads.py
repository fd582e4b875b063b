"""Read a multipart/form-data request body as a stream and write its `file` part to an Intake."""

from typing import Any, Final

from litestar import Request
from litestar.exceptions import HTTPException
from multipart import MultipartError, MultipartSegment, PushMultipartParser, parse_options_header

from content.media.intake import Intake
from core.errors import TooLarge

FILE_FIELD: Final = "file"
# Room for the multipart framing and a few small fields around the file itself.
FRAMING_ALLOWANCE: Final = 64 * 1024


async def receive_file(request: Request[Any, Any, Any], intake: Intake, file_limit: int) -> str | None:
    """Stream the body's `file` part into `intake`; returns the client's file name for it."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get("boundary")
    if content_type != "multipart/form-data" or not boundary:
        raise HTTPException(
            status_code=415, detail="send the file as multipart/form-data in a field named `file`"
        )
    body_limit = file_limit + FRAMING_ALLOWANCE
    announced = request.headers.get("content-length")
    if announced is not None and announced.isdigit() and int(announced) > body_limit:
        raise TooLarge(f"the file is larger than the limit of {file_limit // (1024 * 1024)} MB", field="file")

    filename: str | None = None
    seen_file = in_file = False
    received = 0
    try:
        with PushMultipartParser(boundary, max_segment_count=16) as parser:
            async for chunk in request.stream():
                received += len(chunk)
                if received > body_limit:
                    raise TooLarge(
                        f"the file is larger than the limit of {file_limit // (1024 * 1024)} MB", field="file"
                    )
                for event in parser.parse(chunk):
                    if isinstance(event, MultipartSegment):
                        in_file = event.name == FILE_FIELD and not seen_file
                        if in_file:
                            seen_file, filename = True, event.filename
                    elif event is None:
                        in_file = False
                    elif in_file:
                        intake.write(bytes(event))
    except MultipartError as error:
        raise HTTPException(status_code=400, detail=f"the multipart body is malformed: {error}") from None
    if not seen_file:
        raise HTTPException(status_code=400, detail="the multipart body has no part named `file`")
    if intake.size == 0:
        raise HTTPException(status_code=400, detail="the file is empty")
    return filename
