"""Secret settings from files (Docker secrets): `NAME_FILE`, refused clearly when ambiguous or unreadable."""

from pathlib import Path

import pytest

from service.settings import SECRET_SETTINGS, Settings, SettingsError

KEY = "a-secret-key-read-from-a-file-0123456789"


def test_each_secret_setting_can_come_from_a_file(tmp_path: Path) -> None:
    values = {
        "SECRET_KEY": KEY,
        "DATABASE_URL": "postgresql://scmi:pa%24%24@db:5432/scmi",
        "REDIS_URL": "redis://:redis-pass@redis:6379/0",
        "SMTP_URL": "smtp://user:smtp-pass@relay:587",
        "S3_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "S3_SECRET_ACCESS_KEY": "s3-secret",
        "METRICS_TOKEN": "scrape-token",
        "BOUNCE_MAILBOX_URL": "imaps://bounces:imap-pass@imap.example.org:993/INBOX",
        "BOUNCE_WEBHOOK_TOKEN": "webhook-token",
        "BOUNCE_MAILGUN_SIGNING_KEY": "mailgun-signing-key",
    }
    assert set(values) == set(SECRET_SETTINGS)
    env = {}
    for name, value in values.items():
        path = tmp_path / name.lower()
        path.write_text(value + "\n", "utf-8")  # as `echo` and most editors write it
        env[f"{name}_FILE"] = str(path)
    settings = Settings.from_env(env)
    assert settings.secret_key == KEY
    assert settings.database_url == values["DATABASE_URL"]
    assert settings.redis_url == values["REDIS_URL"]
    assert settings.smtp_url == values["SMTP_URL"]
    assert settings.s3_access_key_id == values["S3_ACCESS_KEY_ID"]
    assert settings.s3_secret_access_key == values["S3_SECRET_ACCESS_KEY"]
    assert settings.metrics_token == values["METRICS_TOKEN"]
    assert settings.bounce_mailbox_url == values["BOUNCE_MAILBOX_URL"]
    assert settings.bounce_webhook_token == values["BOUNCE_WEBHOOK_TOKEN"]
    assert settings.bounce_mailgun_signing_key == values["BOUNCE_MAILGUN_SIGNING_KEY"]
    settings.check_production()  # the key from the file is a real one


def test_both_the_value_and_the_file_are_refused(tmp_path: Path) -> None:
    (tmp_path / "key").write_text(KEY, "utf-8")
    with pytest.raises(SettingsError, match="SECRET_KEY and SECRET_KEY_FILE are both set"):
        Settings.from_env({"SECRET_KEY": KEY, "SECRET_KEY_FILE": str(tmp_path / "key")})


@pytest.mark.parametrize("content", [None, "", "\n", b"\xff\xfe"])
def test_a_missing_empty_or_unreadable_file_is_refused(tmp_path: Path, content: str | bytes | None) -> None:
    path = tmp_path / "smtp"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, "utf-8")
    with pytest.raises(SettingsError, match=f"SMTP_URL_FILE names {path}, which"):
        Settings.from_env({"SMTP_URL_FILE": str(path)})


def test_the_command_line_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    scmi = str(Path(sys.executable).parent / "scmi")
    result = subprocess.run(
        [scmi, "campaigns", "list"],
        env={"SECRET_KEY_FILE": str(tmp_path / "absent"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY_FILE names" in result.stderr
    assert "Traceback" not in result.stderr
