"""Broadsheet's benchmarks (see bench/README.md). A package so that the bench-only
settings module can be imported as ``bench.bench_settings``."""
