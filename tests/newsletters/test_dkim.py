"""DKIM: a signed newsletter verifies against the published key (DNS answered by the test)."""

import base64
import re
import subprocess
from pathlib import Path

import dkim
import pytest

from newsletters.dkim_signing import DkimKey, sign
from tests.newsletters.test_mime import build


@pytest.fixture(scope="module")
def key_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    folder: Path = tmp_path_factory.mktemp("dkim")
    private = folder / "private.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(private), "2048"], check=True, capture_output=True)
    public_der = subprocess.run(
        ["openssl", "rsa", "-in", str(private), "-pubout", "-outform", "DER"], check=True, capture_output=True
    ).stdout
    return private.read_bytes(), base64.b64encode(public_der)


def test_signed_message_verifies_and_tampering_breaks_it(key_pair: tuple[bytes, bytes]) -> None:
    private_pem, public_b64 = key_pair
    _, raw = build()
    signed = sign(
        raw, DkimKey(domain="migration.commission.ge", selector="news2026", private_key_pem=private_pem)
    )
    assert signed.startswith(b"DKIM-Signature:")
    header = signed.split(b"\r\n\r\n", 1)[0].decode()
    assert "d=migration.commission.ge" in header
    assert re.search(r"h=[^;]*list-unsubscribe", header.replace("\r\n", ""))

    def dns(name: bytes, timeout: int = 5) -> bytes | None:
        if name == b"news2026._domainkey.migration.commission.ge.":
            return b"v=DKIM1; k=rsa; p=" + public_b64
        return None

    assert dkim.verify(signed, dnsfunc=dns)
    # The body is quoted-printable: change one character of the HTML part as it travels.
    body_start = signed.index(b"\r\n\r\n") + 4
    html_at = signed.index(b"<", body_start)
    tampered = signed[:html_at] + b"(" + signed[html_at + 1 :]
    assert tampered != signed
    assert not dkim.verify(tampered, dnsfunc=dns)
