"""SHA-256 of a file's bytes: an input's identity in the manifest, the snapshot and the reuse key.

A module of its own, without the table libraries, so that deciding whether a published month
can be reused (:mod:`fivecolor.site.reuse`) hashes the inputs without importing pandas.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path, chunk_size: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, for the manifest and input snapshots."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()
