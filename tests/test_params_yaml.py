"""A validated ``Params`` written out as one YAML document reads back to the same parameters.

The document is what a rebuilt month and a Dask bundle read, so nothing may be lost on the way:
not the ``extends`` chain's values, not the month, not a data path, not the order of the
indicators.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fivecolor.params import DATA_ROLES, load_params

from conftest import REPO

PARAMS = REPO / "params"


@pytest.mark.parametrize(
    ("name", "scheme"),
    [
        ("2020-05.yaml", None),
        ("2020-05.yaml", "schemes/ahp.yaml"),
        ("2020-05.yaml", "schemes/two-level.yaml"),
        ("sample-sqlite.yaml", None),
    ],
)
def test_written_parameters_read_back_equal(name, scheme, tmp_path):
    params = load_params(PARAMS / name, scheme=scheme and PARAMS / scheme)
    assert len(params.sources) >= 2  # each of these extends another file
    written = tmp_path / "elsewhere" / "params.yaml"
    written.parent.mkdir()
    written.write_text(params.to_yaml(), encoding="utf-8")
    doc = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert "extends" not in doc and doc["period"] == params.period
    again = load_params(written)
    # (== would also compare the files each was read from)
    assert again.model_dump() == params.model_dump() and again.digest() == params.digest()
    assert again.indicator_keys == params.indicator_keys
    assert again.sources == (str(written.resolve()),)


def test_a_changed_month_and_given_data_paths_are_written(tmp_path):
    params = load_params(PARAMS / "2020-05.yaml", period="2020-04")
    written = tmp_path / "params.yaml"
    written.write_text(
        params.to_yaml(data={"stations": "s.csv", "indicators": "/data/i.csv"}), encoding="utf-8"
    )
    again = load_params(written)
    assert again.period == "2020-04"
    assert (
        again.data.stations == tmp_path / "s.csv"
    )  # relative: read from the written file's folder
    assert again.data.indicators == Path("/data/i.csv")
    assert again.data.projects is None and again.data.boundaries is None  # not given: no file
    assert again.model_dump(exclude={"data"}) == params.model_dump(exclude={"data"})


def test_a_chain_given_file_by_file_merges_as_extends_does(tmp_path):
    params = load_params(PARAMS / "2020-05.yaml", scheme=PARAMS / "schemes" / "ahp.yaml")
    # copies under other names, so their extends lines name nothing
    copies = []
    for index, source in enumerate(params.sources):
        copy = tmp_path / f"params-{index}-{Path(source).name}"
        copy.write_bytes(Path(source).read_bytes())
        copies.append(copy)
    data = {role: getattr(params.data, role) for role in DATA_ROLES}
    again = load_params(copies, data=data)
    assert again.model_dump() == params.model_dump() and again.digest() == params.digest()
    assert again.sources == tuple(str(c.resolve()) for c in copies)
