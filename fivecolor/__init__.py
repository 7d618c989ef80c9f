"""fivecolor: five-colour maps of supply stations, from indicator data to an offline report."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fivecolor")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"

from fivecolor.errors import InputError
from fivecolor.dataset import Dataset, load_data
from fivecolor.params import Params, load_params
from fivecolor.scoring import ScoreResult, score

__all__ = [
    "Dataset",
    "InputError",
    "Params",
    "ScoreResult",
    "__version__",
    "load_data",
    "load_params",
    "score",
]
