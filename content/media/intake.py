"""Receive an upload's bytes chunk by chunk into a scratch file, hashing and counting as they come."""

import hashlib
import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

from core.errors import TooLarge


class Intake:
    """A scratch file for one upload; refuses more than `limit` bytes; removed on close unless kept."""

    def __init__(self, scratch_dir: Path, limit: int) -> None:
        scratch_dir.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=scratch_dir, prefix="upload-", suffix=".part")
        self.path = Path(name)
        self._file = os.fdopen(handle, "wb")
        self._hash = hashlib.sha256()
        self._limit = limit
        self.size = 0

    def write(self, chunk: bytes) -> None:
        """Append a chunk; TooLarge as soon as the total passes the limit."""
        self.size += len(chunk)
        if self.size > self._limit:
            raise TooLarge(
                f"the file is larger than the limit of {self._limit // (1024 * 1024)} MB", field="file"
            )
        self._hash.update(chunk)
        self._file.write(chunk)

    def finish(self) -> str:
        """Close the file for writing; the sha256 of its bytes in hex."""
        self._file.close()
        return self._hash.hexdigest()

    def close(self) -> None:
        """Remove the scratch file."""
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
