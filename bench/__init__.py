"""Benchmarks against coordination-network-toolkit: `python -m bench` (see docs/benchmarks.md)."""
