"""The web app in a real browser: `leon app` as a subprocess, driven by Playwright through the system's
Chromium (LEON_BROWSER, else `chromium` on the PATH).

Without a browser the module is skipped, except in CI (CI=true), where that is a failure. Streamlit
draws asynchronously, so every check waits for its text or element (generous timeouts: the machine
may be busy). Tables are read through the grid's accessible table (`[role=gridcell]`), which holds
the same text as the canvas.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.labels import label
from conftest import ROOT

SYKEHJEM = ROOT / "instances" / "units" / "sykehjem.yaml"
SCREENSHOT = ROOT / "docs" / "app-enhet.png"
WAIT = 90_000  # ms: a solve plus a rerun on a busy 2-core machine
DISPLAY = 0.005  # the page shows årsverk with two decimals


def _browser_path() -> str | None:
    path = os.environ.get("LEON_BROWSER") or shutil.which("chromium")
    return path if path and Path(path).exists() else None


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if _browser_path() is None:
        return "no Chromium found (install Debian's `chromium`, or set LEON_BROWSER to its path)"
    return None


IN_CI = os.environ.get("CI", "").lower() == "true"
if _missing() and not IN_CI:
    pytest.skip(f"browser tests skipped: {_missing()}", allow_module_level=True)


def _require_browser() -> str:
    """The browser's path; in CI a missing browser fails each test (the module skip is off there)."""
    why = _missing()
    if why:
        pytest.fail(f"browser tests cannot run in CI: {why}", pytrace=False)
    return str(_browser_path())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """End `leon app` and the Streamlit server it started: a terminate of `leon app` alone would leave
    the server running, so the whole process group is signalled (terminate, then kill)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`leon app --no-browser` of this checkout on a free local port; its base URL."""
    _require_browser()
    port = _free_port()
    log = tmp_path_factory.mktemp("app") / "leon-app.log"  # a file, not a pipe: nobody reads it while tests run
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "cli", "app", "--no-browser", "--host", "127.0.0.1",
                                 "--port", str(port)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # its own process group: see _stop
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"`leon app` ended with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("`leon app` did not answer /_stcore/health within 30 s")
            time.sleep(0.2)
        yield url
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def browser():
    path = _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A fresh page (own session) in a 1400×900 viewport, the app loaded."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(WAIT)
    pg.goto(server)
    pg.get_by_role("button", name=label("solve")).wait_for()
    yield pg
    context.close()


@pytest.fixture(scope="module")
def cli_doc(tmp_path_factory):
    """`leon solve instances/units/sykehjem.yaml --json` as the CLI writes it."""
    import cli

    out = tmp_path_factory.mktemp("cli") / "sykehjem.json"
    assert cli.main(["solve", str(SYKEHJEM), "--json", str(out), "--quiet"]) == 0
    return json.loads(out.read_text())


# ------------------------------------------------------------------------------------------ helpers
def _solve(pg) -> None:
    pg.get_by_role("button", name=label("solve")).click()
    _metric(pg, "freed_total").wait_for()
    # patients, freed, heads (the other tabs' editors are there too, hidden)
    pg.locator('[data-testid="stDataFrame"]').filter(visible=True).nth(2).wait_for()


def _metric(pg, key: str):
    """The value element of the metric labelled label(key)."""
    return pg.locator('[data-testid="stMetric"]', has_text=label(key)).locator('[data-testid="stMetricValue"]')


def _grid(pg, first_header: str) -> list[dict[str, str]]:
    """The rows of the table whose first column is `first_header`, as {header: text}. The grid may still
    be drawing after a rerun (rows and headers out of step on a loaded machine): read until they agree."""
    table = pg.locator('[data-testid="stDataFrame"] table', has=pg.locator("th", has_text=first_header)).first
    for _ in range(20):
        heads = table.locator("thead th").all_inner_texts() or table.locator("th").all_inner_texts()
        rows = [tr.locator("td").all_inner_texts() for tr in table.locator("tbody tr").all()]
        if rows and all(len(r) == len(heads) for r in rows):
            return [dict(zip(heads, r, strict=True)) for r in rows]
        pg.wait_for_timeout(500)
    raise AssertionError(f"table {first_header!r}: headers {heads} and rows {rows[:2]} never agreed")


