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
