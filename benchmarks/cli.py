"""Command-line start-up: ``fivecolor --help``, ``score`` and ``sensitivity`` end to end as processes.

Each command runs as a fresh process on the sample month (``params/2020-05.yaml``), several
times; the median wall time is printed with its ratio to the aim (``score`` under 0.5 s,
``sensitivity --samples 10000`` under 1 s). The floor is a bare ``python -c "import pandas"``:
every scoring command reads its tables through pandas, so no command can start faster. The
load average is printed too: on a shared machine the times move with it, the ratios to the
floor much less.

Beside each median, the time the command spends importing (``python -X importtime``: the sum
of its top-level imports, one run; the tracing itself adds a little), so the reader sees how
much of a command is its import floor and how much its own work. The commands run with their
bytecode cached, as an installed package has it: ``PYTHONDONTWRITEBYTECODE`` is dropped from
their environment (with it, every run compiles the package's sources again, about 0.1 s).

Run with `make bench` or `.venv/bin/python benchmarks/cli.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "params" / "2020-05.yaml"
FIVECOLOR = [sys.executable, "-m", "fivecolor"]

#: (label, command, aim in seconds or None)
RUNS: tuple[tuple[str, list[str], float | None], ...] = (
    ("python -c 'import pandas' (floor)", [sys.executable, "-c", "import pandas"], None),
    ("fivecolor --help", [*FIVECOLOR, "--help"], None),
    ("fivecolor score", [*FIVECOLOR, "score", "--params", str(SAMPLE)], 0.5),
    (
        "fivecolor sensitivity --samples 10000",
        [*FIVECOLOR, "sensitivity", "--params", str(SAMPLE), "--samples", "10000"],
        1.0,
    ),
)


#: The commands' environment: bytecode written and reused, as after an installation.
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run(command: list[str]) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run(command, cwd=ROOT, env=ENVIRONMENT, capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode(errors='replace')}")
    return done


def wall_time(command: list[str]) -> float:
    """Seconds one run of ``command`` takes, start to exit; a failing command stops the benchmark."""
    start = time.perf_counter()
    _run(command)
    return time.perf_counter() - start


def import_time(command: list[str]) -> float:
    """Seconds ``command`` (a Python process) spends importing: the cumulative times of the
    top-level entries ``python -X importtime`` reports (nested imports are indented)."""
    done = _run([command[0], "-X", "importtime", *command[1:]])
    total_us = 0
    for line in done.stderr.decode(errors="replace").splitlines():
        if not line.startswith("import time:"):
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        if cumulative.strip().isdigit() and not name.startswith("  "):  # "| name", not "|   name"
            total_us += int(cumulative)
    return total_us / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    load = os.getloadavg()
    print(
        f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"median of {args.repeat} runs"
    )
    print(
        f"{'command':<40} {'median s':>9} {'aim s':>6} {'/ aim':>6} {'/ floor':>8} "
        f"{'imports s':>10}"
    )
    floor = None
    for label, command, aim in RUNS:
        wall_time(command)  # warm the file cache (and write the bytecode) on a first run
        median = statistics.median(wall_time(command) for _ in range(args.repeat))
        floor = floor or median
        versus_aim = f"{median / aim:>6.2f}" if aim else f"{'':>6}"
        print(
            f"{label:<40} {median:>9.3f} {aim or '':>6} {versus_aim} {median / floor:>8.2f} "
            f"{import_time(command):>10.3f}"
        )


if __name__ == "__main__":
    main()
