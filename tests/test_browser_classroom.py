"""The page in a classroom, in Chromium: presenter mode on a projector's screen, the map from the keyboard, the
help a touch screen gets, and the guided lesson."""
import pytest

from app_server import MAP_READY, ROOT, need_chromium, open_page, touch

pytestmark = pytest.mark.browser
need_chromium()

# Projector screens (CSS px at the zoom given): 1024x768 and 1280x720, at 100 % and at 150 %.
SCREENS = {"1024x768": (1024, 768, 1), "1280x720": (1280, 720, 1), "1024x768 at 150%": (683, 512, 1.5),
           "1280x720 at 150%": (853, 480, 1.5)}

# Boxes of what must be on one screen, and the smallest text shown on or beside the maps (HTML and SVG).
LAYOUT = """() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const out = { vw: innerWidth, vh: innerHeight, boxes: {} };
  for (const id of ['map-vae', 'map-ae']) {
    out.boxes[id + ' plot'] = box(document.querySelector(`#${id} .lm-plot`));
    out.boxes[id + ' decode'] = box(document.querySelector(`#${id} .lm-decode`));
  }
  out.boxes.tabs = box(document.querySelector('#views [role=tab]'));
  for (const id of ['lesson-button', 'leave-present-button', 'fullscreen-button']) {
    out.boxes[id] = box(document.querySelector('#' + id));
  }
  let min = Infinity, at = '';
  for (const id of ['map-vae', 'map-ae']) {
    for (const el of document.querySelectorAll(`#${id} *`)) {
      const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!text || el.closest('[hidden], .lm-said')) continue;
      const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
      if (!r.width || !r.height || cs.visibility === 'hidden') continue;
      const size = parseFloat(cs.fontSize);
      if (size < min) { min = size; at = `${el.tagName} "${el.textContent.trim().slice(0, 30)}"`; }
    }
  }
  out.minFont = min; out.minFontAt = at;
  return out; }"""


@pytest.mark.parametrize("screen", list(SCREENS))
def test_presenter_mode_holds_both_maps_both_decodes_and_the_tabs_on_one_screen(app_url, browser, screen, shots):
    width, height, scale = SCREENS[screen]
    page, errors = open_page(browser, app_url + "?present=1", width, height, scale)
    page.wait_for_timeout(500)   # the plots' restyle after the layout settles
    got = page.evaluate(LAYOUT)
    for name, (left, top, right, bottom) in got["boxes"].items():
        assert left >= 0 and top >= 0 and right <= got["vw"] + 1 and bottom <= got["vh"] + 1, \
            f"{screen}: {name} at {[round(v) for v in (left, top, right, bottom)]} is not on the first screen"
    assert got["minFont"] >= 18, f"{screen}: {got['minFontAt']} is {got['minFont']} px"
    decode = got["boxes"]["map-vae decode"]
    assert decode[2] - decode[0] >= 120, f"{screen}: the decoded image is only {decode[2] - decode[0]:.0f} px wide"
    if screen == "1024x768 at 150%":
        page.screenshot(path=str(shots / "presenter.png"))
    page.close()
    assert not errors, errors


def test_a_laptop_screen_shows_both_maps_with_their_legends_and_the_tabs(app_url, browser):
    """1366x768, the normal page: the first screen holds both maps, their legends and the tab bar, and the nearest
    images' captions are whole class names."""
    page, errors = open_page(browser, app_url, 1366, 768)
    boxes = page.evaluate("""() => { const box = (el) => { const r = el.getBoundingClientRect();
      return [r.left, r.top, r.right, r.bottom]; }; const out = {};
      for (const id of ['map-vae', 'map-ae']) { out[id] = box(document.querySelector(`#${id} .lm-plot`));
        out[id + ' legend'] = box(document.querySelector(`#${id} .legend`)); }
      out.tabs = box(document.querySelector('#views [role=tablist]') || document.querySelector('#views [role=tab]'));
      return out; }""")
    for name, (left, top, right, bottom) in boxes.items():
        assert left >= 0 and top >= 0 and right <= 1366 and bottom <= 768, (name, boxes[name])
    page.wait_for_function("() => [...document.querySelectorAll('#map-vae .lm-nn figcaption')].every("
                           "(c) => c.textContent && c.scrollWidth <= c.clientWidth + 1 && c.scrollHeight <= c.clientHeight + 1)")
    page.close()
    assert not errors, errors


