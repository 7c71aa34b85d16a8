"""Tests of pusher.config."""
