"""JupyterLab as analysts use it: open a report notebook, Run All, and every chart draws offline.

Starts the .venv's JupyterLab on 127.0.0.1 with a random port and token (as ``make lab`` does,
with its own settings folder, so autosave is off and the checkout's notebook is never written),
drives it with Playwright in the system Chromium, and records every request that leaves
127.0.0.1 (each is aborted).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS_DIR, CHROMIUM, CHROMIUM_ARGS, skip_without_browser

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.slow,
    skip_without_browser,
    pytest.mark.skipif(
        subprocess.run([sys.executable, "-c", "import jupyterlab"], capture_output=True).returncode
        != 0,
        reason="jupyterlab is not installed (the lab extra; make venv installs it)",
    ),
]

#: Charts each notebook draws on the sample month (the site's pages show the same number).
CHARTS = {"overview.ipynb": 4, "station.ipynb": 2, "sensitivity.ipynb": 4}
DRAWN = ".fc-chart svg.marks, .fc-chart canvas.marks"
STDERR = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
FAILED = f".fc-chart-error, {STDERR}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab_server(tmp_path):
    """A JupyterLab server on the checkout: (base URL, token)."""
    port, token = _free_port(), secrets.token_hex(16)
    settings = tmp_path / "settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    # autosave off: the test runs the committed notebook and must leave it as it is
    (settings / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    # as make lab's overrides: no news or update prompt
    notification = settings.parent / "apputils-extension"
    notification.mkdir()
    (notification / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env = {
        **os.environ,
        "JUPYTER_PREFER_ENV_PATH": "1",
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
    }
    env.pop("FIVECOLOR_CHART_LIBRARY", None)
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={ROOT}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.news_url=None",
            f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
            f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
            "--LabApp.extension_manager=readonly",
            "--LabApp.expose_app_in_browser=True",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start: {(tmp_path / 'lab.log').read_text()}")
                time.sleep(0.5)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _local(url: str, base: str) -> bool:
    return url.startswith(base + "/") or url.startswith(("ws://127.0.0.1:", "data:", "blob:"))


@pytest.mark.parametrize("notebook", list(CHARTS))
def test_run_all_in_jupyterlab_draws_every_chart_offline(lab_server, notebook):
    from playwright.sync_api import sync_playwright

    base, token = lab_server
    before = (ROOT / "notebooks" / notebook).read_bytes()
    left: list[str] = []
    console_errors: list[str] = []
    page_errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 900})

            def route(route):
                if _local(route.request.url, base):
                    route.continue_()
                else:
                    left.append(route.request.url)
                    route.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on(
                "console", lambda m: console_errors.append(m.text) if m.type == "error" else None
            )
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.goto(f"{base}/lab/tree/notebooks/{notebook}?token={token}")
            page.wait_for_function(
                "window.jupyterapp && document.querySelector('.jp-NotebookPanel') !== null",
                timeout=90_000,
            )
            # the kernel is ready once its status says idle
            page.wait_for_function(
                "window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'",
                timeout=90_000,
            )
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            expected = CHARTS[notebook]
            # done when every code cell ran and the kernel is idle, or as soon as anything failed
            page.wait_for_function(
                f"""() => {{
                    const panel = window.jupyterapp.shell.currentWidget;
                    const kernel = panel.sessionContext.session.kernel;
                    const ran = panel.content.widgets.every(
                        c => c.model.type !== 'code' || c.model.executionCount !== null);
                    const failed = document.querySelectorAll({FAILED!r}).length;
                    return failed > 0 || (ran && kernel.status === 'idle');
                }}""",
                timeout=300_000,
            )
            # Vega draws asynchronously after the outputs arrive
            page.wait_for_function(
                f"document.querySelectorAll({DRAWN!r}).length >= "
                f"document.querySelectorAll('.fc-chart').length",
                timeout=30_000,
            )
            charts = page.locator(".fc-chart").count()
            drawn = page.locator(DRAWN).count()
            errors = page.locator(".fc-chart-error").all_inner_texts()
            tracebacks = page.locator(STDERR).all_inner_texts()
            # the tables are styled as on the site: the package's styles came with the charts
            table_borders = page.evaluate(
                "Array.from(document.querySelectorAll('table.fc-table td'))"
                ".slice(0, 20).map(td => getComputedStyle(td).borderBottomStyle)"
            )
            ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
            page.locator(".fc-chart").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS_DIR / f"jupyterlab-{Path(notebook).stem}.png"))
            context.close()
        finally:
            browser.close()
    assert not errors, errors
    assert not tracebacks, tracebacks[:1]
    assert charts == expected, f"{charts} chart outputs, expected {expected}"
    assert drawn == charts, f"{drawn} of {charts} charts drew"
    assert not left, f"requests left 127.0.0.1: {left[:5]}"
    assert not page_errors, page_errors
    assert not console_errors, console_errors
    assert table_borders and set(table_borders) == {"solid"}, table_borders
    # nothing was saved into the committed notebook
    assert (ROOT / "notebooks" / notebook).read_bytes() == before
