"""Atomic publishing of a month's site, the site index, manifests and file hashes.

A month is built in a staging folder beside its target (same file system) and swapped in
only when the whole build succeeded::

    with publish_month(Path("reports"), "2020-05") as staging:
        build_everything_into(staging)
    # reports/2020-05 is now the new site; on an exception it is untouched

The swap is one step: on Linux the staging folder and the month exchange names
(``renameat2`` with ``RENAME_EXCHANGE``), so a reader finds the old month or the new one,
never neither; the first publication of a month is a single rename. Where the system cannot
exchange, two renames are used and a kill between them is undone by the next run.

A lock file per month makes a second concurrent build of the same month fail at once
with :class:`ReportLocked`. Inside ``reports/`` nothing the tool did not make is followed:
a symbolic link where a month, its variants, ``_failed`` or ``assets`` belong is refused in
one line, and a link under the tool's own hidden names (the lock, staging and old folders)
is removed itself, never its target.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import functools
import html
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from fivecolor.data.digest import file_sha256
from fivecolor.errors import InputError
from fivecolor.params import PERIOD_PATTERN as _PERIOD_TEXT
from fivecolor.site.outputs import atomic_write_text

__all__ = [
    "PERIOD_PATTERN",
    "VARIANTS",
    "ReportLocked",
    "check_site_folder",
    "exchange_folders",
    "file_sha256",
    "month_folder",
    "publish_month",
    "published_periods",
    "write_site_index",
]

PERIOD_PATTERN = re.compile(_PERIOD_TEXT)

#: Where a failed report keeps its executed notebooks, and the site's shared scripts and styles.
FAILED, ASSETS = "_failed", "assets"
#: The newest month's pages (:mod:`fivecolor.site.latest`), rewritten after every publication.
LATEST = "latest"
LATEST_FILES = (f"{LATEST}/index.html", f"{LATEST}/widget.html")


class ReportLocked(RuntimeError):
    """Another process is building the same month right now."""


def _check_period(period: str) -> None:
    if not PERIOD_PATTERN.match(period):
        raise ValueError(f"period {period!r} is not YYYY-MM")


def check_site_folder(reports_dir: Path) -> None:
    """Refuse (:class:`InputError`) a site folder that is a month's folder or lies inside one.

    ``--out`` names the folder holding the months (``reports``); given ``reports/2020-05``,
    the site index would replace that month's own ``index.html``.
    """
    reports_dir = Path(reports_dir)
    inside = next(
        (
            folder
            for folder in [reports_dir, *reports_dir.absolute().parents]
            if PERIOD_PATTERN.match(folder.name) and (folder / "manifest.json").is_file()
        ),
        None,
    )
    if inside is not None and inside != reports_dir:
        raise InputError(
            reports_dir,
            "",
            f"lies inside the published month {inside}; give the site folder that holds the "
            f"months (e.g. {inside.parent}), so no published page is overwritten",
        )
    if PERIOD_PATTERN.match(reports_dir.name):
        raise InputError(
            reports_dir,
            "",
            "is a month's folder (named YYYY-MM); give the site folder that holds the months "
            f"(e.g. {reports_dir.parent}), so no published month is overwritten",
        )


def refuse_links(reports_dir: Path, *names: str) -> None:
    """Refuse, in one line, a symbolic link at ``reports_dir / name`` (or on the way to it):
    the tool never made one there, and writing or removing through it would reach another folder."""
    for name in names:
        path = Path(reports_dir)
        for part in Path(name).parts:
            path = path / part
            if path.is_symlink():
                raise InputError(
                    path,
                    "",
                    "is a symbolic link, which fivecolor did not make and does not follow "
                    "inside the site folder; remove the link (its target is left alone)",
                )


def _remove(path: Path) -> None:
    """Remove a leftover folder; a link is removed itself, never its target."""
    if path.is_symlink() or not path.is_dir():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _month_lock(reports_dir: Path, period: str) -> Iterator[None]:
    lock_path = reports_dir / f".{period}.lock"
    if lock_path.is_symlink():  # never the tool's: opening it would create or lock its target
        lock_path.unlink()
    # closing the file releases the lock; the file stays, harmless and reusable
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a link made again since: still not followed
            refuse_links(reports_dir, lock_path.name)
        raise
    with os.fdopen(fd, "a+") as handle:
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


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@functools.cache
def _renameat2():
    """libc's ``renameat2`` (Linux, glibc 2.28 and later), or ``None``."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    function.argtypes += [ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def exchange_folders(a: Path, b: Path) -> bool:
    """Swap the names of two existing paths in one step; ``False`` where the system or the file
    system cannot (then nothing was changed)."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), os.fspath(a), None, os.fspath(b))


def _swap_in(staging: Path, target: Path) -> Path | None:
    """Put ``staging`` in ``target``'s place in one step; return where the replaced month now is
    (``None`` on a first publication). On failure ``target`` is as it was."""
    if not os.path.lexists(target):
        os.rename(staging, target)
        return None
    if exchange_folders(staging, target):
        return staging  # the replaced month, under the staging name until it is retired
    # no exchange here: two renames, and a kill between them is undone by _recover
    old = target.with_name(f".{target.name}.old-{secrets.token_hex(4)}")
    os.rename(target, old)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(old, target)
        raise
    return old


def _keep_variants(old: Path, target: Path) -> None:
    """The variants of a replaced month move into the new one: they belong to the period, not to
    one build of it."""
    variants = old / VARIANTS
    if (
        variants.is_dir()
        and not variants.is_symlink()
        and target.is_dir()
        and not os.path.lexists(target / VARIANTS)
    ):
        os.rename(variants, target / VARIANTS)


def _retire(old: Path, target: Path, keep_old_as: Path | None) -> None:
    """After the swap: keep the old month's variants, then remove the rest (or keep it aside)."""
    _keep_variants(old, target)
    if keep_old_as is not None:
        os.rename(old, keep_old_as)
    else:
        _remove(old)


