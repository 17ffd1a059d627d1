"""Stable hashes for ids and shard assignment.

Python's ``hash()`` is salted per process and polars' ``.hash()`` may change between releases,
so neither may be stored or compared across runs. blake2b is in the standard library, fast
enough for one call per document or file, and gives the same bytes on every machine.
"""

from __future__ import annotations

import hashlib


def stable_hex(*parts: str, digest_size: int = 8) -> str:
    """Hex blake2b digest of ``parts``, joined with NUL so ("ab", "c") != ("a", "bc")."""
    joined = "\x00".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(joined, digest_size=digest_size).hexdigest()


def stable_bucket(key: str, n_buckets: int) -> int:
    """A bucket in ``range(n_buckets)`` for ``key``, identical on every machine and run."""
    if n_buckets < 1:
        raise ValueError("n_buckets must be at least 1")
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % n_buckets


def file_digest(data: bytes) -> str:
    """Content hash of a raw input file (used in the run id and the manifest)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()
