"""Benchmark corpus generator and timing harness (``make bench``)."""
