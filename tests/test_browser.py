"""What a learner sees: notebooks 01 and 05 in JupyterLab, in a real (headless) Chromium.

A JupyterLab server from this venv on 127.0.0.1 (a free port, a random token, its own settings and
runtime folders, copies of the notebooks in a temporary folder so nothing is saved into the repository)
and Debian's Chromium driven by Selenium through /usr/bin/chromedriver (installed by `make test` with
scripts/install-chromium.sh; nothing here downloads a browser). The test runs each notebook as a
learner would (Run All), then drags the step slider, presses play and clicks Train (moons, then xor),
and checks what is on screen: no error output, graph pictures within the output area, the frame and
its words changing together, the training status updating, no errors in the browser console.

Skipped when Chromium, chromedriver or Selenium are missing (`make test` installs them). Screenshots
go to $BROWSER_TEST_SCREENSHOTS when that is set (for looking at what a learner sees).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"

if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
    pytest.skip(
        "needs Debian's chromium and chromium-driver (make test installs them)", allow_module_level=True
    )
webdriver = pytest.importorskip("selenium.webdriver")
pytest.importorskip("jupyterlab")
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

pytestmark = pytest.mark.slow

NOTEBOOKS = ["01_chain_rule_three_ways.ipynb", "05_train_interactively.ipynb"]
WIDTH, HEIGHT = 1400, 1000  # a laptop-sized window: JupyterLab's output area is about 950 px wide


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(what: str, check: Callable[[], Any], timeout: float = 60.0, every: float = 0.25) -> Any:
    """Poll `check` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A JupyterLab server on 127.0.0.1 serving copies of the notebooks; yields its base URL with token."""
    home = tmp_path_factory.mktemp("lab")
    work = home / "notebooks"
    work.mkdir()
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / name, work / name)
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={work}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",  # no look-ups on a package index
            *(["--allow-root"] if os.geteuid() == 0 else []),  # CI runs as root in a container
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=work,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            if server.poll() is not None:
                raise AssertionError(f"JupyterLab exited: {(home / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        wait_for("JupyterLab to answer", up, timeout=90)
        yield f"{base}/lab/tree/{{name}}?token={token}&reset"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Debian Chromium through /usr/bin/chromedriver, with a fresh profile; quit at the end."""
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",  # as root in a container
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--window-size={WIDTH},{HEIGHT}",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        driver.set_page_load_timeout(60)
        driver.set_script_timeout(60)
        yield driver
    finally:
        driver.quit()


def screenshot(driver: Any, name: str) -> None:
    folder = os.environ.get("BROWSER_TEST_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def open_and_run_all(driver: Any, url: str, timeout: float = 150) -> None:
    """Open a notebook, wait for its kernel, run all cells and wait until every code cell has run."""
    driver.get(url)
    wait_for(
        "the notebook to open", lambda: driver.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-Cell")
    )
    wait_for(
        "the kernel to be idle",
        lambda: driver.execute_script(
            "const w = window.jupyterapp.shell.currentWidget;"
            "return !!(w && w.sessionContext && w.sessionContext.session"
            " && w.sessionContext.session.kernel && w.sessionContext.session.kernel.status === 'idle');"
        ),
        timeout=60,
    )
    driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells');")

    def all_ran() -> bool:
        prompts = driver.execute_script(
            "return [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell "
            ".jp-InputArea-prompt')].map(p => p.textContent.trim());"
        )
        return bool(prompts) and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts)

    wait_for("every cell to run", all_ran, timeout=timeout, every=0.5)


def assert_no_error_output(driver: Any) -> None:
    errors = driver.execute_script(
        "return [...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="
        '"application/vnd.jupyter.stderr"], .jp-OutputArea-output[data-mime-type='
        '"application/vnd.jupyter.error"], .autograd-lite-error-message\')]'
        ".map(e => e.textContent.slice(0, 500));"
    )
    assert not errors, f"error output on the page: {errors}"


def assert_graphs_fit(driver: Any) -> int:
    """Every Graphviz picture (inline <svg>, or <img> of an SVG output) lies within its output area.

    Returns how many there are.
    """
    boxes = driver.execute_script(
        "const inline = [...document.querySelectorAll('.jp-OutputArea-output svg')]"
        ".filter(s => s.querySelector('g.graph'));"
        "const images = [...document.querySelectorAll("
        "'.jp-OutputArea-output[data-mime-type=\"image/svg+xml\"] img')];"
        "return [...inline, ...images].map(s => { const r = s.getBoundingClientRect();"
        " const a = s.closest('.jp-OutputArea-output').getBoundingClientRect();"
        " return [r.left, r.right, r.width, a.left, a.right, a.width]; });"
    )
    for left, right, width, a_left, a_right, a_width in boxes:
        assert width > 0
        assert left >= a_left - 1 and right <= a_right + 1, (
            f"a graph {width:.0f} px wide overflows its {a_width:.0f} px output area"
        )
    return len(boxes)


