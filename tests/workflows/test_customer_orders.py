"""The Kestra flow (workflows/customer-orders.yml): scheduled every 4 hours, dbt build before the
pushes, one pusher per customer in parallel with retries, a failure notification, no inline secret."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from pusher.commands.cli import build_parser
from tests.support.paths import REPO

FLOW = REPO / "workflows" / "customer-orders.yml"


@pytest.fixture(scope="module")
def flow() -> dict[str, Any]:
    return yaml.safe_load(FLOW.read_text(encoding="utf-8"))


def _walk(node: Any) -> list[Any]:
    out = [node]
    if isinstance(node, dict):
        for v in node.values():
            out += _walk(v)
    elif isinstance(node, list):
        for v in node:
            out += _walk(v)
    return out


def test_identity(flow: dict[str, Any]) -> None:
    assert flow["id"] == "customer-orders"
    assert re.fullmatch(r"[a-z0-9_.-]+", flow["namespace"]) and "." in flow["namespace"]
    assert "4 hours" in flow["description"]


def test_scheduled_every_four_hours(flow: dict[str, Any]) -> None:
    (trigger,) = flow["triggers"]
    assert trigger["type"] == "io.kestra.plugin.core.trigger.Schedule"
    assert trigger["cron"] == "0 */4 * * *"


def test_dbt_build_runs_before_the_parallel_pushes(flow: dict[str, Any]) -> None:
    tasks = flow["tasks"]
    commands = [" ".join(t.get("commands") or []) for t in tasks]
    build = next(i for i, c in enumerate(commands) if "dbt build" in c)
    loop = next(i for i, t in enumerate(tasks) if t["type"] == "io.kestra.plugin.core.flow.ForEach")
    assert build < loop
    each = tasks[loop]
    # customers share the account's budget: a few at a time, never unbounded (0)
    assert 1 <= each["concurrencyLimit"] <= 4
    # an execution never overlaps the previous one: the next one queues
    assert flow["concurrency"] == {"limit": 1, "behavior": "QUEUE"}
    assert "inputs.customers" in each["values"]
    inputs = {i["id"]: i for i in flow["inputs"]}
    assert inputs["customers"]["type"] == "ARRAY" and inputs["customers"]["defaults"]
    (push,) = each["tasks"]
    assert push["type"].startswith("io.kestra.plugin.scripts.")
    command = " ".join(push["commands"])
    assert 'python -m pusher --customer "{{ taskrun.value }}"' in command
    # every flag the flow passes exists on the CLI
    args = command.split("python -m pusher", 1)[1].replace('"{{ taskrun.value }}"', "X").split()
    build_parser().parse_args(args)


def test_the_push_log_is_compacted_once_a_day_after_the_pushes(flow: dict[str, Any]) -> None:
    from pusher.commands.compact import build_parser as compact_parser

    names = [t["id"] for t in flow["tasks"]]
    daily = flow["tasks"][names.index("daily_compaction")]
    assert names.index("daily_compaction") > names.index("push_customers")
    assert daily["type"] == "io.kestra.plugin.core.flow.If"
    assert "date('HH', timeZone='UTC') == '00'" in daily["condition"]  # one of the six runs a day
    (task,) = daily["then"]
    command = " ".join(task["commands"])
    assert "python -m pusher compact" in command
    compact_parser().parse_args(command.split("python -m pusher compact", 1)[1].split())
    assert task["retry"]["maxAttempt"] >= 2 and task["timeout"].startswith("PT")


def test_retries_and_timeouts(flow: dict[str, Any]) -> None:
    each = next(t for t in flow["tasks"] if t["type"].endswith("ForEach"))
    for task in [flow["tasks"][0], *each["tasks"]]:
        assert task["retry"]["maxAttempt"] >= 2 and task["retry"]["type"] in ("constant", "exponential")
        assert task["timeout"].startswith("PT")


def test_failure_notification(flow: dict[str, Any]) -> None:
    (notify,) = flow["errors"]
    assert notify["type"].startswith("io.kestra.plugin.notifications.")
    assert notify["url"] == "{{ secret('SLACK_WEBHOOK_URL') }}"
    assert "execution.id" in notify["payload"]


def test_secrets_only_through_kestra_secrets(flow: dict[str, Any]) -> None:
    env = flow["pluginDefaults"][0]["values"]["env"]
    for name in ("MONDAY_API_TOKEN", "ORDER_SYNC_SQLSERVER_PASSWORD"):
        assert env[name] == f"{{{{ secret('{name}') }}}}"
    secretish = re.compile(r"token|password|secret|webhook|key", re.I)
    for node in _walk(flow):
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str) and secretish.search(str(key)):
                    assert "secret(" in value, (key, value)
    text = FLOW.read_text(encoding="utf-8")
    assert "hooks.slack.com" not in text and not re.search(r"eyJ[A-Za-z0-9_-]{20,}", text)
