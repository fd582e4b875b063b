"""The Dockerfile and the compose file: plain, linted, and running commands that exist."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from service.cli import main as scmi

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict[str, object]:
    loaded: dict[str, object] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint is not None
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_is_multi_stage_non_root_with_a_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert len(stages) == 2
    assert "uv sync --frozen --no-dev" in text  # dependencies from the lock file
    final = text.rpartition(stages[1])[2]
    assert "USER 10001" in final
    assert "HEALTHCHECK" in final
    assert "gcc" not in final
    assert "build-essential" not in final


def test_compose_services_run_real_scmi_commands() -> None:
    services = compose()["services"]
    assert isinstance(services, dict)
    assert {"api", "worker", "postgres", "redis", "mailpit", "migrate"} <= set(services)
    commands = scmi.commands  # type: ignore[attr-defined]
    for name in ("api", "worker", "migrate"):
        command = services[name]["command"]
        assert command[0] == "scmi"
        assert command[1] in commands, f"{name} runs unknown command {command[1]!r}"
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert services["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["worker"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_uses_named_volumes() -> None:
    document = compose()
    volumes = document["volumes"]
    assert isinstance(volumes, dict)
    services = document["services"]
    assert isinstance(services, dict)
    for service in services.values():
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0]
            assert source in volumes, f"{mount} is not a named volume"


def test_the_production_chain_is_proxy_then_api_then_database_and_redis() -> None:
    document = compose()
    services = document["services"]
    assert isinstance(services, dict)
    proxy, api, worker = services["proxy"], services["api"], services["worker"]
    # The proxy: Caddy, the only published HTTP(S) ports, its Caddyfile from the repo.
    assert str(proxy["image"]).startswith("caddy:2")
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    assert proxy["depends_on"]["api"]["condition"] == "service_healthy"
    caddyfile_config = next(c for c in proxy["configs"] if c["target"] == "/etc/caddy/Caddyfile")
    caddyfile = (ROOT / document["configs"][caddyfile_config["source"]]["file"]).read_text()  # type: ignore[index]
    assert "reverse_proxy api:8000" in caddyfile
    assert 'header Strict-Transport-Security "max-age=31536000"' in caddyfile
    assert "{$DOMAIN" in caddyfile
    # The API: reachable only through the proxy, believing forwarded headers from its address alone.
    assert "ports" not in api
    proxy_address = proxy["networks"]["internal"]["ipv4_address"]
    assert api["environment"]["TRUSTED_PROXIES"] == proxy_address
    assert api["environment"]["PUBLIC_URL"].startswith("https://")
    subnet = document["networks"]["internal"]["ipam"]["config"][0]["subnet"]  # type: ignore[index]
    from ipaddress import ip_address, ip_network

    assert ip_address(proxy_address) in ip_network(subnet)
    # The API and the worker: PostgreSQL and Redis by their service names, after the migration.
    for service in (api, worker):
        assert "@postgres:5432/" in service["environment"]["DATABASE_URL"]
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:6379")
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    # Every service on the one internal network the proxy's address belongs to.
    for name, service in services.items():
        assert "internal" in service["networks"], name


def test_the_proxy_address_is_what_the_app_trusts() -> None:
    from service.settings import Settings

    api = compose()["services"]["api"]  # type: ignore[index]
    settings = Settings.from_env({"TRUSTED_PROXIES": api["environment"]["TRUSTED_PROXIES"]})
    assert [str(network) for network in settings.trusted_proxies] == ["172.30.0.10/32"]
