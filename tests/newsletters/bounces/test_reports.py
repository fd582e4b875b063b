"""Reports classified as real servers write them: hard, soft, complaint, or nothing we can read."""

import uuid

import pytest

from newsletters.bounces.intake import incoming_of
from newsletters.bounces.reports import read_report
from newsletters.bounces.verp import find_verp, make_token, read_token, return_path
from tests.newsletters.bounces import samples

KEY = "test-secret-key-for-verp-tokens-0123456789"
DELIVERY = uuid.uuid4()
VERP = return_path(KEY, "bounces.newsroom.test", "d", DELIVERY)
WHO = "gone@partner.example"
ORIGINAL = "<original.123@newsroom.test>"


@pytest.mark.parametrize(
    ("raw", "kind", "reason_part"),
    [
        (samples.postfix_dsn(VERP, WHO, ORIGINAL), "hard", "5.1.1"),
        (samples.exchange_dsn(VERP, WHO, ORIGINAL), "hard", "RecipientNotFound"),
        (samples.exim_plain(VERP, WHO, ORIGINAL), "hard", "permanent failure"),
        (samples.postfix_dsn(VERP, WHO, ORIGINAL, status="4.2.2", action="delayed"), "soft", "Mailbox full"),
        (samples.postfix_dsn(VERP, WHO, ORIGINAL, status="4.4.7", action="failed"), "soft", "4.4.7"),
        (samples.arf_complaint(VERP, WHO, ORIGINAL), "complaint", "SomeGenerator"),
    ],
    ids=["postfix", "exchange", "exim-plain", "postfix-delayed", "failed-4xx", "arf"],
)
def test_reports_are_classified_with_their_recipient_reason_and_return_path(
    raw: bytes, kind: str, reason_part: str
) -> None:
    report = read_report(raw)
    assert report is not None
    assert report.kind == kind
    assert WHO in report.recipients
    assert reason_part in report.reason
    incoming = incoming_of(raw, KEY)
    assert incoming is not None
    assert incoming.verp is not None and incoming.verp.kind == "d" and incoming.verp.id == DELIVERY
    assert ORIGINAL in incoming.message_ids


def test_gmail_names_the_original_by_message_id_when_there_is_no_verp() -> None:
    incoming = incoming_of(samples.gmail_dsn("newsroom@newsroom.test", WHO, ORIGINAL), KEY)
    assert incoming is not None
    assert incoming.kind == "hard"
    assert incoming.verp is None
    assert incoming.message_ids[0] == ORIGINAL
    assert incoming.email == WHO


@pytest.mark.parametrize(
    "raw",
    [
        samples.vacation_reply(VERP),
        samples.human_reply(VERP),
        samples.JUNK,
        b"",
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\n",
        b"Content-Type: multipart/report; report-type=feedback-report; boundary=y\r\n\r\n--y--\r\n",
    ],
    ids=["vacation", "human", "junk", "empty", "broken-dsn", "broken-arf"],
)
def test_what_is_no_report_is_none_and_never_raises(raw: bytes) -> None:
    assert read_report(raw) is None


def test_a_delivered_dsn_and_a_not_spam_report_change_nothing() -> None:
    delivered = samples.postfix_dsn(VERP, WHO, ORIGINAL, status="2.0.0", action="delivered")
    assert read_report(delivered) is None
    not_spam = samples.arf_complaint(VERP, WHO, ORIGINAL).replace(
        b"Feedback-Type: abuse", b"Feedback-Type: not-spam"
    )
    assert read_report(not_spam) is None


def test_the_report_is_known_by_its_message_id_or_a_digest() -> None:
    named = read_report(samples.postfix_dsn(VERP, WHO, ORIGINAL, report_id="<report.1@mx>"))
    assert named is not None and named.report_id == "<report.1@mx>"
    raw = samples.postfix_dsn(VERP, WHO, ORIGINAL).replace(b"Message-Id:", b"X-Old-Id:")
    first, second = read_report(raw), read_report(raw)
    assert first is not None and second is not None
    assert first.report_id.startswith("sha256:") and first.report_id == second.report_id


def test_tokens_are_short_carry_no_address_and_refuse_forgery() -> None:
    token = make_token(KEY, "d", DELIVERY)
    assert len(token) == 37 and token.isalnum() and token == token.lower()
    assert WHO.split("@")[0] not in token
    assert read_token(KEY, token) is not None
    assert read_token(KEY, token.upper()) == read_token(KEY, token)
    assert read_token("another-key", token) is None
    flipped = ("b" if token[5] == "a" else "a").join([token[:5], token[6:]])
    assert read_token(KEY, flipped) is None
    assert read_token(KEY, token[:-1]) is None
    assert read_token(KEY, "!!!") is None
    assert find_verp(KEY, [f"Delivered-To: bounces+{flipped}@bounces.newsroom.test"]) is None
    assert make_token(KEY, "d", uuid.uuid4()) != token
