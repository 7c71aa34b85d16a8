"""monday.com, and nothing else: the one place a request to monday is built, paced and sent.

- ``client``: ``MondayClient`` (GraphQL over HTTP, the token from ``MONDAY_API_TOKEN`` only) and
  monday's error shapes as exceptions (``ClientError``, ``Transient``, ``RateLimited``,
  ``Rejected``, ``AuthFailed``), ``Response``, ``idempotency_key``, ``say_redacted``.
- ``pacing``: ``Pacer`` (the account's complexity budget and request rate).
- ``templates``: the Jinja GraphQL documents in ``graphql/`` (``render``, ``template_dir``).
- ``operations``: outbox rows as monday operations: ``Op``, ``Request``, ``Outcome``, ``build``,
  ``outcomes``, ``diff_values``.

Knows nothing of the database, the push log or a run: ``pusher.store`` and everything above
are out of its reach (pyproject.toml, ``[tool.importlinter]``).
"""
