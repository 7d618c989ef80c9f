"""Files the package ships beside its code: the report notebooks, the default parameters and the lock.

An installed wheel carries them inside the package (``fivecolor/_bundled/``, put there by the
build from the project's top-level ``notebooks/``, ``params/default.yaml`` and
``requirements.lock``); an editable install or a plain checkout has no such folder and reads the
top-level files themselves, which analysts edit and open in JupyterLab.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

#: Where a built wheel keeps the project files that live outside the package in a checkout.
BUNDLED = "_bundled"

#: The pinned versions of every dependency, as ``make venv`` installs them.
LOCK_FILE = "requirements.lock"


def _shipped(*parts: str) -> Path:
    """The packaged copy of a project file when the package has one, else the checkout's."""
    packaged = resources.files("fivecolor").joinpath(BUNDLED, *parts)
    if packaged.is_file() or packaged.is_dir():
        return Path(str(packaged))
    return PACKAGE_DIR.parent.joinpath(*parts)


def notebooks_dir() -> Path:
    """The folder of the report notebooks (``overview``, ``station``, ``sensitivity``)."""
    return _shipped("notebooks")


def default_params_file() -> Path:
    """The default parameters: the indicator catalogue, weights and bands of the sample.

    Its ``data`` paths name the embedded sample in either install.
    """
    return _shipped("params", "default.yaml")


def lock_file() -> Path | None:
    """The lock the package was built or checked out with; ``None`` when there is none."""
    path = _shipped(LOCK_FILE)
    return path if path.is_file() else None
