"""Repositories own every query; services and actors call them instead of building SQL themselves.

One style: `XRepository(session)`, one method per query or write. Module-level functions are only for changing a row
already loaded and locked (no I/O: `evaluations.store_ready`, `reports.finish_interview`) and for the Redis counters
next to the rows (`expressions.count`).
"""
