"""Amazon SNS messages: the signature checked against the signing certificate, fetched only from Amazon.

A message is believed only when its `SigningCertURL` is https on an SNS host (`sns.<region>.amazonaws.com`),
the certificate fetched from there is valid now, and its key verifies the message's `Signature` over
the fields SNS signs (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA). Certificates are kept per
process, so a burst of notifications fetches each once.
"""

import base64
import binascii
import re
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import urlparse

import httpx
import msgspec
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from newsletters.bounces.refusals import SignatureRefused

AMAZON_SNS_HOST: Final = re.compile(r"sns\.[a-z0-9-]+\.amazonaws\.com")
MAX_CERTIFICATE_BYTES: Final = 64 * 1024
CERTIFICATE_SECONDS: Final = 24 * 3600.0  # SNS rotates its certificates rarely; a day's memory is plenty
CACHED_CERTIFICATES: Final = 16
# SNS retries a notification for about an hour under its default policy (longer when a topic is set
# up so); a message more than a day old is not believed.
MAX_AGE: Final = timedelta(hours=24)
TIMEOUT: Final = 10.0

# The fields SNS signs, in the order it signs them (Subject only when the message has one).
NOTIFICATION_FIELDS: Final = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS: Final = (
    "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
)  # fmt: skip
TYPES: Final = {
    "Notification": NOTIFICATION_FIELDS,
    "SubscriptionConfirmation": CONFIRMATION_FIELDS,
    "UnsubscribeConfirmation": CONFIRMATION_FIELDS,
}


class SnsMessage(msgspec.Struct, rename="pascal"):
    """The envelope SNS posts (the fields it signs and how)."""

    type: str
    message_id: str
    topic_arn: str
    message: str
    timestamp: str
    signature_version: str
    signature: str
    signing_cert_url: str = msgspec.field(name="SigningCertURL")
    subject: str | None = None
    token: str | None = None
    subscribe_url: str | None = msgspec.field(name="SubscribeURL", default=None)


@dataclass(frozen=True, slots=True)
class SnsTrust:
    """Where signing certificates and subscription links may be fetched from.

    Production insists on https to Amazon's SNS hosts on the default port, checked against the
    system's certificate authorities; tests build their own to reach a server on loopback.
    """

    host: re.Pattern[str] = AMAZON_SNS_HOST
    ports: frozenset[int] = frozenset({443})
    ca_file: str | None = None

    def allows(self, url: str) -> bool:
        """Whether `url` is https on a trusted host and port, with nothing odd (user, fragment) in it."""
        try:
            parsed = urlparse(url)
            port = parsed.port or 443
        except ValueError:
            return False
        return (
            parsed.scheme == "https"
            and parsed.hostname is not None
            and self.host.fullmatch(parsed.hostname) is not None
            and port in self.ports
            and not parsed.username
            and not parsed.password
            and not parsed.fragment
        )

    def ssl_context(self) -> ssl.SSLContext:
        """The TLS context fetches are checked with."""
        return ssl.create_default_context(cafile=self.ca_file)


@dataclass
class Certificates:
    """Signing certificates already fetched (this process), by URL, and the fetches made."""

    trust: SnsTrust
    kept: dict[str, tuple[float, x509.Certificate]] = field(default_factory=dict)
    fetches: int = 0

    async def get(self, url: str) -> x509.Certificate:
        """The certificate at `url` (an allowed one), from memory when fetched in the last day."""
        if not self.trust.allows(url) or not urlparse(url).path.endswith(".pem"):
            raise SignatureRefused("the signing certificate must come from Amazon SNS over https")
        now = time.monotonic()
        found = self.kept.get(url)
        if found is not None and now - found[0] < CERTIFICATE_SECONDS:
            return found[1]
        body = await fetch(self.trust, url)
        self.fetches += 1
        try:
            certificate = x509.load_pem_x509_certificate(body)
        except ValueError:
            raise SignatureRefused("the signing certificate cannot be read") from None
        if len(self.kept) >= CACHED_CERTIFICATES:
            self.kept.pop(next(iter(self.kept)))
        self.kept[url] = (now, certificate)
        return certificate


