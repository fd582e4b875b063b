"""One small storage interface over obstore: a local directory or S3-compatible object storage."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import obstore
from obstore.store import LocalStore, MemoryStore, S3Store

# obstore buffers each part of a file it puts: one part in flight bounds the memory an upload takes.
# S3 needs parts of at least 5 MiB; a local directory does well with 1 MiB.
S3_PART_SIZE = 5 * 1024 * 1024
LOCAL_PART_SIZE = 1024 * 1024
PARTS_IN_FLIGHT = 1
READ_CHUNK = 256 * 1024


@dataclass(frozen=True, slots=True)
class StorageConfig:
    """Which backend holds the files: `url` empty means `local_dir`, `s3://bucket/prefix` object storage,
    `memory://` a store in this process (tests)."""

    url: str = ""
    local_dir: Path = Path("var/media")
    s3_endpoint: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None


@dataclass(frozen=True, slots=True)
class StoredObject:
    """What a read found: the object's total size and the bytes of the asked range, as a stream."""

    size: int
    start: int
    end: int
    chunks: AsyncIterator[bytes]


class MediaStorage:
    """Put, read (whole or a range), check and delete objects by key."""

    def __init__(self, store: Any, part_size: int = LOCAL_PART_SIZE) -> None:
        self._store = store
        self._part_size = part_size

    async def put_file(self, key: str, path: Path) -> None:
        """Copy a local file to `key` in parts, never holding it whole in memory."""
        await obstore.put_async(
            self._store, key, path, chunk_size=self._part_size, max_concurrency=PARTS_IN_FLIGHT
        )

    async def put_bytes(self, key: str, data: bytes) -> None:
        """Store small bytes (renditions) at `key`."""
        await obstore.put_async(self._store, key, data)

    async def size(self, key: str) -> int | None:
        """The size of the object at `key`, or None when there is none."""
        try:
            meta = await obstore.head_async(self._store, key)
        except FileNotFoundError:
            return None
        return int(meta["size"])

    async def read(self, key: str, start: int = 0, end: int | None = None) -> StoredObject:
        """Stream the bytes [start, end) of `key` (to its end when `end` is None).

        Raises FileNotFoundError when there is no such object.
        """
        options: dict[str, Any] = {}
        if start or end is not None:
            options["range"] = {"offset": start} if end is None else (start, end)
        result = await obstore.get_async(self._store, key, options=options)  # type: ignore[arg-type]
        size = int(result.meta["size"])
        first, last = result.range
        return StoredObject(size=size, start=first, end=last, chunks=_chunks(result))

    async def read_bytes(self, key: str) -> bytes:
        """The whole object at `key` in memory: for images, whose size the upload limit bounds."""
        result = await obstore.get_async(self._store, key)
        return bytes(await result.bytes_async())

    async def delete(self, key: str) -> None:
        """Remove the object at `key`, if any."""
        try:
            await obstore.delete_async(self._store, key)
        except FileNotFoundError:
            return


async def _chunks(result: Any) -> AsyncIterator[bytes]:
    async for chunk in result.stream(min_chunk_size=READ_CHUNK):
        yield bytes(chunk)


def open_storage(config: StorageConfig) -> MediaStorage:
    """The storage the configuration names."""
    if not config.url:
        config.local_dir.mkdir(parents=True, exist_ok=True)
        return MediaStorage(LocalStore(prefix=config.local_dir.resolve(), mkdir=True))
    if config.url == "memory://":
        return MediaStorage(MemoryStore())
    if config.url.startswith(("s3://", "s3a://")):
        options: dict[str, Any] = {}
        if config.s3_endpoint:
            options["endpoint"] = config.s3_endpoint
        if config.s3_region:
            options["region"] = config.s3_region
        if config.s3_access_key_id and config.s3_secret_access_key:
            options["access_key_id"] = config.s3_access_key_id
            options["secret_access_key"] = config.s3_secret_access_key
        # A local S3-compatible server (MinIO, moto) speaks plain HTTP.
        if (config.s3_endpoint or "").startswith("http://"):
            options["client_options"] = {"allow_http": True}
        return MediaStorage(S3Store.from_url(config.url, **options), part_size=S3_PART_SIZE)
    raise ValueError(f"MEDIA_STORE_URL must be empty, s3://bucket/prefix or memory:// (got {config.url!r})")
