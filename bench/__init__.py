"""Benchmarks: speed is measured here, never in tests. `make bench` runs every module."""
