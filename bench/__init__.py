"""Benchmarks (``make bench``): speed and memory targets, reported, never asserted in tests."""
