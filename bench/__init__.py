"""Benchmarks (`make bench`): each module measures the project's path and its anchor side by side in one run."""
