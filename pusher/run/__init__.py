"""What every step of one run shares, and the one way a batch of operations reaches monday.

- ``context``: ``RunContext`` (settings, database, push log, sender, summary, progress, clock),
  made once per run and passed down.
- ``sender``: ``Sender``: log intents, call monday, log outcomes, retry; ``group_hash``.
- ``replay``: ``Replayer``: an interrupted request resent exactly, under its own key.
- ``summary``: ``Summary``, ``RowError``, ``Plan``: what a run did, counted.
- ``progress``: ``Progress``, the bar (or plain lines) of a long push.
"""
