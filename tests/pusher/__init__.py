"""The pusher, layer by layer as pusher/ is (docs/ARCHITECTURE.md): config, store, monday, run,
boards, bulk, sync. A hand-written outbox (tests/pusher/harness.py) and the monday sandbox."""
