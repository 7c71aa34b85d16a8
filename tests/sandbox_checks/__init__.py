"""The monday sandbox itself (tests/sandbox/), as a client sees it over HTTP."""
