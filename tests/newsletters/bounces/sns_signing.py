"""What Amazon does in the SNS tests, done by the test: a signing key and certificate of its own,
an HTTPS server on loopback serving it (and counting what is fetched), and signed SNS messages."""

import base64
import contextlib
import datetime
import http.server
import ipaddress
import json
import re
import ssl
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from newsletters.bounces.sns import SnsTrust
from tests.private_servers import free_port

TOPIC = "arn:aws:sns:eu-central-1:123456789012:scmi-ses-feedback"
CERT_PATH = "/SimpleNotificationService-0123456789abcdef.pem"
SUBSCRIBE_PATH = "/?Action=ConfirmSubscription&TopicArn=scmi&Token=confirm-me"


def make_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate(
    key: rsa.RSAPrivateKey, name: str, *, ip: str | None = None, days: int = 2
) -> x509.Certificate:
    """A self-signed certificate for `key` (with `ip` as its subject alternative name for TLS)."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=days))
    )
    if ip is not None:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]), critical=False
        ).add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    return builder.sign(key, hashes.SHA256())


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class FakeSns:
    """The HTTPS server standing in for sns.<region>.amazonaws.com, and the key it signs with."""

    port: int
    root: Path
    key: rsa.RSAPrivateKey = field(default_factory=make_key)
    requests: list[str] = field(default_factory=list)

    @property
    def cert_url(self) -> str:
        return f"https://127.0.0.1:{self.port}{CERT_PATH}"

    @property
    def subscribe_url(self) -> str:
        return f"https://127.0.0.1:{self.port}{SUBSCRIBE_PATH}"

    @property
    def trust(self) -> SnsTrust:
        """What the tests' settings trust instead of Amazon's hosts: this server, by its own CA."""
        return SnsTrust(
            host=re.compile(r"127\.0\.0\.1"), ports=frozenset({self.port}), ca_file=str(self.root / "tls.pem")
        )

    def fetched(self, path: str) -> int:
        return self.requests.count(path)


def signed(message: dict[str, Any], key: rsa.RSAPrivateKey, version: str = "2") -> dict[str, Any]:
    """`message` with SignatureVersion and Signature, signed as Amazon documents it (written out here
    apart from the code under test)."""
    if message["Type"] == "Notification":
        names = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        names = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    text = "".join(f"{name}\n{message[name]}\n" for name in names if name in message)
    algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
    signature = key.sign(text.encode(), padding.PKCS1v15(), algorithm)
    return {**message, "SignatureVersion": version, "Signature": base64.b64encode(signature).decode()}


def now_stamp(delta: datetime.timedelta = datetime.timedelta(0)) -> str:
    stamp = datetime.datetime.now(datetime.UTC) + delta
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def notification(sns: FakeSns, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An unsigned SNS Notification carrying an SES notification `body`."""
    return {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": TOPIC,
        "Message": json.dumps(body),
        "Timestamp": now_stamp(),
        "SigningCertURL": sns.cert_url,
        "UnsubscribeURL": f"https://127.0.0.1:{sns.port}/?Action=Unsubscribe",
        **extra,
    }


def confirmation(sns: FakeSns) -> dict[str, Any]:
    return {
        "Type": "SubscriptionConfirmation",
        "MessageId": str(uuid.uuid4()),
        "Token": "confirm-me",
        "TopicArn": TOPIC,
        "Message": "You have chosen to subscribe to the topic. To confirm, visit the SubscribeURL.",
        "SubscribeURL": sns.subscribe_url,
        "Timestamp": now_stamp(),
        "SigningCertURL": sns.cert_url,
    }


def ses_bounce(address: str, bounce_type: str = "Permanent", **mail: Any) -> dict[str, Any]:
    return {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": address,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
            ],
            "timestamp": now_stamp(),
            "feedbackId": f"0100-{uuid.uuid4()}",
        },
        "mail": {"timestamp": now_stamp(), "messageId": f"0100-{uuid.uuid4()}", "source": "x@y", **mail},
    }


def ses_complaint(address: str, feedback: str = "abuse") -> dict[str, Any]:
    return {
        "notificationType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": address}],
            "complaintFeedbackType": feedback,
            "timestamp": now_stamp(),
            "feedbackId": f"0100-{uuid.uuid4()}",
        },
        "mail": {"timestamp": now_stamp(), "messageId": f"0100-{uuid.uuid4()}", "source": "x@y"},
    }


@contextlib.contextmanager
def fake_sns() -> Iterator[FakeSns]:
    """An HTTPS server on a free loopback port serving the signing certificate and the subscribe link."""
    root = Path(tempfile.mkdtemp(prefix="scmi-sns-"))
    tls_key = make_key()
    (root / "tls.pem").write_bytes(pem(certificate(tls_key, "127.0.0.1", ip="127.0.0.1")))
    (root / "tls-key.pem").write_bytes(
        tls_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    sns = FakeSns(port=free_port(), root=root)
    signing_pem = pem(certificate(sns.key, "sns.amazonaws.com"))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            sns.requests.append(self.path)
            body = signing_pem if self.path == CERT_PATH else b"<ConfirmSubscriptionResponse/>"
            self.send_response(200 if self.path in (CERT_PATH, SUBSCRIBE_PATH) else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", sns.port), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(root / "tls.pem", root / "tls-key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sns
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