async def fetch(trust: SnsTrust, url: str) -> bytes:
    """GET an allowed URL (no redirects, small answers only); SignatureRefused when that fails."""
    if not trust.allows(url):
        raise SignatureRefused("only Amazon SNS addresses over https are fetched")
    try:
        async with (
            httpx.AsyncClient(verify=trust.ssl_context(), timeout=TIMEOUT, follow_redirects=False) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise SignatureRefused(f"{url} answered {response.status_code}")
            body = b""
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_CERTIFICATE_BYTES:
                    raise SignatureRefused(f"{url} answered more than a certificate")
            return body
    except httpx.HTTPError as error:
        raise SignatureRefused(f"{url} could not be fetched: {error}") from None


def parse(body: bytes) -> SnsMessage:
    """The SNS envelope of a request body, or SignatureRefused when it is not one."""
    try:
        message = msgspec.json.decode(body, type=SnsMessage)
    except (msgspec.ValidationError, msgspec.DecodeError):
        raise SignatureRefused("not an Amazon SNS message") from None
    if message.type not in TYPES:
        raise SignatureRefused(f"unknown SNS message type {message.type!r}")
    return message


def string_to_sign(message: SnsMessage) -> bytes:
    """The text SNS signs: each signed field's name and value on lines of their own."""
    values: dict[str, str | None] = {
        "Message": message.message,
        "MessageId": message.message_id,
        "Subject": message.subject,
        "SubscribeURL": message.subscribe_url,
        "Timestamp": message.timestamp,
        "Token": message.token,
        "TopicArn": message.topic_arn,
        "Type": message.type,
    }
    lines: list[str] = []
    for name in TYPES[message.type]:
        value = values[name]
        if value is None:
            if name == "Subject":
                continue
            raise SignatureRefused(f"the SNS message lacks {name}")
        lines += [name, value]
    return ("\n".join(lines) + "\n").encode()


def _algorithm(version: str) -> hashes.HashAlgorithm:
    if version == "1":
        return hashes.SHA1()  # noqa: S303 - SignatureVersion 1 is SHA1withRSA, as Amazon signs it
    if version == "2":
        return hashes.SHA256()
    raise SignatureRefused(f"unknown SignatureVersion {version!r}")


def _check_age(message: SnsMessage, now: datetime) -> None:
    try:
        stamp = datetime.fromisoformat(message.timestamp.replace("Z", "+00:00"))
    except ValueError:
        raise SignatureRefused("the SNS Timestamp cannot be read") from None
    if stamp.tzinfo is None or stamp < now - MAX_AGE or stamp > now + timedelta(minutes=5):
        raise SignatureRefused("the SNS message is too old or from the future")


async def verify(message: SnsMessage, certificates: Certificates, now: datetime | None = None) -> None:
    """Return when SNS signed this message with a valid certificate of its own, else SignatureRefused."""
    now = now or datetime.now(UTC)
    algorithm = _algorithm(message.signature_version)
    _check_age(message, now)
    try:
        signature = base64.b64decode(message.signature, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureRefused("the SNS Signature is not base64") from None
    certificate = await certificates.get(message.signing_cert_url)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise SignatureRefused("the signing certificate is not valid now")
    key: Any = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureRefused("the signing certificate's key is not RSA")
    try:
        key.verify(signature, string_to_sign(message), padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        raise SignatureRefused("the SNS signature does not match the message") from None


async def confirm_subscription(message: SnsMessage, trust: SnsTrust) -> None:
    """Visit a (verified) SubscriptionConfirmation's SubscribeURL, which must be Amazon's too."""
    url = message.subscribe_url or ""
    if not trust.allows(url):
        raise SignatureRefused("the SubscribeURL must be an Amazon SNS address over https")
    await fetch(trust, url)
