"""Tests of pusher.run."""
