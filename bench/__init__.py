"""Benchmarks: run by `make bench` (`python -m bench`), each prints its figures and its verdict."""