def _number(text: str) -> float:
    """A figure as the page writes it: '-70 888 NOK' → -70888, '6.06' → 6.06 (any kind of space)."""
    return float(re.sub(r"[^\d.+-]", "", text.replace("\u2212", "-")))


# ------------------------------------------------------------------------------------------ unit page
def test_solve_shows_the_clis_freed_aarsverk(page, cli_doc, tmp_path):
    _solve(page)
    rows = {r["gruppe"]: r for r in _grid(page, "gruppe")}
    sp = rows["sykepleier"]
    assert _number(sp["totalt"]) == pytest.approx(cli_doc["freed_fte"]["sykepleier"], abs=DISPLAY)
    split = cli_doc["freed_fte_breakdown"]
    assert _number(sp["samordning"]) == pytest.approx(split["pooling"]["sykepleier"], abs=DISPLAY)
    assert _number(sp["oppgavedeling"]) == pytest.approx(split["task_sharing"]["sykepleier"], abs=DISPLAY)
    total = sum(cli_doc["freed_fte"].values())
    assert _number(_metric(page, "freed_total").inner_text()) == pytest.approx(total, abs=DISPLAY)
    page.screenshot(path=str(tmp_path / "enhet.png"), full_page=True)
    assert (tmp_path / "enhet.png").stat().st_size > 10_000  # a drawn page, not a blank one


def _edit_count(pg, row: int, value: int) -> None:
    """Type `value` into the patients editor's count cell of `row` (click, double-click, type, Enter).

    The editor is a canvas: rows share the header's height, and the count column is the last one,
    so its cell is aimed at near the canvas's right edge."""
    editor = pg.locator('[data-testid="stDataFrame"]').first
    box = editor.locator('[data-testid="data-grid-canvas"]').bounding_box()
    n_rows = editor.locator("tbody tr").count()
    assert box and n_rows > row
    row_h = box["height"] / (n_rows + 1)
    x, y = box["x"] + box["width"] - 30, box["y"] + row_h * (row + 1.5)
    cell_editor = pg.locator(".gdg-input").first
    for _ in range(5):  # the grid may still be drawing after a rerun: select the cell, open it, retry
        pg.mouse.click(x, y)
        pg.wait_for_timeout(300)
        pg.mouse.dblclick(x, y)
        try:
            cell_editor.wait_for(timeout=3_000)
            break
        except Exception:  # noqa: BLE001 (Playwright's TimeoutError: try again)
            pg.keyboard.press("Escape")
    cell_editor.fill(str(value))  # replaces the cell's text, as typing over a selection would
    pg.keyboard.press("Enter")


def test_editing_a_patient_count_changes_the_answer(page):
    _solve(page)
    classes = [r["klasse"] for r in _grid(page, "klasse")]
    row = classes.index("tung")
    first = {k: _metric(page, k).inner_text() for k in ("freed_total", "cost_change")}
    _edit_count(page, row, 30)
    # the shipped unit has 18 heavy patients; 30 must change the staffing, and so freed or cost
    page.wait_for_function(
        """([a, b]) => {
            const v = [...document.querySelectorAll('[data-testid="stMetricValue"]')].map(e => e.innerText);
            return v.length == 2 && (v[0] != a || v[1] != b);
        }""", arg=[first["freed_total"], first["cost_change"]], timeout=WAIT)
    assert _grid(page, "klasse")[row]["antall"] == "30"


def _open_tab(pg, part: str):
    """Switch the unit's tabs to label(tab_PART); its editor (the one visible table before the answer)."""
    pg.get_by_role("tab", name=label(f"tab_{part}")).click()
    editor = pg.locator('[data-testid="stDataFrame"]').filter(visible=True).first
    editor.locator('[data-testid="data-grid-canvas"]').wait_for()
    return editor


