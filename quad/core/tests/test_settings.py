"""Settings come from the environment; production variables pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "SECURE": "true",
    "ALLOWED_HOSTS": "quad.example.org",
    "SITE_URL": "https://quad.example.org",
}


def _manage(*args: str, extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The test run's own variables (async-unsafe for Playwright, a test database) are not production's.
    dropped = {"DATABASE_URL", "SECRET_KEY", "SECURE", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_the_documented_production_variables() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", extra_env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_the_production_variables() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", extra_env={})
    assert result.returncode != 0
    assert "security.W" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _manage("check", extra_env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_an_unreadable_boolean_fails_loudly() -> None:
    result = _manage("check", extra_env={"DEBUG": "perhaps"})
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_env_example_lists_every_variable_settings_reads() -> None:
    import re

    source = (ROOT / "quad" / "settings.py").read_text()
    read = set(re.findall(r'env(?:bool|int|float|list|monthday|time)?\("([A-Z_]+)"', source))
    listed = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))
    assert read, "the pattern found no variables: the test itself is broken"
    assert read - listed == set(), f"add these to .env.example: {sorted(read - listed)}"


def test_an_unreadable_quiet_hours_time_fails_loudly() -> None:
    result = _manage("check", extra_env={"QUIET_HOURS_START": "late"})
    assert result.returncode != 0
    assert "QUIET_HOURS_START must be a time of day" in result.stderr


def test_anymail_esp_selects_that_service_with_its_anymail_variables() -> None:
    script = (
        "from django.conf import settings; from django.core.mail import get_connection; "
        "c = get_connection(); print(type(c).__module__, settings.ANYMAIL['MAILGUN_API_KEY'])"
    )
    result = _manage(
        "shell",
        "-c",
        script,
        extra_env={"ANYMAIL_ESP": "mailgun", "ANYMAIL_MAILGUN_API_KEY": "key-123", "EMAIL_HOST": "smtp.example.org"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["anymail.backends.mailgun", "key-123"]
