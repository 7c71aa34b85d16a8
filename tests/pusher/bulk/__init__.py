"""Tests of pusher.bulk."""
