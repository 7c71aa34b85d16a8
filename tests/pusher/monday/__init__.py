"""Tests of pusher.monday."""
