"""Tests of pusher.sync."""
