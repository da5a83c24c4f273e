"""The live latent map in real Chromium: drag, click, hover, zoom, the unreliable badge, and a screenshot."""
import base64
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from explorer.bundle import load_bundle
from explorer.app.latent_map.payload import decode_point
from app_server import browser_page, need_chromium, running_app
from map_fixtures import make_checkpoints

pytestmark = pytest.mark.browser


need_chromium()

# A handle on one map: its state, plotly's own axis conversion, and where things are on the page.
MAP_JS = """(sel) => {
  const root = document.querySelector(sel + ' .lm'); const m = root.latentMap; const st = m.state;
  const gd = root.querySelector('.lm-plot'); const fl = gd._fullLayout; const r = gd.getBoundingClientRect();
  const f = m.frame(); const [cx, cy] = m.dataToPixel(st.cursor[0], st.cursor[1], f);
  const mr = root.querySelector('.lm-cursor').getBoundingClientRect();
  return { ready: st.ready, cursor: st.cursor, seq: st.seq, lastSeq: st.last ? st.last.seq : -1, busy: m.busy(),
    frames: m.log.frames.length, errors: m.log.errors, img: Array.from(root.querySelector('.lm-decode').getContext('2d')
      .getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0)), local: m.hasBrowserModel(),
    source: st.last ? st.last.source : null,
    dim: root.querySelector('.lm-decode').classList.contains('lm-dim'), badge: !root.querySelector('.lm-badge').hidden,
    coords: root.querySelector('.lm-coords').textContent, left: r.left, top: r.top, f,
    cursorPage: [r.left + cx, r.top + cy], markerPage: [mr.left + mr.width / 2, mr.top + mr.height / 2],
    xrange: fl.xaxis.range.slice(), yrange: fl.yaxis.range.slice(), map: m.state.payload.map,
    bundle: m.state.payload.bundle };
}"""
# Plotly's own pixel -> data conversion, independent of geometry.js.
P2D_JS = """([sel, px, py]) => { const gd = document.querySelector(sel + ' .lm-plot'); const fl = gd._fullLayout;
  const r = gd.getBoundingClientRect();
  return [fl.xaxis.p2d(px - r.left - fl._size.l), fl.yaxis.p2d(py - r.top - fl._size.t)]; }"""
