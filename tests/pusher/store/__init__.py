"""Tests of pusher.store."""