def _editor_rows(pg, editor) -> list[dict[str, str]]:
    """The rows an editor shows, as {header: text}: read until its accessible table is drawn (a tab's grid
    fills it some time after the tab opens)."""
    table = editor.locator("table").first
    for _ in range(40):
        heads = table.locator("thead th").all_inner_texts() or table.locator("th").all_inner_texts()
        rows = [tr.locator("td").all_inner_texts() for tr in table.locator("tbody tr").all()]
        if heads and rows and all(len(r) == len(heads) for r in rows):
            return [dict(zip(heads, r, strict=True)) for r in rows]
        pg.wait_for_timeout(500)
    raise AssertionError(f"editor: headers {heads} and rows {rows[:2]} never agreed")


def _select_cell(pg, editor, row: int) -> None:
    """Select the first cell of `row` (the grid is a canvas: aim at its left edge, one row below the header)."""
    box = editor.locator('[data-testid="data-grid-canvas"]').bounding_box()
    n_rows = editor.locator("tbody tr").count()
    assert box and n_rows > row
    row_h = box["height"] / (n_rows + 1)
    pg.mouse.click(box["x"] + 20, box["y"] + row_h * (row + 1.5))
    pg.wait_for_timeout(300)


def test_editing_a_task_minute_moves_the_answer(page):
    """morgenstell 30 -> 45 min in Oppgavetid (marked illustrative): more work on every day shift, and
    the page's answer (the cost change, or the freed årsverk) moves."""
    _solve(page)
    first = {k: _metric(page, k).inner_text() for k in ("freed_total", "cost_change")}
    editor = _open_tab(page, "task_minutes")
    rows = _editor_rows(page, editor)
    row = [r[label("task")] for r in rows].index("morgenstell")
    assert rows[row][label("catalogue_minutes")] == "30"
    heads = list(rows[row])
    # tick `illustrative` first (no change of the unit yet: the table keeps it), then type the minutes
    _select_cell(page, editor, row)
    for _ in range(heads.index(label("illustrative"))):
        page.keyboard.press("ArrowRight")
    page.keyboard.press(" ")
    page.wait_for_timeout(1000)
    for _ in range(heads.index(label("illustrative")) - heads.index(label("unit_minutes"))):
        page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    cell_editor = page.locator(".gdg-input").first
    cell_editor.wait_for(timeout=10_000)
    cell_editor.fill("45")
    page.keyboard.press("Enter")
    page.wait_for_function(
        """([a, b]) => {
            const v = [...document.querySelectorAll('[data-testid="stMetricValue"]')].map(e => e.innerText);
            return v.length == 2 && (v[0] != a || v[1] != b);
        }""", arg=[first["freed_total"], first["cost_change"]], timeout=WAIT)
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    rows = _editor_rows(page, _open_tab(page, "task_minutes"))
    assert rows[row][label("unit_minutes")] == "45"


def test_upload_of_a_unit_workbook(page, tmp_path):
    """A workbook from `leon template --from` the shipped nursing home, made inside a copy of the
    instances folder so its ../catalogue references keep the shipped layout."""
    import cli

    shutil.copytree(ROOT / "instances", tmp_path / "instances")
    book = tmp_path / "instances" / "units" / "enhet.xlsx"
    assert cli.main(["template", str(book), "--from", str(tmp_path / "instances" / "units" / "sykehjem.yaml")]) == 0
    _solve(page)
    shipped = _metric(page, "freed_total").inner_text()
    page.get_by_text(label("upload"), exact=True).click()
    page.get_by_text(label("upload_hint")).wait_for()
    _settled(page)
    page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(str(book))
    page.get_by_text("enhet.xlsx").first.wait_for()
    page.get_by_text(label("patients")).wait_for()  # the uploaded unit is read and its patients shown
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    _solve(page)
    # the workbook holds the shipped unit's values, so the page shows the same answer
    assert _metric(page, "freed_total").inner_text() == shipped