def test_the_presenter_button_switches_the_mode_and_the_url_keeps_it(app_url, browser):
    page, errors = open_page(browser, app_url, 1366, 768)
    root_has = "() => document.documentElement.classList.contains('lm-present')"
    assert not page.evaluate(root_has)
    assert page.evaluate("() => getComputedStyle(document.querySelector('#map-vae .lm-nn')).display") != "none"
    page.click("#present-button")
    page.wait_for_function(root_has)
    assert "present=1" in page.url
    assert page.evaluate("() => getComputedStyle(document.querySelector('#map-vae .lm-nn')).display") == "none"
    # the plots were restyled for the projector: their tick labels are 18 px now
    page.wait_for_function("() => [...document.querySelectorAll('#map-vae .xtick text')].every("
                           "(t) => parseFloat(getComputedStyle(t).fontSize) >= 18)")
    page.click("#leave-present-button")
    page.wait_for_function(f"() => !({root_has})()")
    assert "present" not in page.url
    page.close()
    assert not errors, errors


def test_the_map_moves_from_the_keyboard_and_says_where_it_is(app_url, browser):
    page, errors = open_page(browser, app_url, 1366, 900)
    sel = "#map-vae .lm"
    before = page.evaluate(f"() => document.querySelector('{sel}').latentMap.state.cursor.slice()")
    seq = page.evaluate(f"() => document.querySelector('{sel}').latentMap.state.seq")
    page.focus("#map-vae .lm-mapwrap")
    assert page.evaluate("() => document.activeElement.classList.contains('lm-mapwrap')")
    label = page.get_attribute("#map-vae .lm-mapwrap", "aria-label")
    assert "Arrow keys move the cursor" in label, label
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowUp")
    page.wait_for_function(MAP_READY, arg="#map-vae")
    after = page.evaluate(f"() => document.querySelector('{sel}').latentMap.state.cursor.slice()")
    assert after[0] > before[0] and after[1] > before[1], (before, after)
    assert page.evaluate(f"() => document.querySelector('{sel}').latentMap.state.seq") >= seq + 2
    # the decoded image is named by where it is, and a screen reader hears it once the cursor rests
    canvas_label = page.get_attribute("#map-vae .lm-decode", "aria-label")
    coords = page.text_content("#map-vae .lm-coords")
    assert canvas_label == f"decoded image at {coords.strip()}"
    page.wait_for_function("() => document.querySelector('#map-vae .lm-said').textContent.includes('nearest test image')")
    assert page.text_content("#map-vae .lm-said").startswith(coords.strip())
    # + zooms in around the cursor, 0 shows the whole map again
    width = "() => { const f = document.querySelector('#map-vae .lm').latentMap.frame(); return f.x1 - f.x0; }"
    whole = page.evaluate(width)
    page.keyboard.press("+")
    page.wait_for_function(f"() => ({width})() < {whole} * 0.6")
    page.keyboard.press("0")
    page.wait_for_function(f"() => Math.abs(({width})() - {whole}) < {whole} * 0.05")
    # plotly's toolbar buttons are out of the tab order: Tab from the map goes on to the next map
    assert page.evaluate("() => [...document.querySelectorAll('#map-vae .modebar-btn')].every("
                         "(b) => b.getAttribute('tabindex') === '-1')")
    page.close()
    assert not errors, errors


def test_a_touch_screen_gets_touch_help(app_url, browser):
    page, errors = open_page(browser, app_url, 390, 844, 2, touch=True)
    shown = page.evaluate("() => [...document.querySelectorAll('#map-vae .lm-help span')].filter("
                          "(s) => getComputedStyle(s).display !== 'none').map((s) => s.textContent)")
    assert len(shown) == 1 and "tap anywhere" in shown[0] and "scroll to zoom" not in shown[0], shown
    page.close()
    assert not errors, errors


