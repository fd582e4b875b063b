"""The bounce settings: read, checked at start-up with one line, and off when unset."""

import pytest

from service.settings import Settings, SettingsError


def test_the_bounce_settings_are_read() -> None:
    settings = Settings.from_env(
        {
            "BOUNCE_DOMAIN": "Bounces.Newsroom.Test",
            "BOUNCE_MAILBOX_URL": "imap://bounces:secret@127.0.0.1:1143/INBOX",
            "BOUNCE_WEBHOOK_TOKEN": "hook-token",
            "BOUNCE_SOFT_LIMIT": "5",
            "BOUNCE_SNS_TOPIC_ARNS": " arn:aws:sns:eu-central-1:1:a , arn:aws:sns:eu-central-1:1:b ,",
            "BOUNCE_MAILGUN_SIGNING_KEY": "signing-key\n",
        }
    )
    assert settings.bounce_sns_topic_arns == ("arn:aws:sns:eu-central-1:1:a", "arn:aws:sns:eu-central-1:1:b")
    assert settings.bounce_mailgun_signing_key == "signing-key"
    assert settings.bounce_domain == "bounces.newsroom.test"
    assert settings.bounce_mailbox_url == "imap://bounces:secret@127.0.0.1:1143/INBOX"
    assert settings.bounce_webhook_token == "hook-token"
    assert settings.bounce_soft_limit == 5
    off = Settings.from_env({})
    assert (off.bounce_sns_topic_arns, off.bounce_mailgun_signing_key) == ((), "")
    assert (off.bounce_domain, off.bounce_mailbox_url, off.bounce_webhook_token, off.bounce_soft_limit) == (
        "", "", "", 3
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("BOUNCE_SOFT_LIMIT", "0", "BOUNCE_SOFT_LIMIT must be a whole number of at least 1"),
        ("BOUNCE_SOFT_LIMIT", "three", "BOUNCE_SOFT_LIMIT must be a whole number of at least 1"),
        ("BOUNCE_MAILBOX_URL", "pop://u:p@host", "BOUNCE_MAILBOX_URL must look like imaps://"),
        ("BOUNCE_MAILBOX_URL", "pop3s://u:p@host/Bounces", "POP3 has one mailbox and no folders"),
        ("BOUNCE_MAILBOX_URL", "imaps://imap.example.org", "needs the mailbox's user and password"),
    ],
)
def test_settings_that_cannot_work_stop_start_up_with_one_line(name: str, value: str, says: str) -> None:
    with pytest.raises(SettingsError, match=says.replace("(", r"\(")):
        Settings.from_env({name: value})
