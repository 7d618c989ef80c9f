"""Atomic month publishing, the month lock, the site index and manifests."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
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


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two renames"])
def test_swap_failure_restores_the_old_month(tmp_path, monkeypatch, exchange):
    """The swap fails: by the one-step exchange, or (where the system has none) by the second of
    the two renames; either way the old month stays and nothing is left beside it."""
    reports = tmp_path / "reports"
    publish_files(reports, "2020-05", {"index.html": "good"})
    real_rename = os.rename

    def failing_exchange(a, b):
        raise OSError("disk trouble")

    def failing_rename(src, dst):
        if ".staging-" in str(src):
            raise OSError("disk trouble")
        return real_rename(src, dst)

    if exchange:
        monkeypatch.setattr(publish, "exchange_folders", failing_exchange)
    else:
        monkeypatch.setattr(publish, "exchange_folders", lambda a, b: False)
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


# -- one-step swap, links not followed, leftovers cleaned (hardening, class 5) ---------------
_READER = """
import pathlib, sys
page, stop = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
page.read_bytes()
print("ready", flush=True)
reads = missing = 0
while not stop.exists():
    try:
        with open(page, "rb") as fh:
            fh.read()
        reads += 1
    except FileNotFoundError:
        missing += 1
print(reads, missing, flush=True)
"""


def _reads_during_publishes(reports: Path, stop: Path) -> tuple[int, int]:
    """Publish 2020-05 20 times while another process opens its index.html as fast as it can;
    return (successful reads, reads that found no page)."""
    publish_files(reports, "2020-05", {"index.html": "0", "stations/S01.html": "s"})
    reader = subprocess.Popen(
        [sys.executable, "-c", _READER, str(reports / "2020-05" / "index.html"), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline() == "ready\n"
        for n in range(1, 21):
            publish_files(reports, "2020-05", {"index.html": str(n), "stations/S01.html": "s"})
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=60)
    reads, missing = map(int, out.split())
    return reads, missing


def test_a_reader_never_finds_the_month_missing_during_20_publishes(tmp_path):
    """Every open finds a page, the old one or the new one."""
    reports = tmp_path / "reports"
    reads, missing = _reads_during_publishes(reports, tmp_path / "stop")
    assert reads > 20 and missing == 0, (reads, missing)
    assert snapshot(reports / "2020-05")["index.html"] == b"20"
    assert leftovers(reports) == []


def test_the_reader_would_see_a_gap_between_two_renames(tmp_path, monkeypatch):
    """The control of the test above: with two renames (the fallback) and a pause between them,
    the same reader does find the month missing."""
    real_rename = os.rename

    def slow_rename(src, dst):
        real_rename(src, dst)
        if ".old-" in str(dst):
            time.sleep(0.02)  # the gap between taking the old month away and putting the new

    monkeypatch.setattr(publish, "exchange_folders", lambda a, b: False)
    monkeypatch.setattr(publish.os, "rename", slow_rename)
    reads, missing = _reads_during_publishes(tmp_path / "reports", tmp_path / "stop")
    assert missing > 0, (reads, missing)


def test_the_exchange_swaps_two_folders_in_one_step(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x").write_text("a", encoding="utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "y").write_text("b", encoding="utf-8")
    assert publish.exchange_folders(tmp_path / "a", tmp_path / "b") is (sys.platform == "linux")
    if sys.platform == "linux":
        assert os.listdir(tmp_path / "a") == ["y"] and os.listdir(tmp_path / "b") == ["x"]
    with pytest.raises(FileNotFoundError):
        publish.exchange_folders(tmp_path / "a", tmp_path / "missing")


def test_without_an_exchange_two_renames_publish_the_month(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    publish_files(reports, "2020-05", {"index.html": "old"})
    monkeypatch.setattr(publish, "exchange_folders", lambda a, b: False)
    publish_files(reports, "2020-05", {"index.html": "new"})
    assert snapshot(reports / "2020-05") == {"index.html": b"new"}
    assert leftovers(reports) == []


def _elsewhere(tmp_path: Path) -> Path:
    """Another site's folder, the target of the links below: it must stay as it is."""
    other = tmp_path / "other-site"
    (other / "2020-05").mkdir(parents=True)
    (other / "2020-05" / "index.html").write_text("not yours", encoding="utf-8")
    return other


@pytest.mark.parametrize(
    "name", ["2020-05", "_failed", "_failed/2020-05", "assets", "latest", "latest/widget.html"]
)
def test_a_link_where_the_site_writes_is_refused_in_one_line(tmp_path, name):
    from fivecolor.errors import InputError

    other = _elsewhere(tmp_path)
    reports = tmp_path / "reports"
    link = reports / name
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(other / "2020-05" if name != "_failed" else other, target_is_directory=True)
    before = snapshot(other)
    with pytest.raises(InputError) as caught, publish_month(reports, "2020-05"):
        pytest.fail("nothing is built")
    assert caught.value.message.startswith(str(link) + ": is a symbolic link")
    assert "\n" not in caught.value.message
    assert snapshot(other) == before and link.is_symlink()


