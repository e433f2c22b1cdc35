"""The demo programme: invented organisations, curricula, sessions, people,
screening and certificates for `make run`, the browser tests and the
benchmarks (`flask seed-demo`)."""

from training.demo.builder import database_is_empty, demo_counts, seed_demo, tables_holding_data

__all__ = ["database_is_empty", "demo_counts", "seed_demo", "tables_holding_data"]
