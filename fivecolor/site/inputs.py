"""What a month is built from, in one layout: its inputs by role, their snapshot in ``inputs/``
(written when the month is published, read when it is rebuilt) and the bundle that carries
them to a Dask worker.

A snapshot folder holds a copy of each input named ``<role>-<file name>``
(``params-0-2020-05.yaml``, ``stations-stations.csv``, ``indicators-database.parquet`` for rows
pulled from a database) and ``inputs.json``, which gives for each role the copy's ``file``, the
``source`` it came from and its ``sha256`` (for database rows also the ``url`` without password,
the ``query`` or ``table`` and the ``period``). A bundle holds the data copies under the same
names and, in place of the parameter chain and the listing (which name paths of this machine),
the parameters as one self-contained ``params.yaml`` that reads them.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fivecolor.data.dataset import Dataset, Input
from fivecolor.data.files import file_sha256
from fivecolor.errors import InputError
from fivecolor.params import DATA_ROLES, Params, load_params
from fivecolor.site.outputs import atomic_write_text

__all__ = [
    "BUNDLE_PARAMS",
    "SNAPSHOT_DIR",
    "SNAPSHOT_LISTING",
    "Bundle",
    "input_files",
    "make_bundle",
    "manifest_inputs",
    "params_from_snapshot",
    "read_listing",
    "remove_bundles",
    "snapshot_file",
    "snapshot_inputs",
    "snapshot_name",
    "unpack_bundle",
]

#: The snapshot's folder in a published month, and its listing in that folder.
SNAPSHOT_DIR = "inputs"
SNAPSHOT_LISTING = "inputs.json"
#: The bundle's parameter file, relative to the folder a worker unpacks the bundle into.
BUNDLE_PARAMS = "params.yaml"


# -- the inputs ------------------------------------------------------------------------------
def input_files(params: Params, data: Dataset) -> dict[str, Input]:
    """Every input of the month by role: the parameter chain and the data.

    The chain is ``params/0`` (the named file), ``params/1`` (the file it extends) and so on;
    the data are the dataset's inputs as they were read (for a database table, the Parquet
    copy of the rows that were scored).
    """
    chain = {f"params/{i}": Input.of_file(Path(source)) for i, source in enumerate(params.sources)}
    return {**chain, **data.inputs}


def manifest_inputs(inputs: Mapping[str, Input]) -> dict[str, dict[str, str]]:
    """The manifest's ``inputs``: each role's origin (``path``, never with a password) and hash."""
    return {role: {"path": read.origin, "sha256": read.sha256} for role, read in inputs.items()}


def copy_name(read: Input) -> str:
    """The file name of an input's copy: its own, or ``database.parquet`` for rows from a database."""
    return "database.parquet" if read.database is not None else read.path.name


def snapshot_name(role: str, read: Input) -> str:
    """The name of an input's copy in a snapshot."""
    return f"{role.replace('/', '-')}-{copy_name(read)}"


