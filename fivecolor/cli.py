"""The ``fivecolor`` command. Exit status: 0 success, 2 bad input (one line, no traceback), 1 otherwise."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from fivecolor.errors import InputError, require_extra

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and an :class:`InputError` (exit 2)."""

    def error(self, message: str):  # type: ignore[override]
        raise InputError("usage", self.prog, f"{message} (see `{self.prog} --help`)")


def _period(text: str) -> str:
    import re

    from fivecolor.params.model import PERIOD_HINT, PERIOD_PATTERN

    if not re.match(PERIOD_PATTERN, text):
        raise argparse.ArgumentTypeError(
            f"period {text!r} is not a month written YYYY-MM{PERIOD_HINT}"
        )
    return text


def _load(args) -> tuple:
    """Parameters (with --period) and validated data, shared by the commands."""
    from fivecolor.data.dataset import load_data
    from fivecolor.params import load_params

    params = load_params(
        args.params,
        period=getattr(args, "period", None),
        scheme=getattr(args, "scheme", None),
        settings=getattr(args, "set", None) or (),
    )
    return params, load_data(params)


def cmd_score(args) -> int:
    from fivecolor.scoring.pipeline import score
    from fivecolor.site.outputs import csv_bytes, write_csv
    from fivecolor.views.scores_file import scores_file

    params, data = _load(args)
    table = scores_file(score(data, params))
    if args.out is None:
        sys.stdout.buffer.write(csv_bytes(table).removeprefix(b"\xef\xbb\xbf"))
    else:
        write_csv(table, args.out)
        print(f"wrote {args.out} ({len(table)} stations, {params.period})", file=sys.stderr)
    return EXIT_OK


def cmd_validate(args) -> int:
    from fivecolor.data.dataset import check_data
    from fivecolor.params import load_params

    params = load_params(args.params, period=args.period)
    _, findings = check_data(params)
    errors = int(findings.loc[findings["severity"] == "error", "count"].sum())
    warnings = int(findings["count"].sum()) - errors
    if len(findings):
        shown = findings.drop(
            columns=["count", *[c for c in findings if (findings[c] == "").all()]]
        )
        print(shown.to_string(index=False))
    print(f"{params.period}: {errors} errors, {warnings} warnings")
    return EXIT_BAD_INPUT if errors else EXIT_OK


def cmd_sample(args) -> int:
    from fivecolor.data.sample.company import (
        refuse_non_empty_folder,
        write_company,
        write_sample_project,
    )
    from fivecolor.data.sample.generate import refuse_existing_tables, write_sample_sqlite

    if args.out is None and args.sqlite is None:
        raise InputError("usage", "fivecolor sample", "give --out DIR, --sqlite FILE or both")
    # nothing someone keeps is replaced unless asked by name, and nothing is written before both are checked
    if args.out is not None and not args.force:
        refuse_non_empty_folder(args.out)
    if args.sqlite is not None and not args.replace:
        refuse_existing_tables(args.sqlite)
    if args.stations is not None or args.format is not None:
        if args.out is None or args.sqlite is not None:
            raise InputError(
                "usage", "fivecolor sample", "--stations, --months and --format go with --out DIR"
            )
        for path in write_company(args.out, args.stations or 60, args.months, args.format):
            print(path)
        return EXIT_OK
    if args.out is not None:
        for path in write_sample_project(args.out):
            print(path)
    if args.sqlite is not None:
        print(write_sample_sqlite(args.sqlite))
    return EXIT_OK


def cmd_params_schema(args) -> int:
    from fivecolor.params import params_schema

    print(json.dumps(params_schema(), indent=2, ensure_ascii=False))
    return EXIT_OK


