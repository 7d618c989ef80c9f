"""Atomic month publishing, the month lock, the site index and manifests."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import fivecolor.site.publish as publish
from fivecolor.site.manifest import write_manifest
from fivecolor.site.publish import (
    ReportLocked,
    file_sha256,
    publish_month,
    published_periods,
    write_site_index,
)

PACKAGE_ROOT = Path(publish.__file__).parents[2]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def publish_files(reports: Path, period: str, files: dict[str, str]) -> None:
    with publish_month(reports, period) as staging:
        for name, text in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text(text, encoding="utf-8")


def leftovers(reports: Path) -> list[str]:
    return sorted(p.name for p in reports.iterdir() if ".staging-" in p.name or ".old-" in p.name)


def test_first_publish_and_replacement(tmp_path):
    reports = tmp_path / "reports"
    publish_files(reports, "2020-05", {"index.html": "old", "stations/S01.html": "s1"})
    assert snapshot(reports / "2020-05") == {"index.html": b"old", "stations/S01.html": b"s1"}
    with publish_month(reports, "2020-05") as staging:
        assert staging.parent == reports and staging.name.startswith(".2020-05.staging-")
        assert snapshot(reports / "2020-05")["index.html"] == b"old"  # nothing visible yet
        (staging / "index.html").write_text("new", encoding="utf-8")
    assert snapshot(reports / "2020-05") == {"index.html": b"new"}
    assert leftovers(reports) == []


def test_failed_build_leaves_published_month_untouched(tmp_path):
    reports = tmp_path / "reports"
    publish_files(reports, "2020-05", {"index.html": "good", "data/scores.csv": "a,b\n1,2\n"})
    before = snapshot(reports / "2020-05")
    with (
        pytest.raises(RuntimeError, match="notebook failed"),
        publish_month(reports, "2020-05") as staging,
    ):
        (staging / "index.html").write_text("half", encoding="utf-8")
        raise RuntimeError("notebook failed")
    assert snapshot(reports / "2020-05") == before
    assert leftovers(reports) == []


def test_swap_failure_restores_the_old_month(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    publish_files(reports, "2020-05", {"index.html": "good"})
    real_rename = os.rename

    def failing_rename(src, dst):
        if ".staging-" in str(src):
            raise OSError("disk trouble")
        return real_rename(src, dst)

    monkeypatch.setattr(publish.os, "rename", failing_rename)
    with pytest.raises(OSError, match="disk trouble"):
        publish_files(reports, "2020-05", {"index.html": "new"})
    assert snapshot(reports / "2020-05") == {"index.html": b"good"}
    assert leftovers(reports) == []


def test_second_concurrent_build_of_the_same_month_is_refused(tmp_path):
    reports = tmp_path / "reports"
    script = (
        "import sys\n"
        "from fivecolor.site.publish import publish_month, ReportLocked\n"
        "try:\n"
        "    with publish_month(sys.argv[1], sys.argv[2]):\n"
        "        pass\n"
        "except ReportLocked as exc:\n"
        "    print('LOCKED', exc)\n"
        "else:\n"
        "    print('PUBLISHED')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT)}

    def other_process(period: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", script, str(reports), period],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    with publish_month(reports, "2020-05"):
        message = other_process("2020-05")
        assert message.startswith("LOCKED the report for 2020-05 is being built by another process")
        assert message.count("\n") == 1
        # In this process too, and another month is not blocked.
        with pytest.raises(ReportLocked), publish_month(reports, "2020-05"):
            pass
        assert other_process("2020-06") == "PUBLISHED\n"
    # Released on exit.
    assert other_process("2020-05") == "PUBLISHED\n"


def test_bad_period_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="YYYY-MM"), publish_month(tmp_path, "2020-13"):
        pass
    with pytest.raises(ValueError), publish_month(tmp_path, "../x"):
        pass


def test_site_index_lists_months_newest_first(tmp_path):
    reports = tmp_path / "reports"
    for period in ["2020-01", "2019-12", "2020-05"]:
        publish_files(reports, period, {"index.html": period})
    (reports / "assets").mkdir()
    (reports / ".2020-06.staging-abc").mkdir()
    (reports / "2020-07").write_text("a file, not a month", encoding="utf-8")
    assert published_periods(reports) == ["2020-05", "2020-01", "2019-12"]
    path = write_site_index(reports, "宁波 <五色地图>", language="zh")
    page = path.read_text(encoding="utf-8")
    links = [line.split('href="')[1].split('"')[0] for line in page.splitlines() if "<li>" in line]
    assert links == ["2020-05/index.html", "2020-01/index.html", "2019-12/index.html"]
    assert "宁波 &lt;五色地图&gt;" in page and '<html lang="zh">' in page
    assert 'href="assets/fivecolor.css"' in page


def test_site_index_with_no_months(tmp_path):
    page = write_site_index(tmp_path, "Reports").read_text(encoding="utf-8")
    assert "No month has been published yet." in page


def test_write_manifest_sorted_indented_atomic(tmp_path):
    path = tmp_path / "m" / "manifest.json"
    data = {"zeta": 1, "alpha": {"b": 2, "a": [1, 2]}, "name": "海曙", "path": Path("x/y")}
    write_manifest(path, data)
    text = path.read_text(encoding="utf-8")
    assert (
        text
        == json.dumps({**data, "path": "x/y"}, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    )
    assert text.index('"alpha"') < text.index('"name"') < text.index('"zeta"')
    assert os.listdir(path.parent) == ["manifest.json"]


def test_file_sha256_known_vectors(tmp_path):
    (tmp_path / "abc").write_bytes(b"abc")
    (tmp_path / "empty").write_bytes(b"")
    assert (
        file_sha256(tmp_path / "abc")
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert (
        file_sha256(tmp_path / "empty")
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    big = os.urandom(3 * (1 << 20) + 17)
    (tmp_path / "big").write_bytes(big)
    assert file_sha256(tmp_path / "big", chunk_size=1 << 16) == hashlib.sha256(big).hexdigest()


def test_a_month_left_aside_by_a_killed_swap_is_restored_and_leftovers_removed(tmp_path):
    from fivecolor.site.publish import publish_month

    reports = tmp_path / "reports"
    (reports / ".2020-05.old-dead").mkdir(parents=True)
    (reports / ".2020-05.old-dead" / "index.html").write_text("published", encoding="utf-8")
    (reports / ".2020-05.staging-dead").mkdir()
    with pytest.raises(RuntimeError), publish_month(reports, "2020-05"):
        assert (reports / "2020-05" / "index.html").read_text(encoding="utf-8") == "published"
        raise RuntimeError("build failed")
    assert (reports / "2020-05" / "index.html").read_text(encoding="utf-8") == "published"
    assert sorted(p.name for p in reports.iterdir() if p.name.startswith(".2020-05.")) == [
        ".2020-05.lock"
    ]