# A page point inside the plot, at least `gap` px from every data point and from the cursor.
EMPTY_JS = """([sel, gap]) => { const root = document.querySelector(sel + ' .lm'); const m = root.latentMap;
  const f = m.frame(); const r = root.querySelector('.lm-plot').getBoundingClientRect();
  const pts = m.state.payload.traces.flatMap((t) => t.x.map((x, i) => m.dataToPixel(x, t.y[i], f)));
  pts.push(m.dataToPixel(m.state.cursor[0], m.state.cursor[1], f));
  for (let py = f.t + 20; py < f.t + f.h - 20; py += 7) for (let px = f.l + 20; px < f.l + f.w - 20; px += 7)
    if (pts.every(([a, b]) => Math.hypot(a - px, b - py) > gap)) return [r.left + px, r.top + py];
  return null; }"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """app.py on fixture bundles in a subprocess; yields (url, checkpoints root)."""
    root = make_checkpoints(tmp_path_factory.mktemp("ckpt"))
    with running_app(root, tmp_path_factory.mktemp("log") / "app.log") as url:
        yield url, root


@pytest.fixture(scope="module")
def page(app):
    with browser_page(app[0]) as pg:
        for sel in ("#map-vae", "#map-ae"):
            wait_idle(pg, sel, timeout=60)
        yield pg


def state(pg, sel: str) -> dict:
    return pg.evaluate(MAP_JS, sel)


def wait_idle(pg, sel: str, timeout: float = 10) -> dict:
    """Wait until the map is drawn and its latest request has been painted."""
    pg.wait_for_function("(sel) => { const e = document.querySelector(sel + ' .lm'); const m = e && e.latentMap;"
                         " return m && m.state.ready && !m.busy() && m.state.last && m.state.last.seq === m.state.seq; }",
                         arg=sel, timeout=timeout * 1000)
    return state(pg, sel)


def png_pixels(url: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))


def server_image(root: Path, key: str, map_name: str, x: float, y: float) -> np.ndarray:
    pixels = decode_point(load_bundle(root / key), key, map_name, x, y)["pixels"]
    return np.frombuffer(base64.b64decode(pixels), np.uint8).reshape(28, 28)


def shown(s: dict) -> np.ndarray:
    return np.array(s["img"], np.uint8).reshape(28, 28)


def same_decode(s: dict, want: np.ndarray) -> bool:
    """The painted image is the server's decode: exactly when the server painted it; when the browser decoded it
    (float64 sums instead of float32, tested to 1e-4 in test_browser_model.py), at most one grey level off."""
    diff = np.abs(shown(s).astype(int) - want.astype(int)).max()
    return diff == 0 if s["source"] == "server" else diff <= 1


def test_drag_updates_the_decode_live_and_ends_on_the_final_position(page, app):
    sel = "#map-vae"
    page.wait_for_function("(sel) => document.querySelector(sel + ' .lm').latentMap.hasBrowserModel()", arg=sel,
                           timeout=10000)   # the browser's decoder has loaded
    s0 = wait_idle(page, sel)
    assert s0["bundle"] == "pair-z2/vae" and s0["map"] == "latent"
    f = s0["f"]
    page.mouse.move(*s0["cursorPage"])
    page.mouse.down()
    cx, cy = s0["left"] + f["l"] + f["w"] / 2, s0["top"] + f["t"] + f["h"] / 2
    seen = {tuple(s0["img"])}
    for i in range(40):
        a = 2 * np.pi * i / 40
        page.mouse.move(cx + 0.3 * f["w"] * np.cos(a), cy + 0.3 * f["h"] * np.sin(a))
        page.wait_for_timeout(16)
        seen.add(tuple(state(page, sel)["img"]))
    during = state(page, sel)
    page.mouse.up()
    assert len(seen) >= 10, "the decoded image should change continuously while the pointer moves"
    # The cursor ring follows the pointer during the drag, at plotly's own coordinates for the pointer.
    final = (cx + 0.3 * f["w"] * np.cos(2 * np.pi * 39 / 40), cy + 0.3 * f["h"] * np.sin(2 * np.pi * 39 / 40))
    assert np.allclose(during["markerPage"], final, atol=1.5), (during["markerPage"], final, during["cursorPage"])
    s1 = wait_idle(page, sel)
    assert np.allclose(s1["cursor"], page.evaluate(P2D_JS, [sel, *final]), rtol=1e-6, atol=1e-6)   # far below a pixel
    assert s1["source"] == "browser"
    want = server_image(app[1], "pair-z2/vae", "latent", *s1["cursor"])
    assert same_decode(s1, want), "the last frame must be the decode of the final position"
    assert shown(s1).std() > 0
    assert s1["xrange"] == s0["xrange"] and s1["yrange"] == s0["yrange"]
    assert s1["errors"] == 0


def test_click_on_empty_space_moves_the_cursor_there_and_keeps_the_zoom(page, app):
    sel = "#map-ae"
    # this test takes the server's path: as before the browser's decoder loads, or for one it cannot run
    page.evaluate("(sel) => { document.querySelector(sel + ' .lm').latentMap.options.browserDecoding = false; }", sel)
    s0 = wait_idle(page, sel)
    f = s0["f"]
    page.mouse.move(s0["left"] + f["l"] + f["w"] * 0.3, s0["top"] + f["t"] + f["h"] * 0.6)
    page.mouse.wheel(0, -240)   # zoom in around the pointer (scrollZoom)
    page.wait_for_timeout(400)
    zoomed = state(page, sel)
    assert zoomed["xrange"] != s0["xrange"]
    target = page.evaluate(EMPTY_JS, [sel, 25])
    assert target is not None
    page.mouse.click(*target)
    s1 = wait_idle(page, sel)
    assert np.allclose(s1["cursor"], page.evaluate(P2D_JS, [sel, *target]), rtol=1e-6, atol=1e-6)   # far below a pixel
    assert np.allclose(s1["cursorPage"], target, atol=1.0) and np.allclose(s1["markerPage"], target, atol=1.5)
    assert s1["source"] == "server"
    assert same_decode(s1, server_image(app[1], "pair-z2/ae", "latent", *s1["cursor"]))
    assert s1["xrange"] == zoomed["xrange"] and s1["yrange"] == zoomed["yrange"], "a click must not reset the zoom"
    assert s1["coords"].startswith("z = (")
    page.mouse.move(s1["left"] + f["l"] + 40, s1["top"] + f["t"] + 40)
    page.mouse.wheel(0, 200)    # zoom out: plotly redraws every trace, and the cursor must stay where it was put
    page.wait_for_timeout(400)
    s2 = state(page, sel)
    assert s2["xrange"] != s1["xrange"] and s2["cursor"] == s1["cursor"]
    assert np.allclose(s2["markerPage"], s2["cursorPage"], atol=1.5)
    # A double-click still resets the zoom (to the first view's spans; plotly may re-centre it to keep the axes'
    # 1:1 ratio): a click's release reaches plotly one frame late (holdRelease), its double-click detection too.
    page.wait_for_timeout(400)
    page.mouse.dblclick(*page.evaluate(EMPTY_JS, [sel, 25]))
    width = "(sel) => { const r = document.querySelector(sel + ' .lm-plot')._fullLayout.xaxis.range; return r[1] - r[0]; }"
    page.wait_for_function(f"([sel, w]) => Math.abs(({width})(sel) - w) < 1e-6 * w",
                           arg=[sel, s0["xrange"][1] - s0["xrange"][0]], timeout=5000)


def test_hover_shows_the_test_image(page, app):
    sel = "#map-vae"
    s = wait_idle(page, sel)
    x, y, index = page.evaluate("""(sel) => { const m = document.querySelector(sel + ' .lm').latentMap;
      const t = m.state.payload.traces[2]; const [px, py] = m.dataToPixel(t.x[0], t.y[0], m.frame());
      return [px, py, t.idx[0]]; }""", sel)
    page.mouse.move(s["left"] + x, s["top"] + y)
    # Wait until the preview shows the image of the point it names ("<class> · #<index>").
    page.wait_for_function("(sel) => { const t = document.querySelector(sel + ' .lm-tip');"
                           " return !t.hidden && t.textContent.endsWith(' · #' + t.dataset.index); }", arg=sel,
                           timeout=5000)
    tip = page.evaluate("(sel) => { const t = document.querySelector(sel + ' .lm-tip');"
                        " return [Number(t.dataset.index), t.querySelector('img').src, t.textContent]; }", sel)
    b = load_bundle(app[1] / "pair-z2/vae")
    shown = tip[0]   # plotly hovers the closest point, which may be a neighbour of the one aimed at
    px = page.evaluate("([sel, x, y]) => { const m = document.querySelector(sel + ' .lm').latentMap;"
                       " return m.dataToPixel(x, y, m.frame()); }", [sel, *b.maps["latent"].xy[shown]])
    assert np.hypot(px[0] - x, px[1] - y) <= 20, "the preview is of a point under the pointer"
    assert np.array_equal(png_pixels(tip[1]), b.latents["images"][shown])
    assert tip[2] == f"{b.latents['class_names'][b.latents['labels'][shown]]} · #{shown}"


def test_projected_map_flags_unreliable_points_and_screenshot(page, app, tmp_path_factory):
    """The screenshot (of test bundles, so not for the README) lands in pytest's temporary folder to look at."""
    page.get_by_label("Model pair (a VAE and its AE twin)").click()
    page.get_by_role("option", name="(proj-z6)").click()
    page.wait_for_function("() => document.querySelector('#map-vae .lm').latentMap.state.payload.bundle === 'proj-z6/vae'",
                           timeout=15000)
    page.get_by_role("radio", name="umap").check()
    page.wait_for_function("() => document.querySelector('#map-vae .lm').latentMap.state.payload.map === 'umap'",
                           timeout=15000)
    sel = "#map-vae"
    page.wait_for_function("(sel) => document.querySelector(sel + ' .lm').latentMap.hasBrowserModel()", arg=sel,
                           timeout=10000)
    s0 = wait_idle(page, sel)
    assert not s0["badge"] and not s0["dim"]   # the start point is the data median: reliable
    f = s0["f"]
    corner = (s0["left"] + f["l"] + 6, s0["top"] + f["t"] + 6)   # outside the data's extent
    page.wait_for_timeout(400)   # clear of plotly's double-click window after the radio click
    page.mouse.click(*corner)
    page.wait_for_function("([sel, c]) => { const s = document.querySelector(sel + ' .lm').latentMap.state;"
                           " return s.cursor[0] !== c[0] || s.cursor[1] !== c[1]; }", arg=[sel, s0["cursor"]],
                           timeout=10000)
    s1 = wait_idle(page, sel)
    assert s1["badge"] and s1["dim"], "a point far from the data must be flagged, not silently decoded"
    assert s1["source"] == "browser"   # the UMAP inverse and the decoder, in the browser
    assert s1["coords"].startswith("UMAP (")
    assert same_decode(s1, server_image(app[1], "proj-z6/vae", "umap", *s1["cursor"]))
    page.screenshot(path=str(tmp_path_factory.getbasetemp() / "latent_map_unreliable.png"), full_page=True)