# -- the snapshot ----------------------------------------------------------------------------
def snapshot_inputs(inputs: Mapping[str, Input], folder: Path) -> None:
    """Copy every input into ``folder`` with its hash, so the month can be rebuilt as it was."""
    folder.mkdir(parents=True, exist_ok=True)
    listing = {}
    for role, read in inputs.items():
        name = snapshot_name(role, read)
        shutil.copy2(read.path, folder / name)
        # rows from a database: say which, never with a password
        listing[role] = {
            "file": name,
            "source": read.origin,
            "sha256": read.sha256,
            **(read.database or {}),
        }
    atomic_write_text(
        folder / SNAPSHOT_LISTING,
        json.dumps(listing, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
    )


def read_listing(folder: Path) -> dict:
    """A snapshot's ``inputs.json`` (``FileNotFoundError`` when there is none)."""
    return json.loads((Path(folder) / SNAPSHOT_LISTING).read_text(encoding="utf-8"))


def snapshot_file(folder: Path, listing: dict, role: str) -> Path:
    """One snapshot copy, after checking its bytes still have the recorded hash."""
    entry = listing.get(role) if isinstance(listing, dict) else None
    if not isinstance(entry, dict) or not all(
        isinstance(entry.get(key), str) for key in ("file", "sha256")
    ):
        raise InputError(
            folder / SNAPSHOT_LISTING,
            role,
            "no file and sha256 recorded: the listing was edited, so the month cannot be "
            "rebuilt as it was",
        )
    path = folder / Path(entry["file"]).name  # a bare name: never outside the snapshot
    if not path.is_file():
        raise InputError(
            folder / SNAPSHOT_LISTING, role, f"the snapshot copy {path.name} is missing"
        )
    if file_sha256(path) != entry["sha256"]:
        raise InputError(
            path,
            "",
            f"its SHA-256 differs from the one recorded in {SNAPSHOT_LISTING} for {role}: "
            "the snapshot was edited after publishing, so the month cannot be rebuilt "
            "as it was",
        )
    return path


def params_from_snapshot(folder: Path, listing: dict, period: str) -> Params:
    """The month's parameters as its snapshot holds them, reading the snapshot's data.

    The snapshot's parameter chain is merged as :func:`fivecolor.params.load_params` merges
    it, ``data`` pointed at the snapshot's copies and ``period`` set to ``period``.

    Raises
    ------
    InputError
        A copy is missing or was edited, or the snapshot holds no parameter file.
    """
    folder = Path(folder)
    if not isinstance(listing, dict):
        raise InputError(folder / SNAPSHOT_LISTING, "", "not a listing of the snapshot's files")
    chain = sorted(
        (role for role in listing if re.fullmatch(r"params/[0-9]{1,3}", str(role))),
        key=lambda r: int(r.split("/")[1]),
    )
    if not chain:
        raise InputError(folder / SNAPSHOT_LISTING, "params/0", "no parameter file in the snapshot")
    files = [snapshot_file(folder, listing, role) for role in chain]
    data = {
        role: str(snapshot_file(folder, listing, role).resolve()) if role in listing else None
        for role in DATA_ROLES
    }
    return load_params(files, data=data, period=period)


# -- the bundle ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bundle:
    """A month's parameters and data as one zip, named by its SHA-256."""

    digest: str
    data: bytes = field(repr=False)


def make_bundle(params: Params, inputs: Mapping[str, Input]) -> Bundle:
    """Zip the parameters (one self-contained ``params.yaml``) with the data they read.

    The data are stored as ``<role>/<file name>`` and ``params.yaml`` names them by those
    relative paths, so the bundle unpacked anywhere reads the same numbers. A table read from a
    database travels as the Parquet copy of the rows that were scored.

    Parameters
    ----------
    params
        The month's parameters.
    inputs
        Its inputs by role (:func:`input_files` or the dataset's); only the data are bundled.

    Returns
    -------
    Bundle
    """
    # each role in its own folder under the file's own name, so what a page says of its data
    # (the method box names the files) reads the same on a worker as in the main process
    names = {role: f"{role}/{copy_name(inputs[role])}" for role in DATA_ROLES if role in inputs}
    members = {names[role]: inputs[role].path.read_bytes() for role in names}
    members[BUNDLE_PARAMS] = params.to_yaml(data=names).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            # a fixed date: the same files give the same bytes, hence the same digest
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, members[name])
    blob = buffer.getvalue()
    return Bundle(hashlib.sha256(blob).hexdigest(), blob)


def _bundle_folder(base: Path, digest: str | None) -> Path:
    return base / f"fivecolor-bundle-{digest[:24] if digest is not None else 'no-parameters'}"


def unpack_bundle(bundle: Bundle | None, base: Path) -> Path:
    """The folder holding the bundle's files under ``base``, unpacked once (atomically)."""
    folder = _bundle_folder(base, bundle.digest if bundle is not None else None)
    if folder.is_dir():
        return folder
    base.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=base))
    if bundle is not None:
        with zipfile.ZipFile(io.BytesIO(bundle.data)) as archive:
            archive.extractall(partial)
    try:
        os.rename(partial, folder)
    except OSError:  # another task of this worker unpacked it first
        shutil.rmtree(partial, ignore_errors=True)
    return folder


def remove_bundles(digests: Sequence[str], scratch: str | None = None) -> None:
    """Delete the unpacked bundles of a finished run (on a worker, from its temporary folder)."""
    base = Path(scratch or tempfile.gettempdir())
    for digest in digests:
        shutil.rmtree(_bundle_folder(base, digest), ignore_errors=True)
