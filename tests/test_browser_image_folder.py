"""Your own pictures in the browser: a folder of colour PNGs (with a corrupt file) trained by train_small.py, served
with `python app.py --checkpoints DIR`, picked, and dragged on; the decode beside the map is the model's own, in
colour, pixel for pixel."""
import base64

import numpy as np
import pytest

import train_small
from app_server import browser_page, need_chromium, running_app
from explorer.app.latent_map.payload import decode_point
from explorer.bundle import load_bundle
from image_folders import image_folder

pytestmark = pytest.mark.browser
need_chromium()

CANVAS_JS = """(sel) => { const root = document.querySelector(sel + ' .lm'); const m = root.latentMap;
  const c = root.querySelector('.lm-decode'); const st = m.state; const gd = root.querySelector('.lm-plot');
  const r = gd.getBoundingClientRect(); const f = m.frame(); const [px, py] = m.dataToPixel(st.cursor[0], st.cursor[1], f);
  return { w: c.width, h: c.height, rgba: Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data),
    local: m.hasBrowserModel(), source: st.last ? st.last.source : null, cursor: st.cursor,
    cursorPage: [r.left + px, r.top + py], f, bundle: st.payload.bundle, map: st.payload.map }; }"""
IDLE_JS = ("(sel) => { const e = document.querySelector(sel + ' .lm'); const m = e && e.latentMap;"
           " return m && m.state.ready && !m.busy() && m.state.last && m.state.last.seq === m.state.seq; }")


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    root = tmp_path_factory.mktemp("mine")
    folder = image_folder(tmp_path_factory.mktemp("pictures") / "blobs")
    code = train_small.main(["--dataset", "folder", "--data-dir", str(folder), "--image-size", "32", "--channels", "3",
                             "--arch", "conv", "--hidden", "8", "16", "32", "--latent-dim", "2", "--epochs", "3",
                             "--iwae-k", "4", "--out", str(root / "my-blobs")])
    assert code == 0
    return root


def test_a_folder_of_pictures_trains_loads_in_the_app_and_drags_in_colour(checkpoints, tmp_path):
    with running_app(checkpoints, tmp_path / "app.log") as url, browser_page(url) as page:
        page.wait_for_function(IDLE_JS, arg="#map-vae", timeout=60_000)
        assert "my-blobs" in page.content()
        s0 = page.evaluate(CANVAS_JS, "#map-vae")
        page.mouse.move(*s0["cursorPage"])
        page.mouse.down()
        for t in np.linspace(0, 1, 8):
            page.mouse.move(s0["cursorPage"][0] + 0.25 * s0["f"]["w"] * t, s0["cursorPage"][1] - 0.2 * s0["f"]["h"] * t)
        page.mouse.up()
        page.wait_for_function(IDLE_JS, arg="#map-vae", timeout=30_000)
        s1 = page.evaluate(CANVAS_JS, "#map-vae")
    assert (s1["w"], s1["h"]) == (32, 32) and s1["local"] and s1["source"] == "browser"
    assert s1["cursor"] != s0["cursor"]
    bundle = load_bundle(checkpoints / "my-blobs" / "vae")
    want = decode_point(bundle, s1["bundle"], s1["map"], *s1["cursor"])
    want_rgb = np.frombuffer(base64.b64decode(want["pixels"]), np.uint8).reshape(32, 32, 3).astype(int)
    got_rgb = np.array(s1["rgba"]).reshape(32, 32, 4)[..., :3]
    assert np.abs(got_rgb - want_rgb).max() <= 1    # the browser's own decoder, in colour, as PyTorch decodes
