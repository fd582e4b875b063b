"""Both storage backends through the one interface: a local directory, and S3 on a local moto server."""

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from content.media.storage import MediaStorage, StorageConfig, open_storage
from tests.s3_server import new_bucket, s3_endpoint

__all__ = ["s3_endpoint"]


@pytest.fixture(params=["local", "s3"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[MediaStorage]:
    if request.param == "local":
        yield open_storage(StorageConfig(local_dir=tmp_path / "media"))
    else:
        yield open_storage(new_bucket(request.getfixturevalue("s3_endpoint")))


async def collect(storage: MediaStorage, key: str, start: int = 0, end: int | None = None) -> bytes:
    found = await storage.read(key, start, end)
    return b"".join([chunk async for chunk in found.chunks])


async def test_put_a_file_in_parts_and_read_it_whole_and_by_range(
    storage: MediaStorage, tmp_path: Path
) -> None:
    data = secrets.token_bytes(12 * 1024 * 1024 + 123)  # more than two 5 MiB parts
    path = tmp_path / "upload.part"
    path.write_bytes(data)
    await storage.put_file("originals/abc.mp4", path)
    assert await storage.size("originals/abc.mp4") == len(data)
    assert await collect(storage, "originals/abc.mp4") == data
    assert await collect(storage, "originals/abc.mp4", 5_000_000, 5_000_100) == data[5_000_000:5_000_100]
    tail = await storage.read("originals/abc.mp4", len(data) - 10)
    assert (tail.size, tail.start, tail.end) == (len(data), len(data) - 10, len(data))


async def test_small_objects_missing_ones_and_deletion(storage: MediaStorage) -> None:
    await storage.put_bytes("renditions/abc/320.webp", b"RIFF....WEBP")
    assert await storage.read_bytes("renditions/abc/320.webp") == b"RIFF....WEBP"
    assert await storage.size("renditions/abc/missing.webp") is None
    with pytest.raises(FileNotFoundError):
        await storage.read("renditions/abc/missing.webp")
    await storage.delete("renditions/abc/320.webp")
    await storage.delete("renditions/abc/320.webp")
    assert await storage.size("renditions/abc/320.webp") is None


def test_configuration_chooses_the_backend(tmp_path: Path) -> None:
    open_storage(StorageConfig(local_dir=tmp_path / "media"))
    assert (tmp_path / "media").is_dir()
    with pytest.raises(ValueError, match="MEDIA_STORE_URL"):
        open_storage(StorageConfig(url="ftp://example/media"))
