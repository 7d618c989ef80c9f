"""fivecolor: five-colour maps of supply stations, from indicator data to an offline report.

The public names are imported on first use, so that ``import fivecolor.site.render`` in a notebook
kernel does not pay for the whole scoring stack.
"""

from importlib import import_module

_PUBLIC = {
    "Dataset": "fivecolor.data.dataset",
    "load_data": "fivecolor.data.dataset",
    "InputError": "fivecolor.errors",
    "Params": "fivecolor.params",
    "load_params": "fivecolor.params",
    "ScoreResult": "fivecolor.scoring.pipeline",
    "score": "fivecolor.scoring.pipeline",
}


def _installed_version() -> str:
    """The installed distribution's version: a look-up in the installed packages' metadata
    (tens of milliseconds), made on first use so that the quick commands do not pay for it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("fivecolor")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0+source"


def __getattr__(name: str):
    if name == "__version__":
        globals()["__version__"] = found = _installed_version()
        return found
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'fivecolor' has no attribute {name!r}")


__all__ = [*_PUBLIC, "__version__"]  # pyright: ignore[reportUnsupportedDunderAll]
