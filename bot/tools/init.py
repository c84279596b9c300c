"""`hrbot init DIR`: a service's own folder, with a commented config, ready to fill.

The folder lives outside the installed package, so upgrading the bot keeps the service's
answers, services and numbers (bot/content/layers.py layers it over the bundled content).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from bot.config_problems import country_problem

SKELETON = "skeleton"


class InitError(Exception):
    """The folder can't be made; the message says why and what to do."""


def make_folder(folder: Path, country: str | None = None, operator: str | None = None) -> Path:
    """Make `folder` with config.yaml and content/ (en/, services/, alerts/, READMEs);
    return it."""
    problem = country_problem(country) if country is not None else None
    if problem is not None:
        raise InitError(f"--country: {problem}")
    config = folder / "config.yaml"
    if config.exists():
        raise InitError(f"{config} already exists; edit it, or choose another folder")
    skeleton = files("bot.tools").joinpath(SKELETON)
    content = folder / "content"
    try:
        for sub in ("en", "services", "alerts"):
            (content / sub).mkdir(parents=True, exist_ok=True)
        text = skeleton.joinpath("config.yaml").read_text(encoding="utf-8")
        config.write_text(
            text.format(
                country=country.upper() if country else "null",
                operator=_yaml_string(operator) if operator else "null",
                operator_or_service=operator or "this service",
            ),
            encoding="utf-8",
        )
        readme = content / "README.md"
        if not readme.exists():
            readme.write_text(skeleton.joinpath("README.md").read_text(encoding="utf-8"))
        alerts = content / "alerts" / "README.md"  # how to write an alert (not one itself)
        if not alerts.exists():
            alerts.write_text(skeleton.joinpath("alerts-README.md").read_text(encoding="utf-8"))
    except OSError as exc:
        raise InitError(f"{folder}: cannot be written ({exc.strerror})") from None
    return folder


def _yaml_string(value: str) -> str:
    """A double-quoted YAML string, so a name like "Drugs: Info & Help" stays one value."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
