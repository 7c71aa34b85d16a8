"""The scheduler's flow (workflows/)."""
