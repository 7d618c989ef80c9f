"""A month's executed notebooks as one archive: every notebook back as it was, the same bytes
for the same notebooks, and plain files still read (months published before the archive)."""

from __future__ import annotations

import tarfile

import nbformat
import pytest

from fivecolor.site.archive import ARCHIVE, executed_files, pack_notebooks, read_executed


def write_notebooks(month, stations=("S01", "S02")):
    written = {}
    for path, text in [
        ("notebooks/overview.ipynb", "overview"),
        *((f"notebooks/stations/{s}.ipynb", f"station {s}") for s in stations),
    ]:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
        nb.cells[0].id = "cell-1"  # new cells get random ids
        (month / path).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, month / path)
        written[path] = (month / path).read_bytes()
    return written


def test_packing_replaces_the_folder_by_one_archive_of_the_same_notebooks(tmp_path):
    month = tmp_path / "2020-05"
    written = write_notebooks(month)
    archive = pack_notebooks(month)
    assert archive == month / ARCHIVE and not (month / "notebooks").exists()
    assert dict(executed_files(month)) == written
    assert read_executed(month, "notebooks/stations/S02.ipynb").cells[0].source == "station S02"
    with tarfile.open(archive, mode="r:xz") as tar:  # what `tar -xf` unpacks
        members = tar.getmembers()
    assert [m.name for m in members] == sorted(written)
    assert all(m.mtime == 0 and m.uid == 0 and m.uname == "" for m in members)


def test_the_same_notebooks_give_the_same_archive(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    write_notebooks(first)
    write_notebooks(second)
    assert pack_notebooks(first).read_bytes() == pack_notebooks(second).read_bytes()  # type: ignore[union-attr]


def test_plain_notebooks_are_read_as_they_are(tmp_path):
    month = tmp_path / "2020-05"
    written = write_notebooks(month)
    assert dict(executed_files(month)) == written
    assert read_executed(month, "notebooks/overview.ipynb").cells[0].source == "overview"
    with pytest.raises(KeyError):
        pack_notebooks(month)
        read_executed(month, "notebooks/stations/S09.ipynb")


def test_nothing_to_pack_is_no_archive(tmp_path):
    assert pack_notebooks(tmp_path) is None and not (tmp_path / ARCHIVE).exists()