def test_a_finger_grabs_the_cursor_from_30_px_pinches_the_map_and_swipes_the_page(app_url, browser):
    page, errors = open_page(browser, app_url, 390, 844, 2, touch=True)
    cdp = page.context.new_cdp_session(page)
    sel = "#map-vae .lm"
    page.locator("#map-vae .lm-plot").scroll_into_view_if_needed()
    state = f"() => {{ const m = document.querySelector('{sel}').latentMap; const f = m.frame(); " \
            "const r = m.element.querySelector('.lm-plot').getBoundingClientRect(); " \
            "const [cx, cy] = m.dataToPixel(m.state.cursor[0], m.state.cursor[1], f); " \
            "return { cursor: m.state.cursor.slice(), seq: m.state.seq, width: f.x1 - f.x0, " \
            "at: [r.left + cx, r.top + cy], mid: [r.left + f.l + f.w / 2, r.top + f.t + f.h / 2] }; }"
    s0 = page.evaluate(state)
    # a finger lands 30 px right of the ring and drags 40 px down: the cursor follows, the decode with it
    x, y = s0["at"][0] + 30, s0["at"][1]
    touch(cdp, "touchStart", (x, y))
    for k in range(1, 5):
        touch(cdp, "touchMove", (x, y + 10 * k))
    touch(cdp, "touchEnd")
    page.wait_for_function(MAP_READY, arg="#map-vae")
    s1 = page.evaluate(state)
    assert s1["cursor"][1] < s0["cursor"][1] and s1["seq"] > s0["seq"], (s0, s1)
    # two fingers spread from 40 to 120 px apart, away from the ring: the map zooms in (its x range shrinks)
    mx, my = s1["mid"][0], s1["at"][1] + (90 if s1["at"][1] < s1["mid"][1] else -90)
    touch(cdp, "touchStart", (mx - 20, my), (mx + 20, my))
    for k in range(1, 5):
        touch(cdp, "touchMove", (mx - 20 - 10 * k, my), (mx + 20 + 10 * k, my))
    touch(cdp, "touchEnd")
    page.wait_for_function(f"() => ({state})().width < {s1['width']} * 0.6")
    # a swipe up on the legend, under the data area, scrolls the page
    legend = page.locator("#map-vae .legend").bounding_box()
    scrolled = page.evaluate("() => scrollY")
    lx, ly = legend["x"] + legend["width"] / 2, legend["y"] + legend["height"] / 2
    touch(cdp, "touchStart", (lx, ly))
    for k in range(1, 6):
        touch(cdp, "touchMove", (lx, ly - 30 * k))
    touch(cdp, "touchEnd")
    page.wait_for_function(f"() => scrollY > {scrolled} + 50")
    page.close()
    assert not errors, errors


def lesson_text(page) -> str:
    return page.text_content("#lesson")


# The lesson's panel shows step n (gradio renders the panel only once it is visible).
LESSON_AT = "(n) => { const e = document.querySelector('#lesson'); return !!e && e.textContent.includes(`step ${n} of`); }"


def test_the_lesson_opens_at_a_step_from_the_url_and_the_clicker_turns_its_pages(app_url, browser):
    from explorer.lesson import LESSON, cursor_point
    from explorer.registry import load_registry

    registry = load_registry(ROOT / "checkpoints")
    page, errors = open_page(browser, app_url + "?lesson=2", 1366, 900)
    page.wait_for_function(LESSON_AT, arg=2)
    # step 2 puts the AE's cursor in a hole: where explorer.lesson says, and the map calls it far from the data
    step = LESSON[1]
    ae = registry.bundles[registry.pairs[step.pair]["ae"]]
    want = cursor_point(step, ae, ae.map_names[0])
    page.wait_for_function(f"() => {{ const m = document.querySelector('#map-ae .lm').latentMap; "
                           f"return m.state.ready && Math.abs(m.state.cursor[0] - {want[0]}) < 1e-6 && "
                           f"Math.abs(m.state.cursor[1] - {want[1]}) < 1e-6; }}")
    page.wait_for_function(MAP_READY, arg="#map-ae")
    assert page.evaluate("() => document.querySelector('#map-ae .lm').latentMap.state.last.reliable") is False
    assert "Ask the class:" in lesson_text(page)
    page.click("#lesson-next")
    page.wait_for_function(LESSON_AT, arg=3)
    page.keyboard.press("PageDown")   # a presenter's clicker
    page.wait_for_function(LESSON_AT, arg=4)
    page.wait_for_function("() => document.querySelector('#views [role=tab][aria-selected=true]').textContent"
                           ".includes('Generate')")
    page.keyboard.press("PageUp")
    page.wait_for_function(LESSON_AT, arg=3)
    page.click("text=Close the lesson")
    page.wait_for_function("() => !document.querySelector('#lesson') || !document.querySelector('#lesson').offsetParent")
    page.close()
    assert not errors, errors


