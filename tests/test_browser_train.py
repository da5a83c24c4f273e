"""The Train view in Chromium: Train redraws the map and the curves as the model learns, Stop ends the run keeping
its model, which the picker then offers (its map drags) and the download button hands over as a bundle that the
project's loader loads; a page that goes away takes its run with it (the next user does not wait for it)."""
import re
import time
import zipfile

import pytest

from app_server import need_chromium, open_page
from explorer.bundle import load_bundle

pytestmark = pytest.mark.browser

need_chromium()
STATUS = "#train-status"
EPOCH = re.compile(r"Epoch (\d+) of")


def open_train(browser, url):
    page, errors = open_page(browser, url)
    page.get_by_role("tab", name="Train").click()
    page.wait_for_selector("#train-button", timeout=30_000)
    return page, errors


def status(page) -> str:
    return page.locator(STATUS).inner_text()


def set_slider(page, label: str, value: int) -> None:
    box = page.locator(f'input[aria-label="number input for {label}"]')   # the slider's number field
    box.fill(str(value))
    box.press("Enter")


def test_train_redraws_the_map_and_curves_then_stop_keeps_a_model_to_pick_drag_and_download(app_url, browser, shots,
                                                                                             tmp_path):
    page, errors = open_train(browser, app_url)
    set_slider(page, "Epochs", 100)   # ~30 s of digits epochs: Stop comes before the end
    page.locator("#train-button").click()
    seen = set()
    deadline = time.monotonic() + 90
    while len(seen) < 3 and time.monotonic() < deadline:
        m = EPOCH.search(status(page))
        if m:
            seen.add(int(m.group(1)))
        page.wait_for_timeout(100)
    assert len(seen) >= 3, (seen, status(page))
    # the map has one trace per digit, the curves a point per epoch shown
    n_classes = page.evaluate("() => document.querySelector('#train-map .js-plotly-plot').data.length")
    points = page.evaluate("() => document.querySelector('#train-curves .js-plotly-plot').data[0].x.length")
    redrawn = page.evaluate("() => Number(document.querySelector('#train-map .lf-plot').dataset.shown)")
    assert n_classes == 10 and points >= 3 and redrawn >= 3   # the same plot, moved to each new epoch's codes
    page.locator("#stop-button").click()
    try:
        page.wait_for_function(f"() => document.querySelector('{STATUS}').innerText.includes('Kept as')",
                               timeout=30_000)
    except Exception:
        raise AssertionError(f"no kept model after Stop; the status says {status(page)!r}") from None
    page.wait_for_timeout(1500)
    assert status(page).startswith("Stopped"), status(page)   # no epoch after the stop
    page.screenshot(path=str(shots / "train.png"))
    pair = re.search(r"Kept as (\S+):", status(page)).group(1)
    # the picker offers the kept model; picked, its map is drawn and a drag decodes along it
    page.locator("#header-row input[role=combobox]").click()
    page.get_by_role("option", name=re.compile(f"Trained here.*{pair}")).click()
    page.wait_for_function(MAP_IS, arg=f"{pair}/vae", timeout=30_000)
    frames = lm_eval(page, "(m) => m.log.frames.length")
    page.locator("#map-vae").scroll_into_view_if_needed()
    x, y = lm_eval(page, CURSOR_ON_PAGE)
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 21):
        page.mouse.move(x + 4 * i, y - 3 * i)
        page.wait_for_timeout(20)
    page.mouse.up()
    page.wait_for_function("() => !document.querySelector('#map-vae .lm').latentMap.busy()", timeout=10_000)
    assert lm_eval(page, "(m) => m.log.frames.length") >= frames + 5
    assert lm_eval(page, "(m) => m.state.last && m.state.payload.bundle") == f"{pair}/vae"
    # its bundle downloads and loads with the project's own loader
    with page.expect_download() as event:
        page.locator("#train-download").click()
    archive = tmp_path / "model.zip"
    event.value.save_as(archive)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path / "unzipped")
    bundle = load_bundle(tmp_path / "unzipped" / pair / "vae")
    assert bundle.dataset == "digits" and bundle.latent_dim == 2 and bundle.code_history is not None
    page.close()
    assert not errors, errors


MAP_IS = "(key) => { const m = document.querySelector('#map-vae .lm').latentMap; return m.state.ready && m.state.payload.bundle === key; }"
CURSOR_ON_PAGE = """(m) => { const f = m.frame(); const [cx, cy] = m.dataToPixel(m.state.cursor[0], m.state.cursor[1], f);
  const r = m.element.querySelector('.lm-plot').getBoundingClientRect(); return [r.left + cx, r.top + cy]; }"""


def lm_eval(page, fn: str):
    """fn(latentMap of the VAE map), evaluated in the page."""
    return page.evaluate(f"() => ({fn})(document.querySelector('#map-vae .lm').latentMap)")


def test_a_closed_page_takes_its_run_with_it(app_url, browser):
    first, _ = open_train(browser, app_url)
    set_slider(first, "Epochs", 100)   # ~30 s of digits epochs
    first.locator("#train-button").click()
    first.wait_for_function(f"() => /Epoch \\d+ of/.test(document.querySelector('{STATUS}').innerText)",
                            timeout=60_000)
    assert " of 100," in status(first), status(first)
    first.close()   # its run has ~25 s to go; the one training slot must free at once
    second, errors = open_train(browser, app_url)
    t0 = time.monotonic()
    second.locator("#train-button").click()
    second.wait_for_function(f"() => /Epoch \\d+ of/.test(document.querySelector('{STATUS}').innerText)",
                             timeout=60_000)
    waited = time.monotonic() - t0
    second.locator("#stop-button").click()
    second.close()
    assert waited < 8, f"the second page waited {waited:.1f} s for its first epoch"
    assert not errors, errors


def test_a_vae_and_its_twin_train_side_by_side_and_come_back_as_a_pair(app_url, browser):
    page, errors = open_train(browser, app_url)
    page.get_by_label("VAE and AE").check()
    page.wait_for_selector("#train-twin-map", state="visible", timeout=10_000)
    set_slider(page, "Epochs", 4)
    page.locator("#train-button").click()
    page.wait_for_function(f"() => document.querySelector('{STATUS}').innerText.includes('Kept as')", timeout=90_000)
    maps = page.evaluate("""() => ['#train-map', '#train-twin-map'].map((s) =>
      document.querySelector(s + ' .js-plotly-plot').layout.title.text)""")
    assert maps[0].startswith("VAE") and maps[1].startswith("AE"), maps
    pair = re.search(r"Kept as (\S+):", status(page)).group(1)
    page.locator("#header-row input[role=combobox]").click()
    page.get_by_role("option", name=re.compile(f"Trained here.*{pair}")).click()
    for sel, kind in (("#map-vae", "vae"), ("#map-ae", "ae")):   # both maps of the new pair, ready to drag
        page.wait_for_function("([sel, key]) => { const m = document.querySelector(sel + ' .lm').latentMap;"
                               " return m.state.ready && m.state.payload.bundle === key; }",
                               arg=[sel, f"{pair}/{kind}"], timeout=30_000)
    page.close()
    assert not errors, errors
