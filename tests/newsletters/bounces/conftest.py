"""Fixtures of the bounce tests: a real IMAP server (Debian's dovecot) of the test's own, and an SMTP
sink that keeps each message's envelope sender."""

import contextlib
import imaplib
import os
import pwd
import shutil
import ssl
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.private_servers import free_port, smtp_server, wait_for_port

DOVECOT = "/usr/sbin/dovecot"
POP3 = "/usr/lib/dovecot/pop3"
USER, PASSWORD = "bounces", "mailbox-secret"

CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = {protocols}
listen = 127.0.0.1
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
default_internal_user = {internal}
default_login_user = {internal}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/mail/%u
}}
{tls}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3_port}
  }}
  inet_listener pop3s {{
    address = 127.0.0.1
    port = {pop3s_port}
    ssl = yes
  }}
}}
service submission-login {{
  inet_listener submission {{
    port = 0
  }}
}}
"""


@dataclass
class Dovecot:
    """A dovecot of the test's own: its URL, a way to put mail in, read folders, stop and start it."""

    root: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    tls: bool = False
    pop3_port: int = 0  # with POP3: its port (POP3S when `pop3_tls`)
    pop3_tls: bool = False

    @property
    def url(self) -> str:
        scheme = "imaps" if self.tls else "imap"
        return f"{scheme}://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"

    @property
    def pop3_url(self) -> str:
        scheme = "pop3s" if self.pop3_tls else "pop3"
        return f"{scheme}://{USER}:{PASSWORD}@127.0.0.1:{self.pop3_port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        if self.pop3_port:
            wait_for_port(self.pop3_port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=15)
            self.process = None

    @contextlib.contextmanager
    def session(self) -> Iterator[imaplib.IMAP4]:
        if self.tls:
            context = ssl.create_default_context(cafile=str(self.root / "cert.pem"))
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=context, timeout=10)
        else:
            client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(USER, PASSWORD)
        try:
            yield client
        finally:
            client.logout()

    def append(self, *messages: bytes) -> None:
        with self.session() as client:
            for message in messages:
                status, data = client.append("INBOX", None, None, message)
                assert status == "OK", data

    def folder(self, name: str) -> list[bytes]:
        """Every message in a folder (none when the folder does not exist)."""
        with self.session() as client:
            status, _ = client.select(f'"{name}"', readonly=True)
            if status != "OK":
                return []
            _, data = client.uid("SEARCH", "ALL")
            found = []
            for uid in (data[0] or b"").split():
                _, parts = client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
                found += [bytes(part[1]) for part in parts if isinstance(part, tuple)]
            return found


@contextlib.contextmanager
def running_dovecot(*, tls: bool = False, pop3: str = "") -> Iterator[Dovecot]:
    """A dovecot IMAP server on a free loopback port with an empty mailbox for user `bounces`; with
    `tls`, IMAPS only, under a self-signed certificate for 127.0.0.1 (`root/cert.pem`). `pop3`
    ("plain" or "tls") also serves the mailbox over POP3 (POP3S) beside plain IMAP."""
    assert Path(DOVECOT).exists(), "the bounce tests need dovecot-imapd (tests/system_tools.sh installs it)"
    if pop3:
        assert Path(POP3).exists(), "the POP3 tests need dovecot-pop3d (tests/system_tools.sh installs it)"
    # Not under tmp_path: the mail processes run as an unprivileged user, who must reach the maildir.
    root = Path(tempfile.mkdtemp(prefix="scmi-dovecot-"))
    root.chmod(0o755)
    if os.getuid() == 0:  # dovecot never gives mail access to root: the mail belongs to nobody
        internal, mail_user, mail_group = "dovecot", "nobody", "nogroup"
    else:
        internal = mail_user = pwd.getpwuid(os.getuid()).pw_name
        mail_group = str(os.getgid())
    (root / "mail").mkdir()
    if os.getuid() == 0:
        shutil.chown(root / "mail", mail_user, mail_group)
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = free_port()
    if tls or pop3 == "tls":
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(root / "key.pem"),
             "-out", str(root / "cert.pem")],
            check=True, capture_output=True,
        )  # fmt: skip
        # POP3S beside plain IMAP (the test's own way in): TLS offered, not required.
        required = "required" if tls else "yes"
        settings = f"ssl = {required}\nssl_cert = <{root}/cert.pem\nssl_key = <{root}/key.pem\n"
    else:
        settings = "ssl = no\n"
    ports = {"imap_port": 0, "imaps_port": port} if tls else {"imap_port": port, "imaps_port": 0}
    pop3_port = free_port() if pop3 else 0
    ports |= {
        "pop3_port": pop3_port if pop3 == "plain" else 0,
        "pop3s_port": pop3_port if pop3 == "tls" else 0,
    }
    config = CONFIG.format(
        root=root,
        tls=settings,
        internal=internal,
        mail_user=mail_user,
        mail_group=mail_group,
        protocols="imap pop3" if pop3 else "imap",
        **ports,
    )
    (root / "dovecot.conf").write_text(config)
    server = Dovecot(root=root, port=port, tls=tls, pop3_port=pop3_port, pop3_tls=pop3 == "tls")
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A dovecot IMAP server (plain IMAP on loopback) with an empty mailbox for user `bounces`."""
    with running_dovecot() as server:
        yield server


@pytest.fixture
def dovecot_pop3() -> Iterator[Dovecot]:
    """The same mailbox over plain POP3 too (`pop3_url`)."""
    with running_dovecot(pop3="plain") as server:
        yield server


@pytest.fixture
def dovecot_pop3s() -> Iterator[Dovecot]:
    """The same mailbox over POP3S, under a self-signed certificate (`root/cert.pem`)."""
    with running_dovecot(pop3="tls") as server:
        yield server


@pytest.fixture
def dovecot_tls() -> Iterator[Dovecot]:
    """The same, IMAPS only, under a self-signed certificate."""
    with running_dovecot(tls=True) as server:
        yield server


@dataclass
class Envelopes:
    """What an SMTP sink received: each message's envelope sender, recipients and bytes."""

    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append(
            (str(envelope.mail_from), list(envelope.rcpt_tos), envelope.original_content or b"")
        )
        return "250 Message accepted for delivery"

    def sender_to(self, address: str) -> str:
        senders = [sender for sender, rcpt, _ in self.received if address in rcpt]
        assert len(senders) == 1, (address, self.received)
        return senders[0]


@pytest.fixture
def sink() -> Iterator[tuple[Envelopes, str]]:
    """An aiosmtpd server that records envelopes, and the SMTP_URL that reaches it."""
    envelopes = Envelopes()
    with smtp_server(envelopes, enable_SMTPUTF8=True) as url:
        yield envelopes, url