def test_a_late_server_decode_never_paints_over_a_newer_one(page, app):
    sel = "#map-ae"
    s0 = wait_idle(page, sel)
    f = s0["f"]
    at = lambda u, v: (s0["left"] + f["l"] + f["w"] * u, s0["top"] + f["t"] + f["h"] * v)   # noqa: E731
    # the server's answers arrive 600 ms late; the first click goes to the server, the second is decoded here
    page.evaluate("""(sel) => { const m = document.querySelector(sel + ' .lm').latentMap; const fn = m.server.lm_decode;
      m.slowServer = fn; m.server.lm_decode = (req) => new Promise((ok) => setTimeout(() => ok(fn(req)), 600));
      m.options.browserDecoding = false; m.options.holdPlotlyRelease = true; }""", sel)
    page.mouse.click(*at(0.2, 0.3))
    page.wait_for_timeout(50)
    page.evaluate("(sel) => { document.querySelector(sel + ' .lm').latentMap.options.browserDecoding = true; }", sel)
    page.wait_for_timeout(400)   # not a double click
    page.mouse.click(*at(0.7, 0.6))
    page.wait_for_timeout(1500)
    s1 = wait_idle(page, sel)
    page.evaluate("(sel) => { const m = document.querySelector(sel + ' .lm').latentMap;"
                  " m.server.lm_decode = m.slowServer; }", sel)
    assert s1["source"] == "browser" and np.allclose(s1["cursorPage"], at(0.7, 0.6), atol=1.0)
    assert same_decode(s1, server_image(app[1], s1["bundle"], s1["map"], *s1["cursor"])), \
        "the first click's late answer must not replace the second click's decode"


