"""The drawing pads in real Chromium, as a first-time user meets them: a stroke drawn straight away lands on the
VAE's map with the whole view updated; Clear wipes the pad; a finger draws without scrolling the page; the
interpolation's pads feed Interpolate."""
import pytest

from app_server import need_chromium, open_page, touch

pytestmark = pytest.mark.browser

need_chromium()
OVERLAY = "(sel) => document.querySelector(sel + ' .lm').latentMap.state.overlayCount"
PAD = "#recon-pad"
HEADING = ("() => [...document.querySelectorAll('h3')].some(h => h.textContent.startsWith('This image'))")
# The share of the pad's canvas pixels that are not black (ink).
INK = """(sel) => { const c = document.querySelector(sel + ' canvas');
  const a = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let ink = 0; for (let i = 0; i < a.length; i += 4) if (a[i] > 0) ink += 1; return ink / (a.length / 4); }"""


def pad_box(page, sel: str) -> dict:
    page.locator(sel).scroll_into_view_if_needed()
    page.wait_for_function("() => !!window.DrawPadModule", timeout=30_000)
    return page.locator(f"{sel} canvas").bounding_box()


def stroke(page, box: dict, x: float = 0.45, steps: int = 12) -> None:
    """Press, drag down with a little wiggle, release: a line a user would draw (x: share of the width)."""
    x0, y0 = box["x"] + box["width"] * x, box["y"] + box["height"] * 0.25
    page.mouse.move(x0, y0)
    page.mouse.down()
    for i in range(1, steps + 1):
        page.mouse.move(x0 + (i % 3) * 4, y0 + i * box["height"] * 0.04)
    page.mouse.up()


def test_a_first_stroke_lands_on_the_vae_map_and_clear_wipes_the_pad(app_url, browser, shots):
    page, errors = open_page(browser, app_url, 1366, 768)
    page.get_by_role("tab", name="Reconstruct").click()
    box = pad_box(page, PAD)
    hint = page.locator(f"{PAD} .dp-hint")
    assert page.evaluate(OVERLAY, "#map-vae") == 0 and page.evaluate(INK, PAD) == 0 and hint.is_visible()
    stroke(page, box)
    assert page.evaluate(INK, PAD) > 0.01 and not hint.is_visible()
    page.wait_for_function(OVERLAY + " >= 3", arg="#map-vae", timeout=30_000)   # μ and two rings
    page.wait_for_function(HEADING, timeout=30_000)
    assert page.locator("#preprocess-steps img").count() >= 2   # the drawing's preprocessing, step by step
    page.screenshot(path=str(shots / "reconstruct-drawing.png"))
    page.locator(f"{PAD} .dp-clear").click()
    assert page.evaluate(INK, PAD) == 0 and hint.is_visible()
    page.close()
    assert not errors, errors


def test_the_pads_label_and_clear_button_sit_above_a_whole_canvas(app_url, browser):
    page, errors = open_page(browser, app_url, 1366, 768)
    page.get_by_role("tab", name="Reconstruct").click()
    canvas = pad_box(page, PAD)
    label, clear = (page.locator(f"{PAD} {s}").bounding_box() for s in (".dp-label", ".dp-clear"))
    assert label["x"] + label["width"] <= clear["x"], (label, clear)
    assert max(label["y"] + label["height"], clear["y"] + clear["height"]) <= canvas["y"] + 1
    assert canvas["width"] >= 200 and abs(canvas["width"] - canvas["height"]) < 1
    page.close()
    assert not errors, errors


def test_a_finger_draws_on_a_phone_without_scrolling_the_page(app_url, browser):
    page, errors = open_page(browser, app_url, 390, 844, 2, touch=True)
    page.get_by_role("tab", name="Reconstruct").click()
    box = pad_box(page, PAD)
    scrolled = page.evaluate("() => scrollY")
    cdp = page.context.new_cdp_session(page)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.2
    touch(cdp, "touchStart", (x, y))
    for k in range(1, 8):
        touch(cdp, "touchMove", (x, y + 20 * k))   # an upward page swipe would move it by 140 px
    touch(cdp, "touchEnd")
    assert page.evaluate("() => scrollY") == scrolled
    assert page.evaluate(INK, PAD) > 0.01
    page.wait_for_function(OVERLAY + " >= 3", arg="#map-vae", timeout=30_000)
    page.close()
    assert not errors, errors


def test_interpolate_starts_from_the_drawing_on_its_start_pad(app_url, browser):
    page, errors = open_page(browser, app_url, 1366, 768)
    page.get_by_role("tab", name="Generate").click()

    def filmstrip() -> str:
        button = page.get_by_role("button", name="Interpolate")
        button.scroll_into_view_if_needed()
        before = page.evaluate(FILM_SRC)
        button.click()
        page.wait_for_function(f"(before) => ({FILM_SRC})() && ({FILM_SRC})() !== before", arg=before, timeout=30_000)
        return page.evaluate(FILM_SRC)

    without = filmstrip()       # an empty start: the first test image of the first class
    stroke(page, pad_box(page, "#interp-start-pad"), x=0.3)
    page.wait_for_timeout(1000)  # the stroke's event puts the drawing in the view's state (a ~50 ms round trip)
    drawn = filmstrip()
    assert drawn != without
    page.close()
    assert not errors, errors


FILM_SRC = ("() => { const img = [...document.querySelectorAll('img')].find((i) => (i.alt || '').startsWith("
            "'the start image')); return img ? img.src : null; }")
