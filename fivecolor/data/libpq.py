"""libpq's own messages routed to the logger instead of the terminal.

While connecting, libpq (PostgreSQL's client library) writes some warnings straight to the
process's standard error, before the driver can take them: a password file others may read,
a notice the server sends during the handshake. Around a connection attempt, file descriptor
2 points at a temporary file; what libpq wrote there is logged (``fivecolor.libpq``, level
INFO), so a failed connection is said in the CLI's one line and a good one prints nothing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
from collections.abc import Iterator

__all__ = ["libpq_messages_logged"]

logger = logging.getLogger("fivecolor.libpq")


@contextlib.contextmanager
def libpq_messages_logged() -> Iterator[None]:
    """Catch what C code writes to standard error meanwhile, and log it line by line."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with tempfile.TemporaryFile() as caught:
            os.dup2(caught.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
                caught.seek(0)
                for line in caught.read().decode("utf-8", errors="replace").splitlines():
                    if line.strip():
                        logger.info("%s", line.strip())
    finally:
        os.close(saved)
