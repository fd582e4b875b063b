"""A real S3 API on localhost (moto's threaded server) and fresh buckets on it, for storage tests."""

import secrets
import urllib.request
from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

from content.media.storage import StorageConfig

S3_KEYS = {"s3_region": "us-east-1", "s3_access_key_id": "test", "s3_secret_access_key": "test"}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The server's URL, for the whole session."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def new_bucket(endpoint: str) -> StorageConfig:
    """A storage configuration on a new, empty bucket."""
    bucket = f"scmi-media-{secrets.token_hex(4)}"
    request = urllib.request.Request(f"{endpoint}/{bucket}", method="PUT")
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
    return StorageConfig(url=f"s3://{bucket}/media", s3_endpoint=endpoint, **S3_KEYS)
