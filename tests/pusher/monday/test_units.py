"""pusher.monday on its own (no sandbox, no network): the client's headers, redaction and
response classes, operations' diffs and per-alias outcomes, the Pacer."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from pusher.errors import EXIT_LIMIT, ConfigError, LimitStop
from pusher.monday.client import MondayClient, RateLimited, Rejected, Transient, idempotency_key
from pusher.monday.operations import Request, diff_values, outcomes
from pusher.monday.pacing import Pacer

TOKEN = "tok-UNIT-0c0ffee"


# ------------------------------------------------------------------ client
class FakeSession(requests.Session):
    def __init__(self, responses: list[Any]) -> None:
        super().__init__()
        self.responses = responses
        self.calls: list[dict[str, Any]] = []

    def post(self, url: Any, **kw: Any) -> requests.Response:  # type: ignore[override]
        self.calls.append(kw)
        item = self.responses.pop(0)
        if isinstance(item, Exception):
            raise item
        status, body, headers = item
        resp = requests.Response()
        resp.status_code = status
        resp._content = body if isinstance(body, bytes) else json.dumps(body).encode()
        resp.headers.update(headers)
        return resp


def client_with(*responses: Any) -> tuple[MondayClient, FakeSession]:
    session = FakeSession(list(responses))
    return MondayClient("https://api.example/v2", "2026-10", token=TOKEN, session=session), session


def test_headers_timeout_and_idempotency_key() -> None:
    client, session = client_with((200, {"data": {"i0": {"id": "1"}}}, {}), (200, {"data": {"me": None}}, {}))
    client.execute(
        "mutation M($n: String!) { i0: create_item(board_id: 1, item_name: $n) { id } }",
        {"n": "x"},
        mutation=True,
    )
    client.execute("query { me { id } }", {}, mutation=False)
    mut, query = session.calls
    assert mut["headers"]["Authorization"] == TOKEN and mut["headers"]["API-Version"] == "2026-10"
    assert (
        mut["headers"]["Idempotency-Key"] == idempotency_key(mut["json"]) and len(idempotency_key({})) == 64
    )
    assert "Idempotency-Key" not in query["headers"]
    assert mut["timeout"] == (10.0, 300.0) and mut["verify"] is True and client.http_calls == 2
    assert idempotency_key({"query": "q", "variables": {"a": 1, "b": 2}}) == idempotency_key(
        {"variables": {"b": 2, "a": 1}, "query": "q"}
    )


def test_token_is_redacted_everywhere() -> None:
    leak = requests.ConnectionError(f"failed for https://x/?token={TOKEN}")
    client, _ = client_with(leak, (400, {"errors": [{"message": f"bad token {TOKEN}"}]}, {}))
    with pytest.raises(Transient) as err:
        client.execute("query { me { id } }", {}, mutation=False)
    assert TOKEN not in str(err.value) and "[REDACTED]" in str(err.value)
    with pytest.raises(Rejected) as rej:
        client.execute("query { me { id } }", {}, mutation=False)
    assert TOKEN not in str(rej.value)
    assert TOKEN not in repr(client) and TOKEN not in str(vars(client).get("url"))
    with pytest.raises(ConfigError, match="MONDAY_API_TOKEN"):
        MondayClient("https://api.example/v2", "2026-10", token="")


def test_response_classification() -> None:
    limit = {
        "errors": [
            {
                "message": "slow down",
                "extensions": {"code": "COMPLEXITY_BUDGET_EXHAUSTED", "retry_in_seconds": 12},
            }
        ]
    }
    client, _ = client_with(
        (429, limit, {"Retry-After": "30"}),
        (
            429,
            {"errors": [{"message": "x", "extensions": {"code": "MINUTE_RATE_LIMIT_EXCEEDED"}}]},
            {"Retry-After": "9"},
        ),
        (500, {"errors": [{"message": "boom"}]}, {}),
        (502, b"<html>bad gateway</html>", {}),
        (200, b'{"data": {"i0": ', {}),
        (409, {"errors": [{"message": "in flight", "extensions": {"code": "IDEMPOTENCY_CONFLICT"}}]}, {}),
        (
            200,
            {"data": None, "errors": [{"message": "max", "extensions": {"code": "maxComplexityExceeded"}}]},
            {},
        ),
    )

    def run() -> None:
        client.execute("mutation { complexity { query } }", {}, mutation=True)

    with pytest.raises(RateLimited) as rl:
        run()
    assert (rl.value.code, rl.value.retry_in) == ("COMPLEXITY_BUDGET_EXHAUSTED", 12)
    with pytest.raises(RateLimited) as rl:
        run()
    assert rl.value.retry_in == 9
    for code in ("HTTP_500", "HTTP_502", "INVALID_RESPONSE", "IDEMPOTENCY_CONFLICT"):
        with pytest.raises(Transient) as tr:
            run()
        assert tr.value.code == code
    with pytest.raises(Rejected, match="maxComplexityExceeded"):
        run()


# -------------------------------------------------------------- operations
def test_diff_values_only_changed_keys() -> None:
    old = json.dumps({"a": "1", "d": {"date": "2026-01-01"}, "gone": "x"})
    new = json.dumps({"a": "1", "d": {"date": "2026-02-01"}, "n": None, "b": "2"})
    assert diff_values(new, old) == {"d": {"date": "2026-02-01"}, "n": None, "b": "2"}
    assert diff_values(new, None) == json.loads(new)


def test_outcomes_per_alias() -> None:
    request = Request("update_items", "", {}, [("u0",), ("u1", "m1"), ("u2",), ("u3",), ()])
    data = {"u0": {"id": "10"}, "u1": {"id": "11"}, "m1": None, "u2": None, "u3": {"id": "13"}}
    errors = [{"message": "bad date", "path": ["m1"], "extensions": {"code": "InvalidGroupIdException"}}]
    res = outcomes(request, data, errors)
    assert [r.status for r in res] == ["ok", "error", "unknown", "ok", "ok"]
    assert res[1].error_code == "InvalidGroupIdException" and res[0].monday_id == "10"


# ------------------------------------------------------------------ pacing
def test_pacer_sizes_batches_and_waits_for_the_budget() -> None:
    slept: list[float] = []
    now = [0.0]
    pacer = Pacer(sleep=lambda s: (slept.append(s), now.__setitem__(0, now[0] + s)), clock=lambda: now[0])
    assert pacer.batch_size() == 450 and pacer.batch_size(100) == 100  # 5M * 0.9 / 10k
    pacer.observe({"before": 1_000_000, "after": 900_000, "query": 100_000, "reset_in_x_seconds": 40}, 10)
    assert pacer.budget == 1_000_000 and pacer.batch_size() == 90
    pacer.before_request(pacer.estimate(10))  # 100k fits in 900k: no wait
    assert slept == []
    pacer.observe({"before": 900_000, "after": 50_000, "query": 850_000, "reset_in_x_seconds": 30}, 85)
    pacer.before_request(pacer.estimate(10))
    assert slept and 29 < slept[0] <= 31  # waited for the reset instead of drawing a 429


def test_pacer_429_handling() -> None:
    slept: list[float] = []
    pacer = Pacer(sleep=slept.append, max_wait=100)
    pacer.rate_limited("MINUTE_RATE_LIMIT_EXCEEDED", 20)
    pacer.rate_limited("MAX_CONCURRENCY_EXCEEDED", None)
    assert slept[0] == 20 and pacer.waited == sum(slept)
    with pytest.raises(LimitStop, match="daily"):
        pacer.rate_limited("DAILY_LIMIT_EXCEEDED", 3600)
    with pytest.raises(LimitStop, match="more than 100s"):
        pacer.rate_limited("COMPLEXITY_BUDGET_EXHAUSTED", 90)
    assert LimitStop.exit_code == EXIT_LIMIT
