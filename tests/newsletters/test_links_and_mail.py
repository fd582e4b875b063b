"""Tokens, addresses, the SMTP URL and the file outbox: the parts the campaign engine will reuse."""

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from uuid import uuid4

import pytest

from core.errors import Invalid, NotFound
from newsletters.addresses import address_key, normalise_address
from newsletters.confirmation import confirmation_message
from newsletters.errors import LinkExpired
from newsletters.mail.outbox import OutboxTransport
from newsletters.mail.smtp import SmtpTransport, parse_smtp_url
from newsletters.mail.transport import mail_route, send_message
from newsletters.tokens import confirmation_token, new_subscriber_token, read_confirmation_token
from tests.newsletters.conftest import Inbox

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_subscriber_tokens_are_long_random_and_url_safe() -> None:
    tokens = {new_subscriber_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(len(token) == 43 and token.replace("-", "").replace("_", "").isalnum() for token in tokens)


def test_a_confirmation_token_lives_seven_days_and_cannot_be_altered() -> None:
    person = uuid4()
    token = confirmation_token("key", person, NOW)
    assert read_confirmation_token("key", token, NOW + timedelta(days=7)) == person
    with pytest.raises(LinkExpired):
        read_confirmation_token("key", token, NOW + timedelta(days=7, seconds=1))
    with pytest.raises(NotFound):
        read_confirmation_token("other key", token, NOW)
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(NotFound):
        read_confirmation_token("key", altered, NOW)
    # A later issue time cannot be forged into an old token: the time is under the signature.
    with pytest.raises(NotFound):
        read_confirmation_token(
            "key", confirmation_token("key", person, NOW)[:30] + token[30:-5] + "xxxxx", NOW
        )


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("  Nino@Example.GE ", "nino@example.ge"),
        ("ნინო@example.ge", "ნინო@example.ge"),
        ("user@bücher.example", "user@bücher.example"),
    ],
)
def test_addresses_have_one_normal_form(written: str, normal: str) -> None:
    assert normalise_address(written) == normal
    assert address_key("k", normalise_address(written)) == address_key("k", normal)
    assert address_key("k", normal) != address_key("other", normal)


@pytest.mark.parametrize(
    "bad", ["", "plain", "a@b", "two@@example.ge", "a b@example.ge", "x" * 330 + "@example.ge"]
)
def test_bad_addresses_are_refused(bad: str) -> None:
    with pytest.raises(Invalid) as refused:
        normalise_address(bad)
    assert refused.value.field == "email"


def test_smtp_urls() -> None:
    plain = parse_smtp_url("smtp://user%40org:p%3Ass@mail.example.ge:587")
    assert (plain.host, plain.port, plain.username, plain.password, plain.implicit_tls) == (
        "mail.example.ge",
        587,
        "user@org",
        "p:ss",
        False,
    )
    assert parse_smtp_url("smtps://mail.example.ge").port == 465
    assert parse_smtp_url("smtps://mail.example.ge").implicit_tls
    with pytest.raises(ValueError, match="SMTP_URL"):
        parse_smtp_url("http://mail.example.ge")
    assert isinstance(mail_route("smtp://127.0.0.1:25", Path("x")).transport(), SmtpTransport)
    assert isinstance(mail_route(None, Path("x")).transport(), OutboxTransport)


def georgian_message() -> object:
    return confirmation_message(
        to="ნინო@example.ge",
        name="ნინო",
        lang="ka",
        list_names=["პრესა"],
        confirm_url="https://newsroom.test/subscriptions/confirm/abc",
        mail_from="SCMI <newsroom@scmi.test>",
    )


async def test_the_outbox_writes_whole_eml_files(tmp_path: Path) -> None:
    await send_message(OutboxTransport(tmp_path / "outbox"), georgian_message())  # type: ignore[arg-type]
    [written] = list((tmp_path / "outbox").iterdir())
    assert written.suffix == ".eml"
    parsed = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert parsed["To"] == "ნინო@example.ge"
    lines = parsed.get_body(("plain",)).get_content().splitlines()  # type: ignore[union-attr]
    assert "https://newsroom.test/subscriptions/confirm/abc" in lines


async def test_smtp_delivers_a_georgian_message_to_a_real_server(smtp: tuple[Inbox, str]) -> None:
    inbox, url = smtp
    transport = SmtpTransport(parse_smtp_url(url))
    await send_message(transport, georgian_message())  # type: ignore[arg-type]
    await transport.close()
    [received] = inbox.messages
    assert inbox.recipients == [["ნინო@example.ge"]]
    assert received["Subject"].startswith("დაადასტურეთ")
    assert "პრესა" in received.get_body().get_content()  # type: ignore[union-attr]
