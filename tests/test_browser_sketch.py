"""The Reconstruct view's sketchpad in real Chromium, as a first-time user meets it: a stroke drawn straight away,
without picking a tool, lands on the VAE's map; the label is not covered by the toolbar. At 1366x768."""
import pytest

from app_server import need_chromium, shipped_app_page

pytestmark = pytest.mark.browser

need_chromium()
OVERLAY = "(sel) => document.querySelector(sel + ' .lm').latentMap.state.overlayCount"
PAD = "#recon-sketch"
# Drawable: the canvas is up and gradio's "select the draw tool to start" prompt (.empty.wrap) is gone.
READY = """(sel) => { const pad = document.querySelector(sel);
  return !!(pad && pad.querySelector('canvas') && pad.querySelector('.toolbar-wrap button')
            && !pad.querySelector('.empty.wrap')); }"""


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    with shipped_app_page(tmp_path_factory.mktemp("log"), viewport=(1366, 768)) as pg:
        yield pg


def box(pg, selector: str) -> dict:
    return pg.locator(selector).first.bounding_box()


def stroke(pg, x0: float, y0: float, steps: int = 12, dy: float = 12) -> None:
    """Press, drag down with a little wiggle, release: a line a user would draw."""
    pg.mouse.move(x0, y0)
    pg.mouse.down()
    for i in range(1, steps + 1):
        pg.mouse.move(x0 + (i % 3) * 4, y0 + i * dy)
    pg.mouse.up()


def test_a_first_stroke_draws_without_picking_a_tool_and_lands_on_the_vae_map(page, shots):
    page.get_by_role("tab", name="Reconstruct").click()
    pad = page.locator(PAD)
    pad.scroll_into_view_if_needed()
    page.wait_for_function(READY, arg=PAD, timeout=30_000)
    assert page.evaluate(OVERLAY, "#map-vae") == 0
    canvas = box(page, f"{PAD} canvas")
    stroke(page, canvas["x"] + canvas["width"] * 0.45, canvas["y"] + canvas["height"] * 0.25)
    page.wait_for_function(OVERLAY + " >= 3", arg="#map-vae", timeout=60_000)   # μ and two rings
    page.wait_for_function("() => !!document.querySelector('h3') && "
                           "[...document.querySelectorAll('h3')].some(h => h.textContent.startsWith('This image'))",
                           timeout=30_000)
    page.screenshot(path=str(shots / "reconstruct-sketch.png"))


def test_the_sketchpads_label_is_not_under_its_toolbar(page):
    page.get_by_role("tab", name="Reconstruct").click()
    page.wait_for_function("(sel) => !!document.querySelector(sel + ' canvas')", arg=PAD, timeout=30_000)
    label = box(page, f"{PAD} [data-testid=block-label]")
    tools = box(page, f"{PAD} .top-panel")
    apart = (label["x"] + label["width"] <= tools["x"] or tools["x"] + tools["width"] <= label["x"]
             or label["y"] + label["height"] <= tools["y"] or tools["y"] + tools["height"] <= label["y"])
    assert apart, (label, tools)
    canvas, pad = box(page, f"{PAD} canvas"), box(page, PAD)
    assert canvas["y"] + canvas["height"] <= pad["y"] + pad["height"] + 1, "the drawing area is cut off"


@pytest.mark.parametrize("pad", ["#interp-start-sketch", "#interp-end-sketch"])
def test_the_interpolation_sketchpads_start_with_the_brush_too(page, pad):
    page.get_by_role("tab", name="Generate").click()
    page.locator(pad).scroll_into_view_if_needed()
    page.wait_for_function(READY, arg=pad, timeout=30_000)