def _recover(reports_dir: Path, period: str) -> None:
    """Undo what a run killed outright (SIGKILL, power loss) left behind; called under the lock.

    A kill between the two renames of the fallback swap leaves the month only as
    ``.<period>.old-*``: put it back. A kill after the swap leaves the replaced month beside
    the new one: its variants move into the new month. Leftover staging and old folders are
    then removed; a link under these names is removed itself, never followed.
    """
    target = reports_dir / period
    leftovers = [
        p
        for p in reports_dir.glob(f".{period}.*")
        if p.name.startswith((f".{period}.old-", f".{period}.staging-"))
    ]
    for link in [p for p in leftovers if p.is_symlink()]:
        link.unlink()
        leftovers.remove(link)
    olds = sorted(
        (p for p in leftovers if ".old-" in p.name),
        key=lambda p: p.lstat().st_mtime,
        reverse=True,
    )
    if not os.path.lexists(target) and olds:
        os.rename(olds[0], target)
        leftovers.remove(olds[0])
    for leftover in leftovers:
        _keep_variants(leftover, target)
        _remove(leftover)


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
    InputError
        When a symbolic link stands where the month, its ``_failed`` copy or the assets go.
    """
    _check_period(period)
    if variant is not None and not VARIANT_PATTERN.match(variant):
        raise ValueError(f"variant name {variant!r} is not letters, digits, '_', '.' or '-'")
    reports_dir = Path(reports_dir)
    target = month_folder(reports_dir, period, variant)
    month = target.relative_to(reports_dir).as_posix()
    refuse_links(reports_dir, month, f"{FAILED}/{month}", ASSETS, LATEST, *LATEST_FILES)
    reports_dir.mkdir(parents=True, exist_ok=True)
    # one lock per period: the official month and its variants are never built at once
    with _month_lock(reports_dir, period):
        _recover(target.parent, target.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a published site is readable
        try:
            yield staging
            old = _swap_in(staging, target)
        except BaseException:
            _remove(staging)
            raise
        if old is not None:
            _retire(old, target, keep_old_as)


def published_periods(reports_dir: Path) -> list[str]:
    """The published months under ``reports_dir``, newest first."""
    reports_dir = Path(reports_dir)
    if not reports_dir.is_dir():
        return []
    # a folder holding only variants (the official month not published yet) is not a month
    periods = [
        p.name
        for p in reports_dir.iterdir()
        if PERIOD_PATTERN.match(p.name)
        and not p.is_symlink()  # a link to another site's month is not published here
        and (p / "index.html").is_file()
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
