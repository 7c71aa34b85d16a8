"""The image the Kestra flow runs (Dockerfile): no container engine runs here, so what can go out of
step is held by reading the file: its system packages are the ones CI installs, its Python is one
pyproject.toml allows, it runs as a user, and it copies everything the pusher and dbt read."""

from __future__ import annotations

import re
import shlex

from tests.support.paths import REPO

DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")


def _apt_packages(text: str) -> set[str]:
    """Package names of every `apt-get install` in shell text (line continuations joined)."""
    joined = text.replace("\\\n", " ")
    found: set[str] = set()
    for m in re.finditer(r"apt-get install ([^&;|\n]*)", joined):
        found |= {
            w for w in shlex.split(m.group(1)) if not w.startswith("-") and "$" not in w and w != ">/dev/null"
        }
    return found


def test_the_image_installs_the_system_packages_ci_installs() -> None:
    ci = _apt_packages((REPO / ".ci" / "run").read_text(encoding="utf-8")) - {"python3-venv"}
    first_install = DOCKERFILE.split("RUN if")[0]  # the unconditional one; msodbc18 is a build option
    assert ci == {"unixodbc", "tdsodbc", "libltdl7"}
    assert _apt_packages(first_install) == ci


def test_the_images_python_is_one_pyproject_allows() -> None:
    (version,) = re.findall(r"^ARG PYTHON_VERSION=(\d+)\.(\d+)$", DOCKERFILE, flags=re.M)
    (requires,) = re.findall(
        r'^requires-python = "([^"]+)"$', (REPO / "pyproject.toml").read_text(), flags=re.M
    )
    low = re.fullmatch(r">=(\d+)\.(\d+)", requires)
    assert low, requires
    assert tuple(map(int, version)) >= tuple(map(int, low.groups()))
    assert "FROM python:${PYTHON_VERSION}-" in DOCKERFILE


def test_the_image_runs_as_a_user_and_keeps_dbt_target_on_a_volume() -> None:
    users = re.findall(r"^USER (\S+)$", DOCKERFILE, flags=re.M)
    assert users and users[-1] not in ("root", "0")
    assert 'VOLUME ["/app/dbt_project/target"]' in DOCKERFILE


def test_the_image_copies_what_the_pusher_and_dbt_read() -> None:
    copied = {
        part.rstrip("/")
        for line in re.findall(r"^COPY (.+)$", DOCKERFILE, flags=re.M)
        for part in line.split()[:-1]
    }
    for needed in (
        "pyproject.toml",
        "monday.yml",
        "profiles.example.yml",
        "pusher",
        "graphql",
        "dbt_project",
        "tools",
    ):
        assert needed in copied, needed
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    for needed in ("pusher/", "graphql/", "dbt_project/", "monday.yml"):
        assert f"!{needed}" in ignored, needed


def test_the_images_default_target_is_a_profile_output() -> None:
    import yaml

    (target,) = re.findall(r"^ARG ORDER_SYNC_TARGET=(\S+)$", DOCKERFILE, flags=re.M)
    outputs = yaml.safe_load((REPO / "profiles.example.yml").read_text())["order_sync"]["outputs"]
    assert target in outputs and "FreeTDS" in outputs[target]["driver"]
    assert "sqlserver" in outputs  # the msodbc18 build option's target