def test_download_of_the_excel_workbook(page, tmp_path):
    from openpyxl import load_workbook

    _solve(page)
    with page.expect_download() as info:
        page.get_by_role("button", name=label("download_xlsx")).click()
    download = info.value
    assert download.suggested_filename == "sykehjem.xlsx"
    path = tmp_path / "sykehjem.xlsx"
    download.save_as(path)  # the download itself has no extension
    wb = load_workbook(path)
    assert {"staffing", "årsverk", "binding"} <= set(wb.sheetnames)


def test_key_figures_are_in_view_after_solving(page, tmp_path):
    """At 1400×900 the two key figures show without scrolling (the page's first answer)."""
    _solve(page)
    assert page.evaluate("window.scrollY") == 0
    for key in ("freed_total", "cost_change"):
        box = page.locator('[data-testid="stMetric"]', has_text=label(key)).bounding_box()
        assert box, key
        assert 0 <= box["x"] and box["x"] + box["width"] <= 1400, (key, box)
        assert 0 <= box["y"] and box["y"] + box["height"] <= 900, (key, box)
    page.screenshot(path=str(tmp_path / "enhet-view.png"))
    if os.environ.get("LEON_SCREENSHOT"):  # refresh the README's picture: LEON_SCREENSHOT=1 pytest ...
        page.screenshot(path=str(SCREENSHOT), type="png", scale="css")


# ------------------------------------------------------------------------------------------ roster page
def _settled(pg) -> None:
    """Wait until the script run a click or Enter started has ended (Streamlit marks its root element). A
    file chosen while a run is being cut short by the next one can be lost on a busy machine; Streamlit's
    own browser tests wait the same way (the 210 ms let a debounced widget send its value first)."""
    pg.wait_for_timeout(210)
    pg.locator('[data-testid="stApp"][data-test-connection-state="CONNECTED"]').wait_for(state="attached")
    pg.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(state="attached")


def _open_page(pg, key: str) -> None:
    """Switch the sidebar's page choice to label(key)."""
    pg.locator('[data-testid="stSidebar"]').get_by_text(label(key), exact=True).click()
    _settled(pg)


def test_roster_audit_outlines_the_planted_violation(page, tmp_path):
    """The shipped nursing-home roster: the planted double weekend of ser02 is a hard violation, and the
    grid outlines its cell with a title naming the rule, the person and the date."""
    from app import roster_page

    _open_page(page, "page_roster")
    page.get_by_text(roster_page.label("title", "nb")).first.wait_for()
    cell = page.locator('td[title*="weekend_frequency"][title*="ser02"]').first
    cell.wait_for()
    title = cell.get_attribute("title")
    assert "2027-01-09" in title or "2027-01-16" in title or "2027-01-23" in title, title
    assert "red" in (cell.get_attribute("style") or "") or cell.evaluate(
        "e => getComputedStyle(e).borderTopColor") in ("rgb(255, 0, 0)", "rgb(204, 0, 0)", "rgb(220, 38, 38)"), \
        cell.evaluate("e => getComputedStyle(e).borderTopStyle + ' ' + getComputedStyle(e).borderTopColor")
    page.screenshot(path=str(tmp_path / "turnus.png"), full_page=True)


def _build_view(page, limit: int) -> None:
    """The roster page's build view with this time limit typed in."""
    from app import roster_page

    _open_page(page, "page_roster")
    page.get_by_text(roster_page.label("build"), exact=True).click()
    _settled(page)
    box = page.get_by_label(roster_page.label("time_limit"))
    box.fill(str(limit))
    box.press("Enter")
    _settled(page)


def _upload_start(page, path: Path) -> None:
    """Choose `path` in the build view's «Start fra en turnus» file input (the locks have one of their own
    below it) and wait for the server's caption, not the file name the browser shows at once: a click
    before the upload has arrived would build without it. If the caption has not come in 30 s, the file
    is chosen once more (a choice lost to a run cut short; the second one must arrive)."""
    from playwright.sync_api import TimeoutError as NotYet

    from app import roster_page

    t = roster_page.label
    box = page.locator('[data-testid="stFileUploader"]', has_text=t("improve_file"))
    ready = page.get_by_text(t("improve_ready").format(name=path.name)).first
    for attempt in range(2):
        box.locator("input[type=file]").set_input_files(str(path))
        try:
            ready.wait_for(timeout=30_000 if attempt == 0 else WAIT)
            break
        except NotYet:
            if attempt == 1:
                raise
            _settled(page)
    _settled(page)


