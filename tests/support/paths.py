"""The repository and the files the tests read, as one set of constants (a test's own depth in
tests/ never matters)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"
MONDAY_YML = REPO / "monday.yml"
PROFILES_EXAMPLE = REPO / "profiles.example.yml"
GOLDEN = REPO / "tests" / "golden" / "payloads.yml"
