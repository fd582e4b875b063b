"""Without PUBLIC_URL, the links a server gives out name its own --port (mails use the same setting)."""

from pathlib import Path

import httpx

from tests.conftest import Database
from tests.service.test_command_line import scmi_env, scmi_server


def test_links_carry_the_port_scmi_run_listens_on(db: Database, tmp_path: Path) -> None:
    env = {key: value for key, value in scmi_env(db, tmp_path).items() if key != "PUBLIC_URL"}
    with scmi_server(env, tmp_path / "server.log") as base:
        assert not base.endswith(":8000")
        feed = httpx.get(f"{base}/feeds/ka/news.rss", timeout=10)
        assert feed.status_code == 200
        assert f"<link>{base}/ka/</link>" in feed.text, feed.text[:500]
        assert f"{base}/feeds/ka/news.rss" in feed.text
