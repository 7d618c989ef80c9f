"""fivecolor: five-colour maps of supply stations, from indicator data to an offline report.

The public names are imported on first use, so that ``import fivecolor.site.render`` in a notebook
kernel does not pay for the whole scoring stack.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fivecolor")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"

_PUBLIC = {
    "Dataset": "fivecolor.data.dataset",
    "load_data": "fivecolor.data.dataset",
    "InputError": "fivecolor.errors",
    "Params": "fivecolor.params",
    "load_params": "fivecolor.params",
    "ScoreResult": "fivecolor.scoring.pipeline",
    "score": "fivecolor.scoring.pipeline",
}


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'fivecolor' has no attribute {name!r}")


__all__ = [*_PUBLIC, "__version__"]  # pyright: ignore[reportUnsupportedDunderAll]