def cmd_report(args) -> int:
    """``fivecolor report``: build the month (or reuse it, unchanged) and print where to open it."""
    import tempfile
    import time

    from fivecolor.params.files import compose_params_file
    from fivecolor.site.outputs import os_error_text
    from fivecolor.site.publish import ReportLocked
    from fivecolor.site.reuse import reuse_published

    if args.scheduler and args.executor != "dask":
        raise InputError("usage", "fivecolor report", "--scheduler goes with --executor dask")
    if args.executor == "dask":
        # before anything is read or written
        require_extra("distributed", "dask", "--executor dask")
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="fivecolor-params-") as composed:
            # a scheme or --set becomes one file extending --params: the notebooks, the
            # snapshot and `fivecolor rerun` then read the very parameters given here
            params_file = compose_params_file(
                args.params, Path(composed), args.scheme, args.set or ()
            )
            # an unchanged month is reused before the scoring, notebook and chart libraries load
            month_dir = reuse_published(
                params_file,
                args.period,
                Path(args.out),
                variant=args.variant,
                notebooks_dir=args.notebooks,
                force=args.force,
            ) or _build_month(args, params_file)
    except ReportLocked as exc:
        print(f"fivecolor: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # after publishing (the site index) or before building: still one line
        print(
            f"fivecolor: error: could not write the report ({os_error_text(exc)})", file=sys.stderr
        )
        return 1
    if month_dir is None:
        return 1
    print(
        f"built in {time.perf_counter() - started:.1f} s; open {(month_dir / 'index.html').resolve()}"
    )
    return 0


def _build_month(args, params_file: Path) -> Path | None:
    """Build the month with the command's options; ``None`` (said on standard error) when its
    notebooks failed and nothing was published."""
    from fivecolor.site.build import ReportFailed, build_month

    try:
        return build_month(
            params_file,
            args.period,
            Path(args.out),
            workers=args.workers,
            force=args.force,
            replace=args.replace,
            variant=args.variant,
            notebooks_dir=args.notebooks,
            executor=getattr(args, "executor", "local"),
            scheduler=getattr(args, "scheduler", None),
        )
    except ReportFailed as exc:
        print(f"fivecolor: error: {exc}", file=sys.stderr)
        return None


def cmd_rerun(args) -> int:
    """``fivecolor rerun reports/<period>``: exit 0 identical scores, 1 different, 2 not a published month."""
    from fivecolor.site.build import ReportFailed
    from fivecolor.site.inputs import SNAPSHOT_DIR
    from fivecolor.site.publish import ReportLocked
    from fivecolor.site.rerun import rerun_month

    try:
        result = rerun_month(
            Path(args.month),
            out=args.out,
            workers=args.workers,
            notebooks_dir=args.notebooks,
            scores_only=args.scores_only,
            progress=sys.stderr.isatty(),
        )
    except (ReportFailed, ReportLocked) as exc:
        print(f"fivecolor: error: {exc}", file=sys.stderr)
        return 1
    if result.identical:
        print(
            f"{result.published.name}: rebuilt from {result.published / SNAPSHOT_DIR} into {result.rebuilt}; "
            "scores.csv identical"
        )
        return 0
    print(
        f"fivecolor: error: {result.published.name}: rebuilt into {result.rebuilt}, but scores.csv differs "
        f"from the published one: {result.difference}",
        file=sys.stderr,
    )
    return 1


def cmd_actions(args) -> int:
    from fivecolor.scoring.pipeline import score
    from fivecolor.site.outputs import write_actions

    params, data = _load(args)
    written = write_actions(score(data, params), args.out)
    for path in written.values():
        print(path)
    return EXIT_OK


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _sample_count(text: str) -> int:
    """A Monte Carlo sample count: at least 16, at most the parameters' bound."""
    from fivecolor.params.model import MAX_SAMPLES

    value = _positive_int(text)
    if not 16 <= value <= MAX_SAMPLES:
        raise argparse.ArgumentTypeError(f"give 16 to {MAX_SAMPLES:,} samples, got {value:,}")
    return value


def _scheduler_address(text: str) -> str:
    """A Dask scheduler address, ``tcp://host:port`` (or ``host:port``)."""
    import re

    if not re.fullmatch(r"((tcp|tls|inproc|ucx|ws|wss)://)?[\w.\-\[\]:]+:\d{1,5}", text):
        raise argparse.ArgumentTypeError(
            f"{text[:80]!r} is not a scheduler address; write e.g. tcp://host:8786"
        )
    return text


def cmd_weights(args) -> int:
    from fivecolor.analysis.compare import heavy_scheme_weights
    from fivecolor.analysis.sensitivity import normalised_month, scheme_weights
    from fivecolor.site.outputs import csv_bytes

    params, data = _load(args)
    weights = scheme_weights(params, normalised_month(params, data))
    table = weights.round(6).reset_index()
    sys.stdout.buffer.write(csv_bytes(table).removeprefix(b"\xef\xbb\xbf"))
    share = params.sensitivity.max_weight_share
    for row in heavy_scheme_weights(weights, share).itertuples():
        print(
            f"warning: {row.scheme} puts {row.share:.1%} of the weight on {row.indicator} "
            f"(more than sensitivity.max_weight_share {share:.0%})",
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_compare(args) -> int:
    """``fivecolor compare A B``: colours and ranks of the month under A's method and B's."""
    from fivecolor.analysis.compare import compare, concentrated_weights
    from fivecolor.data.dataset import load_data
    from fivecolor.params import load_params
    from fivecolor.params.files import is_scheme_file
    from fivecolor.scoring.pipeline import score

    params_a = load_params(args.a, period=args.period)
    base, scheme = args.b or args.a, args.scheme
    if args.b is not None and is_scheme_file(args.b):  # says only what it changes: over A
        if scheme is not None:
            raise InputError("usage", "fivecolor compare", "B is a scheme file; drop --scheme")
        base, scheme = args.a, args.b
    if base == args.a and scheme is None and not args.set:
        raise InputError(
            "usage", "fivecolor compare", "give B, --scheme or --set to compare A with"
        )
    params_b = load_params(base, period=params_a.period, scheme=scheme, settings=args.set or ())
    a, b = score(load_data(params_a), params_a), score(load_data(params_b), params_b)
    try:
        result = compare(a, b)
    except ValueError as exc:
        raise InputError(base, "", str(exc)) from None
    name_b = " + ".join(
        [*(Path(p).name for p in (base, scheme) if p is not None), *(args.set or ())]
    )
    print(f"{params_a.period}: {args.a.name} (rows) against {name_b} (columns)")
    print(result.transition.to_string())
    print(f"\n{result.changed} of {int(result.transition.to_numpy().sum())} stations change colour")
    print(result.counts.to_string())
    print(f"\nSpearman's rho {result.spearman:.3f}, Kendall's tau {result.kendall:.3f}")
    if result.changed:
        print()
        print(
            result.changes.round(2)
            .astype({"rank_a": "Int64", "rank_b": "Int64"})
            .to_string(index=False)
        )
    for key, share in concentrated_weights(b).items():
        print(
            f"warning: {params_b.weights_scheme.value} puts {share:.1%} of the weight on {key} "
            f"(more than sensitivity.max_weight_share "
            f"{params_b.sensitivity.max_weight_share:.0%})",
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_sensitivity(args) -> int:
    from fivecolor.analysis.sensitivity import (
        STATION_COLUMNS,
        check_ahp,
        monte_carlo,
        stable_share,
        station_uncertainty,
    )
    from fivecolor.scoring.pipeline import score
    from fivecolor.site.outputs import csv_bytes, write_csv

    params, data = _load(args)
    check_ahp(params)  # a bad matrix is bad input (exit 2), before scoring meets it
    mc = monte_carlo(score(data, params), samples=args.samples)
    table = station_uncertainty(mc)[list(STATION_COLUMNS)].round(4)
    if args.out is None:
        sys.stdout.buffer.write(csv_bytes(table).removeprefix(b"\xef\xbb\xbf"))
    else:
        write_csv(table, args.out)
        print(
            f"wrote {args.out} ({len(table)} stations, {params.period}, {mc.samples} samples)",
            file=sys.stderr,
        )
    print(
        f"{params.period}: {stable_share(mc):.0%} of stations keep their colour with at least "
        "90% probability",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_diagnostics(args) -> int:
    """``fivecolor diagnostics``: the Handbook's checks of the month's indicators."""
    from fivecolor.analysis.diagnostics import diagnostics
    from fivecolor.scoring.pipeline import score

    params, data = _load(args)
    found = diagnostics(score(data, params))
    print(f"{params.period}: indicator correlations (Pearson, normalised scores)")
    print(found.correlations.round(2).to_string())
    print("\ncorrelation with the composite")
    print(found.with_composite.round(3).to_string())
    print(f"\nCronbach's alpha {found.alpha:.3f}; with each indicator dropped:")
    print(found.alpha_dropped.round(3).to_string())
    print("\nprincipal components (correlation matrix)")
    print(found.pca.round(3).to_string())
    print(
        "\nskew and kurtosis of the values" + (" (winsorised)" if params.winsorise.enabled else "")
    )
    print(found.shape.round(2).to_string())
    return EXIT_OK


def cmd_init(args) -> int:
    """``fivecolor init DIR``: a working folder for a company (no sample data)."""
    from fivecolor.data.workfolder import init_folder

    for path in init_folder(args.folder):
        print(path)
    params = args.folder / "params.yaml"
    print(
        f"next: fill in {args.folder / 'stations.csv'}, then\n"
        f"  fivecolor import WORKBOOK --params {params}\n"
        f"  fivecolor report --params {params} --period YYYY-MM"
    )
    return EXIT_OK


def cmd_import(args) -> int:
    """``fivecolor import FILE``: a month (or several) into the store of record."""
    from fivecolor.data.importing import MAX_LISTED_WARNINGS, import_file
    from fivecolor.params import load_params

    params = load_params(args.params)
    result = import_file(
        args.file, params, sheet=args.sheet, period=args.period, replace=args.replace
    )
    for line in result.warnings[:MAX_LISTED_WARNINGS]:
        print(f"warning: {line}", file=sys.stderr)
    if len(result.warnings) > MAX_LISTED_WARNINGS:
        print(
            f"warning: … and {len(result.warnings) - MAX_LISTED_WARNINGS} more warnings",
            file=sys.stderr,
        )
    print(result.summary(args.file.name))
    return EXIT_OK


COMMANDS: dict[str, tuple[Callable, str]] = {
    "score": (cmd_score, "score a month and write the scores table (CSV)"),
    "validate": (cmd_validate, "check the data and list every finding; exit 2 on errors"),
    "report": (cmd_report, "build a month's report under reports/<period>/"),
    "actions": (
        cmd_actions,
        "write a month's action tables (plan, next colour, pairing, department help, forecast)",
    ),
    "weights": (cmd_weights, "print every weighting scheme's weights (CSV)"),
    "sensitivity": (cmd_sensitivity, "per-station rank interval and colour probabilities (CSV)"),
    "diagnostics": (
        cmd_diagnostics,
        "indicator correlations, Cronbach's alpha, PCA, skew and kurtosis (the Handbook's checks)",
    ),
    "compare": (
        cmd_compare,
        "colour transitions and rank correlations between two methods (B may be a scheme file)",
    ),
    "sample": (
        cmd_sample,
        "write the embedded Ningbo sample data to a folder or a SQLite database",
    ),
    "init": (
        cmd_init,
        "create a working folder for a company: parameters, an empty store, templates",
    ),
    "import": (
        cmd_import,
        "add a month (or several) from a workbook, CSV or Parquet file to the store of record",
    ),
    "params-schema": (cmd_params_schema, "print the parameters' JSON Schema"),
    "rerun": (
        cmd_rerun,
        "rebuild a published month from its input snapshot; check its scores are identical",
    ),
}


def _add_method_options(p: argparse.ArgumentParser) -> None:
    """``--scheme`` and ``--set``: method changes merged over ``--params``, for any month."""
    p.add_argument(
        "--scheme",
        type=Path,
        metavar="FILE",
        help="a scheme file (method keys only, e.g. params/schemes/entropy.yaml) "
        "merged over --params",
    )
    p.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override one key, dotted, value read as YAML (e.g. bands.cutoffs=[91,86,81,76]); "
        "repeatable, applied after --scheme",
    )


class _VersionAction(argparse.Action):
    """``--version``: the installed version, looked up only when asked for."""

    def __init__(
        self, option_strings, dest=argparse.SUPPRESS, help="show program's version number and exit"
    ):
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from fivecolor import __version__

        print(f"fivecolor {__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    from fivecolor.data.sample.company import PARQUET_ABOVE

    parser = _Parser(prog="fivecolor", description="Five-colour maps of supply stations.")
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    parsers = {
        name: sub.add_parser(name, help=help_, description=help_)
        for name, (_, help_) in COMMANDS.items()
    }
    for name in ("score", "validate", "report"):
        p = parsers[name]
        p.add_argument("--params", required=True, type=Path, help="parameter file (YAML)")
        p.add_argument(
            "--period", type=_period, help="month to report, YYYY-MM (default: the file's)"
        )
    parsers["score"].add_argument(
        "--out", type=Path, help="CSV file to write (default: standard output)"
    )
    parsers["sample"].add_argument(
        "--out", type=Path, help="folder to write the CSV files and a params.yaml naming them into"
    )
    parsers["sample"].add_argument(
        "--sqlite",
        type=Path,
        metavar="FILE",
        help="SQLite database to write the tables into (params/sample-sqlite.yaml "
        "reads sample.db at the project's top)",
    )
    parsers["sample"].add_argument(
        "--force",
        action="store_true",
        help="write into a folder that is not empty, replacing files of the same names",
    )
    parsers["sample"].add_argument(
        "--replace",
        action="store_true",
        help="write into a database that has tables, replacing the sample's tables "
        "(others are left alone)",
    )
    parsers["sample"].add_argument(
        "--stations",
        type=_positive_int,
        metavar="N",
        help="a synthetic company of N stations with a params.yaml beside it "
        f"(Parquet above {PARQUET_ABOVE} stations)",
    )
    parsers["sample"].add_argument(
        "--months",
        type=_positive_int,
        default=24,
        metavar="M",
        help="months of the synthetic company (default: 24)",
    )
    parsers["sample"].add_argument(
        "--format",
        choices=("csv", "parquet"),
        default=None,
        help="file format of the synthetic company (default: by size)",
    )
    act = parsers["actions"]
    act.add_argument("--params", required=True, type=Path, help="parameter file (YAML)")
    act.add_argument(
        "--period", type=_period, help="month to report, YYYY-MM (default: the file's)"
    )
    act.add_argument("--out", type=Path, required=True, help="folder to write the tables into")
    for name in ("weights", "sensitivity", "diagnostics"):
        p = parsers[name]
        p.add_argument("--params", required=True, type=Path, help="parameter file (YAML)")
        p.add_argument(
            "--period", type=_period, help="month to report, YYYY-MM (default: the file's)"
        )
    cmp = parsers["compare"]
    cmp.add_argument("a", type=Path, help="parameter file of method A (e.g. the published one)")
    cmp.add_argument(
        "b",
        type=Path,
        nargs="?",
        help="parameter file of method B, or a scheme file applied to A "
        "(default: A with --scheme and --set)",
    )
    cmp.add_argument("--period", type=_period, help="month to compare, YYYY-MM (default: A's)")
    for name in ("score", "report", "actions", "weights", "sensitivity", "compare", "diagnostics"):
        _add_method_options(parsers[name])
    sens = parsers["sensitivity"]
    sens.add_argument(
        "--samples",
        type=_sample_count,
        help="Monte Carlo samples (default: the parameters' sensitivity.samples)",
    )
    sens.add_argument("--out", type=Path, help="CSV file to write (default: standard output)")
    rep = parsers["report"]
    rep.add_argument(
        "--out", type=Path, default=Path("reports"), help="site folder (default: reports)"
    )
    rep.add_argument(
        "--workers", type=int, default=None, help="notebooks run at once (default: all cores)"
    )
    rep.add_argument("--force", action="store_true", help="re-execute even when nothing changed")
    published = rep.add_mutually_exclusive_group()
    published.add_argument(
        "--replace",
        action="store_true",
        help="republish a month published with other parameters or data "
        "(the old site is kept as <period>.replaced-<time>)",
    )
    published.add_argument(
        "--variant",
        metavar="NAME",
        help="publish under <period>/variants/NAME/, marked as not the official publication",
    )
    rep.add_argument(
        "--notebooks",
        type=Path,
        default=None,
        help="folder of the report notebooks (default: the project's notebooks/)",
    )
    rep.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="where the notebooks run: local processes or a Dask cluster (default: local)",
    )
    rep.add_argument(
        "--scheduler",
        metavar="ADDR",
        type=_scheduler_address,
        default=None,
        help="Dask scheduler, e.g. tcp://host:8786 (default: a local cluster of --workers)",
    )
    parsers["init"].add_argument("folder", type=Path, help="a new (or empty) folder")
    imp = parsers["import"]
    imp.add_argument("file", type=Path, help="the workbook (.xlsx), CSV or Parquet file")
    imp.add_argument(
        "--params",
        type=Path,
        default=Path("params.yaml"),
        help="parameter file naming the catalogue, the stations and the store "
        "(default: params.yaml)",
    )
    imp.add_argument("--sheet", metavar="NAME", help="read this sheet only (default: every sheet)")
    imp.add_argument(
        "--period",
        type=_period,
        help="the month, YYYY-MM, of a sheet without a period column",
    )
    imp.add_argument(
        "--replace",
        action="store_true",
        help="replace periods already in the store (logged with the old and new data hashes)",
    )
    rer = parsers["rerun"]
    rer.add_argument("month", type=Path, help="a published month folder, e.g. reports/2020-05")
    rer.add_argument(
        "--out",
        type=Path,
        default=None,
        help="reports folder to rebuild into (default: a temporary one)",
    )
    rer.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help="notebooks run at once (default: all cores)",
    )
    rer.add_argument(
        "--scores-only", action="store_true", help="re-score only, without the notebooks"
    )
    rer.add_argument(
        "--notebooks",
        type=Path,
        default=None,
        help="folder of the report notebooks (default: the project's notebooks/)",
    )
    return parser


#: Commands that build a month: SIGTERM and SIGHUP stop them as Ctrl-C does (workers ended,
#: nothing published), with one line.
_STOPPED_BY_SIGNALS = ("report", "rerun")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command in _STOPPED_BY_SIGNALS:
            from fivecolor.site.lifetime import stop_on_signals

            with stop_on_signals():
                return COMMANDS[args.command][0](args)
        return COMMANDS[args.command][0](args)
    except InputError as exc:
        print(f"fivecolor: error: {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (
        OSError
    ) as exc:  # an output that cannot be written: a folder given as --out, no permission
        where = getattr(exc, "filename", None) or "output"
        print(
            f"fivecolor: error: {where}: cannot write ({exc.strerror or exc}); check --out",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as exc:  # Ctrl-C; SIGTERM or SIGHUP while building a month
        name = getattr(exc, "signal_name", "SIGINT")
        print(f"fivecolor: interrupted ({name}); nothing was published", file=sys.stderr)
        return 128 + getattr(exc, "signum", 2)
