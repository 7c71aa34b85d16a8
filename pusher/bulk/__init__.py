"""Large waves as monday's asynchronous jobs (imports, bulk archive and delete).

- ``wave``: ``BulkWave``: which rows of a board and group go as a job, and sending them.
- ``files``: outbox rows as an import CSV (``build_job``, ``Unit``, ``Job``) and its report.
- ``jobs``: ``JobApi``: start, upload, poll and fetch a job, one call each.
- ``labels``: ``Labels``: status and dropdown labels a job needs, made first by mutation.
- ``settle``: a finished (or lost) job as push-log outcomes.
- ``recover``: ``recover``: jobs an earlier run left open, settled before anything is sent.
- ``removals``: ``Removals``: archive and delete waves as jobs.
- ``wave_state``: monday's job limits and what a run keeps of its jobs (``JobTally``, ``WaveState``).
"""
