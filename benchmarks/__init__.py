"""Benchmarks (run as modules, e.g. python -m benchmarks.linkage_quality)."""
