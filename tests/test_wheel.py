"""The built wheel on its own: installed outside the checkout, it writes the sample, scores it and
builds the month's site, reading nothing from the checkout.

The wheel goes into a fresh virtual environment with ``--no-deps``; its dependencies are the ones
this environment already has, reached through a ``.pth`` file naming our site-packages, and their
data files outside site-packages (nbconvert's templates) through ``JUPYTER_PATH``. A path line in
a ``.pth`` file adds the folder only (the ``.pth`` files inside it are not run), so the checkout's
editable install stays out of reach; the test checks that ``fivecolor`` and every file it ships
come from the new environment.
"""

from __future__ import annotations

import hashlib
import json
import os
import site
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

CHECKOUT = Path(__file__).resolve().parents[1]
SAMPLE_PERIOD = "2020-05"
#: Long enough for the sample month's whole site on one worker on a busy machine.
REPORT_TIMEOUT = 1800


def _run(args: list, cwd: Path, env: dict, timeout: float = 600) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, (
        f"{args} exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    )
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict]:
    """A fresh environment with only the wheel installed in it: ``(its bin folder, the env vars)``."""
    root = tmp_path_factory.mktemp("wheel")
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    env["PYTHONNOUSERSITE"] = "1"
    built = root / "dist"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "--wheel-dir",
            built,
            CHECKOUT,
        ],
        cwd=root,
        env=env,
    )
    (wheel,) = built.glob("fivecolor-*.whl")
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=root, env=env)
    python = venv / "bin" / "python"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            wheel,
        ],
        cwd=root,
        env=env,
    )
    purelib = Path(
        _run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            cwd=root,
            env=env,
        ).stdout.strip()
    )
    (purelib / "_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return venv / "bin", env


def test_the_wheel_is_what_runs(installed, tmp_path):
    bin_dir, env = installed
    probe = (
        "import json, fivecolor, fivecolor.resources as r; "
        "print(json.dumps([fivecolor.__file__, str(r.notebooks_dir()), str(r.default_params_file()), "
        "str(r.lock_file())]))"
    )
    paths = json.loads(_run([bin_dir / "python", "-c", probe], cwd=tmp_path, env=env).stdout)
    venv = bin_dir.parent.resolve()
    for path in map(Path, paths):
        assert path.resolve().is_relative_to(venv), f"{path} is not inside the wheel's environment"
        assert path.exists()
    assert sorted(p.name for p in Path(paths[1]).glob("*.ipynb")) == sorted(
        p.name for p in (CHECKOUT / "notebooks").glob("*.ipynb")
    )
    assert Path(paths[3]).read_bytes() == (CHECKOUT / "requirements.lock").read_bytes()


def test_sample_score_and_report_from_an_empty_folder(installed, tmp_path):
    bin_dir, env = installed
    fivecolor = bin_dir / "fivecolor"
    work = tmp_path / "empty"
    work.mkdir()
    _run([fivecolor, "sample", "--out", "."], cwd=work, env=env)
    assert {"stations.csv", "indicators.csv", "projects.csv", "params.yaml"} <= {
        p.name for p in work.iterdir()
    }

    _run([fivecolor, "score", "--params", "params.yaml", "--out", "scores.csv"], cwd=work, env=env)
    scores = pd.read_csv(work / "scores.csv", dtype={"station_id": str, "period": str})
    assert len(scores) == 60 and scores["period"].eq(SAMPLE_PERIOD).all()

    # the packaged default parameters name the packaged sample: the same month, the same scores
    default = _run(
        [
            bin_dir / "python",
            "-c",
            "import fivecolor.resources as r; print(r.default_params_file())",
        ],
        cwd=work,
        env=env,
    ).stdout.strip()
    _run(
        [fivecolor, "score", "--params", default, "--out", "default-scores.csv"], cwd=work, env=env
    )
    assert (work / "default-scores.csv").read_bytes() == (work / "scores.csv").read_bytes()

    _run(
        [fivecolor, "report", "--params", "params.yaml", "--workers", "1"],
        cwd=work,
        env=env,
        timeout=REPORT_TIMEOUT,
    )
    month = work / "reports" / SAMPLE_PERIOD
    assert (month / "index.html").is_file()
    assert (month / "scores.csv").is_file()
    manifest = json.loads((month / "manifest.json").read_text(encoding="utf-8"))
    assert (
        manifest["lock_sha256"]
        == hashlib.sha256((CHECKOUT / "requirements.lock").read_bytes()).hexdigest()
    )
    assert manifest["git_commit"] is None  # not run from a git work tree
    for entry in manifest["inputs"].values():
        assert not Path(entry["path"]).resolve().is_relative_to(CHECKOUT)