def console_errors(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def step_text(driver: Any) -> str:
    texts = driver.execute_script(
        "return [...document.querySelectorAll('.jp-OutputArea-output .widget-html pre')]"
        ".map(p => p.textContent).filter(t => /^step \\d+ of \\d+/.test(t));"
    )
    assert len(texts) == 1, f"expected the step widget's words once, found {len(texts)}"
    return str(texts[0])


def step_state(driver: Any) -> tuple[int, int, str]:
    """(slider readout, step number in the words, the highlighted frame's SVG)."""
    readout = driver.find_element(By.CSS_SELECTOR, ".widget-hslider .widget-readout").text
    words = re.match(r"step (\d+) of \d+", step_text(driver))
    assert words
    svg = driver.execute_script(
        "const p = [...document.querySelectorAll('.jp-OutputArea-output .widget-html')]"
        ".find(h => h.querySelector('svg g.graph')); return p ? p.innerHTML : '';"
    )
    return int(readout), int(words.group(1)), svg


def test_notebook_01_steps_through_backprop(lab: str, browser: Any) -> None:
    driver = browser
    open_and_run_all(driver, lab.format(name=NOTEBOOKS[0]))
    assert_no_error_output(driver)
    assert assert_graphs_fit(driver) >= 3  # draw_graph, one frame, the step widget's frame
    slider = wait_for("the step widget", lambda: driver.find_elements(By.CSS_SELECTOR, ".widget-hslider"))[0]
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", slider)
    k, n, first_svg = step_state(driver)
    assert (k, n) == (1, 1), "the widget starts at step 1, in the slider and in the words"
    screenshot(driver, "01-step-1")

    handle = slider.find_element(By.CSS_SELECTOR, ".noUi-handle")
    track = slider.find_element(By.CSS_SELECTOR, ".noUi-target")
    ActionChains(driver).click_and_hold(handle).move_by_offset(
        track.size["width"] // 2, 0
    ).release().perform()
    k, n, svg = wait_for(
        "the dragged slider to show another step", lambda: (s := step_state(driver))[0] > 1 and s
    )
    wait_for("the words to follow the slider", lambda: step_state(driver)[1] == step_state(driver)[0])
    k, n, svg = step_state(driver)
    assert k == n > 1 and svg != first_svg, "after a drag, frame and words show the slider's step"
    assert_graphs_fit(driver)
    screenshot(driver, "01-step-dragged")

    ActionChains(driver).click_and_hold(handle).move_by_offset(-track.size["width"], 0).release().perform()
    wait_for("the slider back at step 1", lambda: step_state(driver)[:2] == (1, 1))
    play = driver.find_element(By.CSS_SELECTOR, ".widget-play button")
    play.click()
    seen = set()

    def advanced_to_the_end() -> bool:
        k, n, _ = step_state(driver)
        assert k >= n - 1, f"the words (step {n}) lag behind the slider (step {k})"
        seen.add(k)
        return k == 7 and n == 7

    wait_for("play to reach the last step", advanced_to_the_end, timeout=30, every=0.1)
    assert len(seen) >= 3, f"play should show the steps one after another, saw {sorted(seen)}"
    assert "grad ?" not in step_state(driver)[2], "after the last step every gradient is known"
    screenshot(driver, "01-played")
    assert_no_error_output(driver)
    assert console_errors(driver) == []


def test_notebook_05_trains_from_the_button(lab: str, browser: Any) -> None:
    driver = browser
    open_and_run_all(driver, lab.format(name=NOTEBOOKS[1]), timeout=240)
    assert_no_error_output(driver)
    assert assert_graphs_fit(driver) >= 1
    status = driver.find_element(By.XPATH, "//div[contains(@class,'widget-html')][contains(., 'done after')]")
    panel = status.find_element(By.XPATH, "ancestor::div[contains(@class,'widget-vbox')][1]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'});", panel)
    before = status.text
    screenshot(driver, "05-after-run-all")

    def set_text(description: str, value: str) -> None:
        box = panel.find_element(
            By.XPATH,
            f".//div[contains(@class,'widget-text')][.//label[normalize-space()='{description}']]//input",
        )
        box.clear()
        box.send_keys(value)

    Select(
        panel.find_element(By.XPATH, ".//div[.//label[normalize-space()='data set']]//select")
    ).select_by_value("moons")
    set_text("hidden sizes", "8")
    button = panel.find_element(By.XPATH, ".//button[normalize-space()='Train']")
    button.click()
    wait_for(
        "the status to show progress",
        lambda: status.text != before and status.text.startswith(("epoch", "done")),
    )
    wait_for("moons to finish", lambda: status.text.startswith("done after"), timeout=120)
    assert "test accuracy" in status.text
    screenshot(driver, "05-moons")

    Select(
        panel.find_element(By.XPATH, ".//div[.//label[normalize-space()='data set']]//select")
    ).select_by_value("xor")
    before = status.text
    button.click()
    wait_for(
        "xor to finish", lambda: status.text != before and status.text.startswith("done after"), timeout=120
    )
    assert "train accuracy" in status.text and "no validation or test data" in status.text
    assert_no_error_output(driver)
    assert assert_graphs_fit(driver) >= 1
    screenshot(driver, "05-xor")
    assert console_errors(driver) == []
