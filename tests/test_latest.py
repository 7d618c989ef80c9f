"""``reports/latest/``: the newest published month's overview and window at a stable address,
their relative links resolving in that month's folder."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

from fivecolor.site.latest import LATEST, with_base, write_latest

PAGE = (
    '<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
    '<link rel="stylesheet" href="../assets/fivecolor.css">\n</head>\n<body>\n'
    '<a href="stations/meilin.html">梅林</a> <a href="../index.html">months</a> {period}\n'
    "</body>\n</html>\n"
)


def publish(reports: Path, period: str) -> None:
    for name in ("index.html", "widget.html"):
        path = reports / period / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PAGE.format(period=period), encoding="utf-8")


def test_latest_copies_the_newest_month_with_its_links_resolving_there(tmp_path):
    reports = tmp_path / "reports"
    publish(reports, "2020-04")
    publish(reports, "2020-05")
    (reports / "2020-06" / "variants" / "x").mkdir(parents=True)  # a variant is no publication
    assert write_latest(reports) == "2020-05"
    for name in ("index.html", "widget.html"):
        page = (reports / LATEST / name).read_text(encoding="utf-8")
        assert "2020-05" in page and "2020-04" not in page.replace('href="../2020-05/"', "")
        base = re.search(r'<base href="([^"]+)">', page).group(1)
        assert page.index("<base ") < page.index("<link ")  # before every relative URL
        here = (reports / LATEST / name).as_uri()
        resolved = {
            href: urljoin(urljoin(here, base), href)
            for href in re.findall(r'href="([^"]+)"', page)
            if href != base
        }
        assert resolved == {
            "../assets/fivecolor.css": (reports / "assets" / "fivecolor.css").as_uri(),
            "stations/meilin.html": (reports / "2020-05" / "stations" / "meilin.html").as_uri(),
            "../index.html": (reports / "index.html").as_uri(),
        }


def test_republishing_an_older_month_leaves_latest_on_the_newest(tmp_path):
    reports = tmp_path / "reports"
    publish(reports, "2020-05")
    write_latest(reports)
    publish(reports, "2020-04")  # a late correction of April
    assert write_latest(reports) == "2020-05"
    assert 'href="../2020-05/"' in (reports / LATEST / "widget.html").read_text(encoding="utf-8")


def test_no_month_published_writes_nothing(tmp_path):
    assert write_latest(tmp_path / "reports") is None
    assert not (tmp_path / "reports" / LATEST).exists()


def test_a_page_without_a_head_is_refused():
    with pytest.raises(ValueError, match="<head>"):
        with_base("<html><body></body></html>", "../2020-05/")
    assert with_base('<html><HEAD lang="x"><title>t</title>', "a&b/").startswith(
        '<html><HEAD lang="x">\n<base href="a&amp;b/">'
    )
