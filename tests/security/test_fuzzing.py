"""Schemathesis against the live server's own OpenAPI document: no 5xx, answers match their schema."""

import os
import subprocess
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.service.test_command_line import SCMI, scmi_server

ROLES = ("anonymous", "author", "editor", "admin")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("fuzz")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "SMTP_URL", "DATABASE_URL"}
    }
    env["DATA_DIR"] = str(data_dir)
    subprocess.run([SCMI, "migrate"], env=env, check=True, capture_output=True)
    tokens = {
        role: subprocess.run(
            [SCMI, "staff", "add", f"{role}@fuzz.test", "--role", role],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        for role in ROLES[1:]
    }
    log_path = data_dir / "server.log"
    with scmi_server(env, log_path) as base:
        yield base, tokens
    server_log = log_path.read_text()
    assert "Traceback" not in server_log, server_log[-4000:]


@pytest.fixture(scope="module")
def api_schema(live: tuple[str, dict[str, str]]) -> schemathesis.BaseSchema:
    base, _ = live
    return schemathesis.openapi.from_url(f"{base}/schema/openapi.json")


@pytest.fixture(scope="module")
def tokens(live: tuple[str, dict[str, str]]) -> dict[str, str]:
    return live[1]


def test_no_server_error_and_answers_match_the_schema(
    api_schema: schemathesis.BaseSchema, tokens: dict[str, str]
) -> None:
    checked = 0
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
        )
        def fuzz(case: schemathesis.Case) -> None:
            for role in ROLES:
                headers = {} if role == "anonymous" else {"Authorization": f"Bearer {tokens[role]}"}
                response = case.call(headers=headers)
                case.validate_response(
                    response,
                    checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
                    headers=headers,
                )

        try:
            fuzz()
        except BaseException as error:  # hypothesis raises exception groups; report every operation's failure
            failures.append(f"{operation.label}: {str(error)[:1500]}")
        checked += 1
    assert checked >= 40
    assert failures == [], "\n\n".join(failures)