def wait_for_step_cursors(page, registry, step) -> None:
    """Both maps show the step's pair and map, with their cursors where explorer.lesson puts them."""
    from explorer.app.latent_map.payload import start_point
    from explorer.lesson import cursor_point

    name = step.map or registry.shared_maps(step.pair)[0]
    for kind in ("vae", "ae"):
        b = registry.bundles[registry.pairs[step.pair][kind]]
        want = cursor_point(step, b, name) or start_point(b.maps[name].xy)   # None: the map's own start
        page.wait_for_function(f"() => {{ const m = document.querySelector('#map-{kind} .lm').latentMap; "
                               f"return m.state.ready && m.state.payload.bundle === '{registry.pairs[step.pair][kind]}'"
                               f" && m.state.payload.map === '{name}' && Math.hypot(m.state.cursor[0] - {want[0]},"
                               f" m.state.cursor[1] - {want[1]}) < 1e-6; }}", timeout=90_000)


def test_the_last_lesson_step_switches_to_the_latent_16_pair_on_pca(app_url, browser, shots):
    """A presenter at 1280x720 walks the whole lesson with the clicker; each step is saved as docs/lesson-N.png."""
    from explorer.lesson import LESSON
    from explorer.registry import load_registry

    registry = load_registry(ROOT / "checkpoints")
    page, errors = open_page(browser, app_url + "?present=1", 1280, 720)
    page.click("#lesson-button")
    for n in range(1, len(LESSON) + 1):   # a presenter turns a page once the last one is on screen
        if n > 1:
            page.keyboard.press("PageDown")
        page.wait_for_function(LESSON_AT, arg=n, timeout=90_000)
        if LESSON[n - 1].pair in registry.pairs:
            wait_for_step_cursors(page, registry, LESSON[n - 1])
        page.wait_for_function(MAP_READY, arg="#map-vae")
        page.wait_for_function(MAP_READY, arg="#map-ae")
        page.wait_for_function("() => !document.querySelector('.pending, .generating')")   # gradio's fade is off
        page.screenshot(path=str(shots / f"lesson-{n}.png"))
    wait_for_step_cursors(page, registry, LESSON[-1])
    page.wait_for_timeout(1000)   # a late event of the switch would have shown its error by now
    assert page.locator(".toast-body").count() == 0, page.locator(".toast-body").all_text_contents()
    page.close()
    assert not errors, errors


def test_a_lesson_step_on_another_pair_opens_from_the_url_in_presenter_mode(app_url, browser):
    """The step changes the pair, the map and both cursors in one go: no error, and the cursors stay the step's."""
    from explorer.lesson import LESSON
    from explorer.registry import load_registry

    registry = load_registry(ROOT / "checkpoints")
    n = next(i for i, s in enumerate(LESSON) if s.pair != LESSON[0].pair and s.map != "latent") + 1
    page, errors = open_page(browser, app_url + f"?present=1&lesson={n}", 1280, 720)
    page.wait_for_function(LESSON_AT, arg=n, timeout=90_000)
    wait_for_step_cursors(page, registry, LESSON[n - 1])
    page.wait_for_timeout(1000)
    assert page.locator(".toast-body").count() == 0, page.locator(".toast-body").all_text_contents()
    wait_for_step_cursors(page, registry, LESSON[n - 1])
    page.close()
    assert not errors, errors