def test_a_linked_variants_folder_is_refused(tmp_path):
    from fivecolor.errors import InputError

    other = _elsewhere(tmp_path)
    reports = tmp_path / "reports"
    publish_files(reports, "2020-05", {"index.html": "official"})
    (reports / "2020-05" / "variants").symlink_to(other, target_is_directory=True)
    with (
        pytest.raises(InputError, match="variants: is a symbolic link"),
        publish_month(reports, "2020-05", variant="draft"),
    ):
        pytest.fail("nothing is built")
    assert snapshot(other) == {"2020-05/index.html": b"not yours"}


def test_a_linked_lock_file_is_removed_itself_never_its_target(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    elsewhere = tmp_path / "etc-file"  # what a link made by someone else points at
    (reports / ".2020-05.lock").symlink_to(elsewhere)
    kept = tmp_path / "kept"
    kept.write_text("precious", encoding="utf-8")
    (reports / ".2020-06.lock").symlink_to(kept)
    publish_files(reports, "2020-05", {"index.html": "may"})
    publish_files(reports, "2020-06", {"index.html": "june"})
    assert not elsewhere.exists()  # not created through the link
    assert kept.read_text(encoding="utf-8") == "precious"
    for lock in (".2020-05.lock", ".2020-06.lock"):
        assert (reports / lock).is_file() and not (reports / lock).is_symlink()


@pytest.mark.parametrize("dangling", [True, False], ids=["dangling", "to-a-folder"])
def test_a_linked_leftover_is_removed_itself(tmp_path, dangling):
    other = _elsewhere(tmp_path)
    reports = tmp_path / "reports"
    publish_files(reports, "2020-05", {"index.html": "good"})
    target = tmp_path / "gone" if dangling else other / "2020-05"
    for name in (".2020-05.old-link", ".2020-05.staging-link"):
        (reports / name).symlink_to(target, target_is_directory=True)
    publish_files(reports, "2020-05", {"index.html": "again"})
    assert snapshot(reports / "2020-05") == {"index.html": b"again"}
    assert leftovers(reports) == []
    assert snapshot(other) == {"2020-05/index.html": b"not yours"}


def test_published_periods_skip_a_linked_month(tmp_path):
    other = _elsewhere(tmp_path)
    reports = tmp_path / "reports"
    publish_files(reports, "2020-04", {"index.html": "april"})
    (reports / "2020-05").symlink_to(other / "2020-05", target_is_directory=True)
    assert published_periods(reports) == ["2020-04"]


_KILLED_PUBLISH = """
import os, signal, sys
from pathlib import Path
import fivecolor.site.publish as publish

reports, when = Path(sys.argv[1]), sys.argv[2]
real_exchange = publish.exchange_folders

def exchange_then_die(a, b):
    if when == "before the swap":
        os.kill(os.getpid(), signal.SIGKILL)
    swapped = real_exchange(a, b)
    if when == "after the swap":
        os.kill(os.getpid(), signal.SIGKILL)
    return swapped

publish.exchange_folders = exchange_then_die
with publish.publish_month(reports, "2020-05") as staging:
    (staging / "index.html").write_text("new", encoding="utf-8")
"""


@pytest.mark.parametrize("when", ["before the swap", "after the swap"])
def test_a_publish_killed_between_its_steps_leaves_a_readable_month(tmp_path, when):
    """SIGKILL just before or just after the exchange: the month is there (old or new), its
    variants are not lost, and the next publish clears what the killed one left."""
    reports = tmp_path / "reports"
    publish_files(reports, "2020-05", {"index.html": "old"})
    with publish_month(reports, "2020-05", variant="draft") as staging:
        (staging / "index.html").write_text("variant", encoding="utf-8")
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_PUBLISH, str(reports), when],
        env={**os.environ, "PYTHONPATH": str(PACKAGE_ROOT)},
        capture_output=True,
        timeout=60,
    )
    assert killed.returncode == -9, killed.stderr
    expected = b"old" if when == "before the swap" else b"new"
    assert (reports / "2020-05" / "index.html").read_bytes() == expected
    assert leftovers(reports), "the killed run left its staging or the replaced month"
    publish_files(reports, "2020-05", {"index.html": "next"})
    assert snapshot(reports / "2020-05") == {
        "index.html": b"next",
        "variants/draft/index.html": b"variant",
    }
    assert leftovers(reports) == []
