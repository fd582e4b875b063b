"""Messages: both parts, the list headers, Georgian encoded right, nothing injected, lines short."""

import email
import email.policy
from email.message import EmailMessage

import pytest

from core.errors import Invalid
from newsletters.mime import PreparedMessage, Sender, checked_address
from newsletters.rendering import EditionContent, EditionEntry, Personal, render_edition
from newsletters.templates import default_templates

SENDER = Sender(
    from_name="მიგრაციის კომისიის სამდივნო",
    from_address="newsroom@migration.commission.ge",
    list_id="partners.newsroom.migration.commission.ge",
    reply_to="info@migration.commission.ge",
)


def content(lang: str = "ka", **changes: object) -> EditionContent:
    base = {
        "lang": lang,
        "subject": "კომისიის სიახლეები — დეკემბერი" if lang == "ka" else "Commission news — December",
        "intro": "პირველი აბზაცი.\n\nმეორე აბზაცი **მუქით**.",
        "entries": [
            EditionEntry(
                title="32-ე სხდომა",
                summary="დამტკიცდა გეგმა.",
                url="https://migration.commission.ge/ka/news/32",
            ),
            EditionEntry(
                title="მიგრაციის პროფილი", summary="", url="https://migration.commission.ge/ka/news/profile"
            ),
        ],
        "archive_url": "https://newsroom.test/newsletters/ka/december",
    }
    base.update(changes)
    return EditionContent(**base)  # type: ignore[arg-type]


def personal(name: str = "ნინო ბერიძე") -> Personal:
    return Personal(
        name=name,
        unsubscribe_url="https://newsroom.test/subscriptions/unsubscribe/tok123",
        preferences_url="https://newsroom.test/subscriptions/preferences/tok123",
    )


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def build(lang: str = "ka", name: str = "ნინო ბერიძე", **changes: object) -> tuple[EmailMessage, bytes]:
    template = default_templates()[0].mjml
    prepared = PreparedMessage(
        render_edition(template, content(lang, **changes)), SENDER, list_name="Partners"
    )
    raw, message_id = prepared.personalise("nino@example.ge", personal(name))
    message = parse(raw)
    assert message["Message-ID"] == message_id
    return message, raw


def test_headers_and_both_parts() -> None:
    message, raw = build()
    assert str(message["Subject"]) == "კომისიის სიახლეები — დეკემბერი"
    assert message["To"].addresses[0].display_name == "ნინო ბერიძე"
    assert message["To"].addresses[0].addr_spec == "nino@example.ge"
    assert message["From"].addresses[0].addr_spec == "newsroom@migration.commission.ge"
    assert message["From"].addresses[0].display_name == SENDER.from_name
    assert message["Reply-To"] == "info@migration.commission.ge"
    assert message["List-Unsubscribe"] == "<https://newsroom.test/subscriptions/unsubscribe/tok123>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"].endswith("<partners.newsroom.migration.commission.ge>")
    assert message["Message-ID"].endswith("@migration.commission.ge>")
    assert message["Date"] is not None
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html_part = message.get_body(("html",)).get_content()
    assert "ძვირფასო ნინო ბერიძე," in text
    assert "* 32-ე სხდომა" in text
    assert "https://migration.commission.ge/ka/news/32" in text
    assert "გამოწერის გაუქმება: https://newsroom.test/subscriptions/unsubscribe/tok123" in text
    assert "<strong>მუქით</strong>" in html_part
    assert 'href="https://newsroom.test/subscriptions/unsubscribe/tok123"' in html_part
    assert "ძვირფასო ნინო ბერიძე," in html_part
    assert "[[scmi-" not in text + html_part
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_english_edition_and_anonymous_greeting() -> None:
    message, _ = build("en", name="", subject="Commission news", intro="Hello.")
    assert "Dear reader," in message.get_body(("plain",)).get_content()
    assert message["Content-Language"] == "en"


@pytest.mark.parametrize(
    "name",
    ["Eve\r\nBcc: victim@example.org", "Eve\nX-Injected: yes", "<script>alert(1)</script>", "Eve\x00\x1b"],
)
def test_names_cannot_inject_headers_or_markup(name: str) -> None:
    message, raw = build(name=name)
    assert message["Bcc"] is None
    assert message["X-Injected"] is None
    assert b"\r\nBcc:" not in raw
    assert "<script>" not in message.get_body(("html",)).get_content()
    assert "\x00" not in message["To"].addresses[0].display_name


def test_subject_cannot_inject_headers() -> None:
    message, _ = build(subject="News\r\nBcc: victim@example.org")
    assert message["Bcc"] is None
    assert "Bcc" in str(message["Subject"])


@pytest.mark.parametrize(
    "address", ["a@b.c\r\nBcc: x@y.z", "a b@c.d", "<a@b.c>", "a@b.c, d@e.f", "", "nobody"]
)
def test_bad_addresses_are_refused(address: str) -> None:
    with pytest.raises(Invalid):
        checked_address(address)


def test_content_cannot_forge_personal_placeholders() -> None:
    forged = "[[scmi-000000000000-html-unsubscribe_url]] [[scmi-abc-text-greeting]]"
    message, _ = build(intro=forged)
    assert "[[scmi-000000000000-html-unsubscribe_url]]" in message.get_body(("plain",)).get_content()


def test_long_lines_go_quoted_printable_and_decode_to_the_rendered_bytes() -> None:
    intro = ("<p>" + "ა" * 500 + "</p>") * 3
    message, raw = build(intro=intro, name="ნ" * 100)
    body = raw.split(b"\r\n\r\n", 1)[1]
    assert raw.isascii()
    assert all(len(line) <= 76 for line in body.split(b"\r\n"))
    assert message.get_body(("html",))["Content-Transfer-Encoding"] == "quoted-printable"
    assert "<p>" + "ა" * 500 + "</p>" in message.get_body(("html",)).get_content()
    assert "ძვირფასო " + "ნ" * 100 + "," in message.get_body(("html",)).get_content()
