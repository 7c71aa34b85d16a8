"""Tests of pusher.boards."""