def test_roster_build_shows_progress_and_stops_keeping_the_best(page, tmp_path):
    """A build with a 60 s limit: the progress line shows the best cost while it runs (the page polls the
    background build), and «Stopp og behold beste» ends it with the best legal roster so far."""
    from app import roster_page

    t = roster_page.label
    _build_view(page, 60)
    page.get_by_role("button", name=t("build_button")).click()
    page.get_by_text(re.compile(r"Bygger turnus .* beste kostnad \d")).first.wait_for()
    page.screenshot(path=str(tmp_path / "turnus-bygger.png"), full_page=True)
    page.get_by_role("button", name=t("stop_button")).click()
    asked = time.monotonic()
    page.get_by_text("Du stoppet søket etter").first.wait_for()
    assert time.monotonic() - asked < 30, "the stopped build took too long to show"
    assert page.get_by_text("Lovlig turnus funnet").first.is_visible()
    assert page.locator('[data-testid="stMetric"]', has_text=t("hard")).locator(
        '[data-testid="stMetricValue"]').inner_text() == "0"
    page.screenshot(path=str(tmp_path / "turnus-stoppet.png"), full_page=True)


def test_roster_build_from_an_uploaded_roster_says_where_it_started(page, tmp_path):
    """The build view's optional start roster: the shipped roster uploaded, a 5 s build from it, and the
    caption with the start's own score above the verdict."""
    from app import roster_page

    t = roster_page.label
    _build_view(page, 5)
    _upload_start(page, ROOT / "instances" / "rosters" / "sykehjem_6uker.csv")
    page.get_by_role("button", name=t("build_button")).click()
    page.get_by_text(re.compile(r"Startet fra sykehjem_6uker\.csv: mål [\d ]+, men \d+ harde brudd")).first.wait_for(
        timeout=120_000)
    assert page.get_by_text("Lovlig turnus funnet").first.is_visible()
    page.screenshot(path=str(tmp_path / "turnus-fra-dagens.png"), full_page=True)


# ------------------------------------------------------------------------------------------ national page
def test_small_national_scenario_runs_and_shows_its_tables(page, tmp_path):
    """Two relaxed draws of the default scenario: the horizon table and the freed split appear."""
    from app import national_page

    _open_page(page, "page_national")
    page.get_by_text(national_page.label("title", "nb")).first.wait_for()
    draws = page.get_by_label(national_page.label("draws", "nb"))
    draws.fill("2")
    draws.press("Enter")
    page.locator('[data-testid="stMainBlockContainer"]').get_by_role(
        "button", name=national_page.label("run", "nb")).click()
    page.get_by_role("button", name=national_page.label("download_xlsx", "nb")).wait_for()
    assert page.locator('[data-testid="stDataFrame"]').count() >= 2
    page.screenshot(path=str(tmp_path / "nasjonalt.png"), full_page=True)


def test_roster_rebuild_with_the_fewest_changes_says_how_many_cells_changed(page, tmp_path):
    """The build view's rebuild: the shipped roster uploaded, «Ombygging» chosen, a 5 s build, and the count of
    changed cells against the upload below the verdict."""
    from app import roster_page

    t = roster_page.label
    _build_view(page, 5)
    _upload_start(page, ROOT / "instances" / "rosters" / "sykehjem_6uker.csv")
    page.get_by_text(t("mode_keep")).click()
    page.get_by_text(t("keep_ready").format(name="sykehjem_6uker.csv")).first.wait_for()
    page.get_by_role("button", name=t("build_button")).click()
    page.get_by_text(re.compile(r"Endret \d+ av 2268 celler mot sykehjem_6uker\.csv")).first.wait_for(timeout=120_000)
    assert page.get_by_text("Lovlig turnus funnet").first.is_visible()
    page.screenshot(path=str(tmp_path / "turnus-ombygging.png"), full_page=True)
