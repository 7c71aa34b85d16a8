"""The dbt half on its own: generated macros, models and data tests on DuckDB, the outbox and its
delta, the T-SQL build (golden payloads, transpiled cross-check) and the at-scale SQL."""