# A click, then mouse moves in the same task: they arrive while the click's release is still held back from plotly.
CLICK_THEN_MOVE_JS = """([x, y]) => {
  const el = document.elementFromPoint(x, y);
  const opt = (type, d = 0) => ({ bubbles: true, cancelable: true, composed: true, clientX: x + d, clientY: y + d / 2,
    button: 0, buttons: type.endsWith('up') ? 0 : 1, pointerId: 1, pointerType: 'mouse', isPrimary: true });
  el.dispatchEvent(new PointerEvent('pointerdown', opt('pointerdown')));
  el.dispatchEvent(new MouseEvent('mousedown', opt('mousedown')));
  el.dispatchEvent(new PointerEvent('pointerup', opt('pointerup')));
  el.dispatchEvent(new MouseEvent('mouseup', opt('mouseup')));
  for (let i = 1; i <= 6; i += 1) document.dispatchEvent(new MouseEvent('mousemove', opt('mousemove', 15 * i)));
}"""


def test_moving_right_after_a_click_does_not_pan(page, app):
    sel = "#map-vae"
    page.wait_for_timeout(400)   # clear of plotly's double-click window
    s0 = wait_idle(page, sel)
    target = page.evaluate(EMPTY_JS, [sel, 25])
    page.evaluate(CLICK_THEN_MOVE_JS, target)
    s1 = wait_idle(page, sel)
    page.wait_for_timeout(300)
    s2 = state(page, sel)
    assert np.allclose(s1["cursorPage"], target, atol=1.0), "the click moved the cursor"
    assert s2["xrange"] == s0["xrange"] and s2["yrange"] == s0["yrange"], "a click followed by a move is not a pan"


def test_the_frame_read_from_plotly_is_the_plot_area_it_draws(page):
    """geometry.plotFrame reads plotly's _fullLayout (no public API gives the plot area in pixels): if a plotly
    upgrade moves or renames it, this fails, instead of every click landing in the wrong place."""
    for sel in ("#map-vae", "#map-ae"):
        got = page.evaluate("""(sel) => { const root = document.querySelector(sel + ' .lm');
          const rect = root.querySelector('.lm-plot .draglayer .xy .nsewdrag');
          const a = (k) => Number(rect.getAttribute(k));
          const gd = root.querySelector('.lm-plot');
          return { frame: root.latentMap.frame(), drawn: [a('x'), a('y'), a('width'), a('height')],
                   ranges: [gd.layout.xaxis.range, gd.layout.yaxis.range] }; }""", sel)
        f = got["frame"]
        assert np.allclose([f["l"], f["t"], f["w"], f["h"]], got["drawn"], atol=0.5), got
        assert np.allclose([f["x0"], f["x1"], f["y0"], f["y1"]], [*got["ranges"][0], *got["ranges"][1]]), got
