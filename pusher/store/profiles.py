"""Finding and rendering the dbt profiles file: profile ``order_sync`` → one target's settings.

The pusher reads the same profiles.yml as dbt (``$DBT_PROFILES_DIR/profiles.yml``, else
``./profiles.yml``, else ``./profiles.example.yml``) and renders its ``{{ env_var(...) }}`` calls
with jinja2, so dbt and the pusher always agree on where the outbox lives.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import yaml

from pusher.errors import ConfigError

PROFILE_NAME = "order_sync"


def find_profiles_file(profiles_dir: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    directory = profiles_dir or env.get("DBT_PROFILES_DIR")
    if directory:
        path = Path(directory) / "profiles.yml"
        if not path.is_file():
            raise ConfigError(f"no profiles.yml in {directory} (DBT_PROFILES_DIR / --profiles-dir)")
        return path
    for candidate in (Path("profiles.yml"), Path("profiles.example.yml")):
        if candidate.is_file():
            return candidate
    raise ConfigError("no profiles.yml found (set DBT_PROFILES_DIR or run from the project root)")


def _renderer(env: Mapping[str, str]) -> jinja2.Environment:
    def env_var(name: str, default: Any = None) -> str:
        if name in env:
            return env[name]
        if default is None:
            raise ConfigError(f"profiles.yml needs environment variable {name}, which is not set")
        return str(default)

    def as_bool(value: Any) -> bool:
        return str(value).strip().lower() in ("1", "true", "yes", "on")

    # Renders YAML scalars, not HTML: autoescaping would corrupt paths and passwords.
    jenv = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)  # noqa: S701
    jenv.globals["env_var"] = env_var
    jenv.filters.update(as_bool=as_bool, as_number=lambda v: v, as_text=str, as_native=lambda v: v)
    return jenv


def _render(node: Any, jenv: jinja2.Environment) -> Any:
    if isinstance(node, str) and ("{{" in node or "{%" in node):
        try:
            return jenv.from_string(node).render()
        except jinja2.TemplateError as exc:
            raise ConfigError(f"profiles.yml: cannot render {node!r}: {exc}") from None
    if isinstance(node, dict):
        return {k: _render(v, jenv) for k, v in node.items()}
    if isinstance(node, list):
        return [_render(v, jenv) for v in node]
    return node


def load_output(
    target: str | None = None, profiles_dir: str | None = None, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The rendered output (connection settings) of profile ``order_sync`` for ``target``."""
    env = os.environ if env is None else env
    path = find_profiles_file(profiles_dir, env)
    try:
        profiles = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    profile = profiles.get(PROFILE_NAME)
    if not isinstance(profile, dict):
        raise ConfigError(f"{path} has no profile {PROFILE_NAME!r}")
    jenv = _renderer(env)
    name = target or _render(profile.get("target"), jenv)
    outputs = profile.get("outputs") or {}
    if name not in outputs:
        raise ConfigError(f"profile {PROFILE_NAME!r} has no target {name!r} (have: {', '.join(outputs)})")
    output = _render(outputs[name], jenv)
    if not isinstance(output, dict) or "type" not in output:
        raise ConfigError(f"target {name!r} in {path} has no `type`")
    output["_target"] = name
    return output
