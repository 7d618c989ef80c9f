"""Atomic publishing of a month's site, the site index, manifests and file hashes.

A month is built in a staging folder beside its target (same file system, so renames
are atomic) and swapped in only when the whole build succeeded::

    with publish_month(Path("reports"), "2020-05") as staging:
        build_everything_into(staging)
    # reports/2020-05 is now the new site; on an exception it is untouched

A lock file per month makes a second concurrent build of the same month fail at once
with :class:`ReportLocked`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import html
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from fivecolor.data.files import file_sha256
from fivecolor.params import PERIOD_PATTERN as _PERIOD_TEXT
from fivecolor.site.outputs import atomic_write_text

__all__ = [
    "PERIOD_PATTERN",
    "VARIANTS",
    "ReportLocked",
    "file_sha256",
    "month_folder",
    "publish_month",
    "published_periods",
    "write_site_index",
]

PERIOD_PATTERN = re.compile(_PERIOD_TEXT)


class ReportLocked(RuntimeError):
    """Another process is building the same month right now."""


def _check_period(period: str) -> None:
    if not PERIOD_PATTERN.match(period):
        raise ValueError(f"period {period!r} is not YYYY-MM")


@contextlib.contextmanager
def _month_lock(reports_dir: Path, period: str) -> Iterator[None]:
    lock_path = reports_dir / f".{period}.lock"
    # closing the file releases the lock; the file stays, harmless and reusable
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise ReportLocked(
                    f"the report for {period} is being built by another process "
                    f"(lock {lock_path}); try again when it has finished"
                ) from None
            raise
        yield


def _swap_in(staging: Path, target: Path, keep_old_as: Path | None = None) -> None:
    """Replace ``target`` by ``staging``; on failure put the old ``target`` back.

    The old month's ``variants/`` move into the new one (they belong to the period, not to
    one build of it); the rest of the old month is removed, or kept as ``keep_old_as``.
    """
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{secrets.token_hex(4)}")
        os.rename(target, old)
    try:
        os.rename(staging, target)
    except BaseException:
        if old is not None:
            os.rename(old, target)
        raise
    if old is None:
        return
    if (old / VARIANTS).is_dir() and not (target / VARIANTS).exists():
        os.rename(old / VARIANTS, target / VARIANTS)
    if keep_old_as is not None:
        os.rename(old, keep_old_as)
    else:
        shutil.rmtree(old, ignore_errors=True)


def _recover(reports_dir: Path, period: str) -> None:
    """Undo what a run killed outright (SIGKILL, power loss) left behind; called under the lock.

    A kill between the two renames of :func:`_swap_in` leaves the month only as
    ``.<period>.old-*``: put it back. Leftover staging and old folders are then removed.
    """
    target = reports_dir / period
    olds = sorted(
        reports_dir.glob(f".{period}.old-*"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    if not target.exists() and olds:
        os.rename(olds.pop(0), target)
    for leftover in [*olds, *reports_dir.glob(f".{period}.staging-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


#: A month's variants live in ``<period>/variants/<name>/``: not the official publication.
VARIANTS = "variants"
VARIANT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def month_folder(reports_dir: Path, period: str, variant: str | None = None) -> Path:
    """Where a month (or one of its variants) is published."""
    month = Path(reports_dir) / period
    return month if variant is None else month / VARIANTS / variant


@contextlib.contextmanager
def publish_month(
    reports_dir: Path,
    period: str,
    *,
    variant: str | None = None,
    keep_old_as: Path | None = None,
) -> Iterator[Path]:
    """Build a month in a staging folder and publish it atomically on success.

    Parameters
    ----------
    reports_dir
        The site root, e.g. ``reports``; created if missing.
    period
        ``YYYY-MM``; the month is published as ``reports_dir / period``.
    variant
        Publish as ``reports_dir/<period>/variants/<variant>`` instead; the official month's
        files are not touched.
    keep_old_as
        Keep the month this replaces under this path instead of removing it.

    Yields
    ------
    Path
        An empty staging folder ``reports_dir/.<period>.staging-<random>``.

    Raises
    ------
    ReportLocked
        When another process holds this month's lock (raised before anything is built).
    """
    _check_period(period)
    if variant is not None and not VARIANT_PATTERN.match(variant):
        raise ValueError(f"variant name {variant!r} is not letters, digits, '_', '.' or '-'")
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    target = month_folder(reports_dir, period, variant)
    # one lock per period: the official month and its variants are never built at once
    with _month_lock(reports_dir, period):
        _recover(target.parent, target.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a published site is readable
        try:
            yield staging
            _swap_in(staging, target, keep_old_as)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def published_periods(reports_dir: Path) -> list[str]:
    """The published months under ``reports_dir``, newest first."""
    reports_dir = Path(reports_dir)
    if not reports_dir.is_dir():
        return []
    # a folder holding only variants (the official month not published yet) is not a month
    periods = [
        p.name
        for p in reports_dir.iterdir()
        if p.is_dir() and PERIOD_PATTERN.match(p.name) and (p / "index.html").is_file()
    ]
    return sorted(periods, reverse=True)


def write_site_index(reports_dir: Path, title: str, language: str = "en") -> Path:
    """Write ``reports_dir/index.html`` listing every published month, newest first.

    Each month links to ``<period>/index.html``. Styles come from ``assets/``.
    """
    from fivecolor.site.navigation import write_months_script
    from fivecolor.site.render import render_page
    from fivecolor.views.text import LANGUAGES, text

    reports_dir = Path(reports_dir)
    index_language = language if language in LANGUAGES else "en"  # no catalogue language: English
    periods = published_periods(reports_dir)
    if periods:
        items = "\n".join(
            f'<li><a href="{html.escape(p, quote=True)}/index.html">{html.escape(p)}</a></li>'
            for p in periods
        )
        listing = f'<ul class="fc-months">\n{items}\n</ul>'
    else:
        listing = f'<p class="fc-muted">{html.escape(text("index.none", index_language))}</p>'
    heading = html.escape(text("index.months", index_language))
    body = f"<h1>{html.escape(title)}</h1>\n<h2>{heading}</h2>\n{listing}"
    path = reports_dir / "index.html"
    atomic_write_text(path, render_page(title, body, "assets", language=language))
    write_months_script(reports_dir, periods)
    return path
