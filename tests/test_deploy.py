"""The deployment files: what can be checked without a container engine.

No Docker engine runs where these tests run, so the image is not built here. Instead: the
Dockerfile installs with deploy/install.sh, the same script CI runs into a fresh venv and then
uses from another folder (.ci/run, .ci/smoke_installed.py); the image is slim, runs as a
numeric non-root user and checks its health with `hrbot health`; the compose file runs
read-only webhook replicas behind nginx; nginx accepts its config (`nginx -t`, when nginx is
installed); systemd accepts the unit (`systemd-analyze verify`, when it is installed); and the
bot reads the token systemd hands it as a credential.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from bot.config import Config, Monitoring, Telegram
from handlers.monitoring import health_url
from handlers.token import read_token

DEPLOY = ROOT / "deploy"
TOKEN = "123456789:AAHdeployTestTokenNotARealOne_0123456789"


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the final stage, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    lines = [line.strip() for line in joined.splitlines()]
    stages: list[list[tuple[str, str]]] = []
    for line in lines:
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((word.upper(), rest.strip()))
    return stages[-1]


def test_the_image_is_slim_non_root_installed_by_the_tested_script_and_health_checked() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "RUN sh deploy/install.sh /opt/hrbot /src" in text
    assert 'sh deploy/install.sh "$dist/venv" .' in (ROOT / ".ci" / "run").read_text()
    final = instructions(text)
    assert final[0][0] == "FROM" and final[0][1].endswith("-slim")
    user = [args for word, args in final if word == "USER"]
    assert user and user[-1].split(":")[0].isdigit() and not user[-1].startswith("0")
    health = next(args for word, args in final if word == "HEALTHCHECK")
    assert '"hrbot", "health"' in health
    env = " ".join(args for word, args in final if word == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in env  # nothing written beside the code at run time
    assert "TOKEN" not in text.upper().replace("TOKEN_FILE", "")  # secrets are never baked in
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "deploy/secrets"} <= set(ignored)


def test_compose_runs_read_only_webhook_replicas_behind_nginx() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    bot, nginx = compose["services"]["bot"], compose["services"]["nginx"]
    assert bot["deploy"]["replicas"] >= 2
    assert bot["read_only"] is True and bot["cap_drop"] == ["ALL"]
    assert all(volume.endswith(":ro") for volume in bot["volumes"])
    assert set(bot["secrets"]) == {"telegram_token", "webhook_secret"}
    assert "ports" not in bot  # only nginx is published
    assert nginx["depends_on"]["bot"]["condition"] == "service_healthy"
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in nginx["volumes"]
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert "access_log off;" in conf and "proxy_next_upstream off;" in conf
    assert "location = /telegram" in conf and "/metrics" not in conf.split("location = /")[1]


@pytest.mark.skipif(
    shutil.which("nginx") is None or shutil.which("openssl") is None,
    reason="nginx or openssl is not installed (apt-get install -y nginx)",
)
def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=bot.example.org", "-keyout", str(tmp_path / "privkey.pem"),
         "-out", str(tmp_path / "fullchain.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        (DEPLOY / "nginx.conf").read_text().replace("/etc/nginx/certs", str(tmp_path)),
        encoding="utf-8",
    )
    nginx = str(shutil.which("nginx"))
    result = subprocess.run(
        [nginx, "-t", "-c", str(conf), "-p", str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def unit() -> str:
    return (DEPLOY / "hrbot.service").read_text(encoding="utf-8")


def test_the_unit_restarts_on_failure_and_gets_the_token_as_a_credential() -> None:
    settings = [line for line in unit().splitlines() if line and not line.startswith("#")]
    assert "Restart=on-failure" in settings
    assert "RestartPreventExitStatus=2" in settings  # a config problem is not retried forever
    assert "LoadCredential=telegram-token:/etc/hrbot/telegram-token" in settings
    assert "User=hrbot" in settings and "ProtectSystem=strict" in settings
    assert not any("HRBOT_TELEGRAM_TOKEN" in line for line in settings)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    """`systemd-analyze verify` checks every setting and that the commands exist; the unit's
    /opt/hrbot/bin/hrbot is pointed at this environment's hrbot for that."""
    hrbot = Path(sys.executable).with_name("hrbot")
    path = tmp_path / "hrbot.service"
    path.write_text(unit().replace("/opt/hrbot/bin/hrbot", str(hrbot)), encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # A misspelt setting is only a warning for systemd: here it must not happen at all.
    assert str(path) not in result.stderr and "hrbot.service" not in result.stderr, result.stderr


def test_the_token_comes_from_the_systemd_credential(tmp_path: Path) -> None:
    (tmp_path / "telegram-token").write_text(TOKEN + "\n", encoding="utf-8")
    credentials = {"CREDENTIALS_DIRECTORY": str(tmp_path)}
    assert read_token(Telegram(), credentials) == TOKEN
    other = TOKEN.replace("AAH", "BBH")
    assert read_token(Telegram(), {**credentials, "HRBOT_TELEGRAM_TOKEN": other}) == other
    file = tmp_path / "token"
    file.write_text(other, encoding="utf-8")
    assert read_token(Telegram(token_file=file), credentials) == other


def test_the_health_check_asks_the_port_the_config_listens_on() -> None:
    webhook = Config(telegram=Telegram(mode="webhook", listen="0.0.0.0", port=8443))
    assert health_url(webhook) == "http://127.0.0.1:8443/healthz"
    polling = Config(monitoring=Monitoring(listen="0.0.0.0", port=9090))
    assert health_url(polling) == "http://127.0.0.1:9090/healthz"
    assert health_url(Config()) is None
