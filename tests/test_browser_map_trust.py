"""Maps you can trust, in Chromium on the shipped checkpoints: holes greyed and named on a 2-D map, every latent
dimension on a slider tied to the cursor, other views' latents on the map to click, a neighbour's dot ringed."""
import numpy as np
import pytest
import torch

from app_server import MAP_READY, ROOT, need_chromium, shipped_app_page
from explorer.app.latent_map.payload import latent_dims
from explorer.bundle import load_bundle
from explorer.generate import prior_latents
from explorer.images import to_uint8
from explorer.models import decode_mean

pytestmark = pytest.mark.browser
need_chromium()

STATE = """(sel) => { const root = document.querySelector(sel + ' .lm'); const m = root.latentMap; const st = m.state;
  const r = root.querySelector('.lm-plot').getBoundingClientRect(); const f = m.frame();
  return { cursor: st.cursor, z: st.z ? Array.from(st.z) : null, f, left: r.left, top: r.top, map: st.payload.map,
    bundle: st.payload.bundle, badge: !root.querySelector('.lm-badge').hidden,
    how: root.querySelector('.lm-how').textContent, local: m.hasBrowserModel(),
    img: Array.from(root.querySelector('.lm-decode').getContext('2d').getImageData(0, 0, 28, 28).data
      .filter((_, i) => i % 4 === 0)),
    heatmap: root.querySelector('.lm-plot').data.some((t) => t.type === 'heatmap') }; }"""


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    with shipped_app_page(tmp_path_factory.mktemp("log")) as pg:
        yield pg


def state(pg, sel):
    return pg.evaluate(STATE, sel)


def settle(pg, sel):
    pg.wait_for_function(MAP_READY, arg=sel, timeout=30_000)
    return state(pg, sel)


def decoded(bundle, z) -> np.ndarray:
    with torch.no_grad():
        return to_uint8(decode_mean(bundle.model, torch.tensor(np.asarray([z], dtype=np.float32)))[0, 0].numpy())


def pick(pg, pair: str, map_name: str | None = None):
    pg.get_by_label("Model pair (a VAE and its AE twin)").click()
    pg.get_by_role("option", name=f"({pair})").click()
    if map_name:
        pg.get_by_role("radio", name=map_name, exact=True).check()
    for sel in ("#map-vae", "#map-ae"):
        pg.wait_for_function("([sel, b]) => document.querySelector(sel + ' .lm').latentMap.state.payload.bundle"
                             ".startsWith(b)", arg=[sel, pair], timeout=30_000)
        settle(pg, sel)
    pg.wait_for_timeout(400)    # clear of plotly's double-click window


def test_a_hole_in_the_2d_autoencoder_is_greyed_and_named(page):
    sel = "#map-ae"
    pick(page, "fashion-mnist-mlp-z2")
    page.wait_for_function("(sel) => document.querySelector(sel + ' .lm').latentMap.hasBrowserModel()", arg=sel,
                           timeout=30_000)
    s0 = settle(page, sel)
    assert s0["heatmap"], "the far region is shaded on the map itself"
    assert not s0["badge"]
    f = s0["f"]
    page.mouse.click(s0["left"] + f["l"] + f["w"] - 8, s0["top"] + f["t"] + 8)   # the empty top-right corner
    page.wait_for_function("([sel, c]) => document.querySelector(sel + ' .lm').latentMap.state.cursor[0] !== c",
                           arg=[sel, s0["cursor"][0]], timeout=10_000)
    s1 = settle(page, sel)
    assert s1["badge"] and s1["how"].startswith("Far from every test code"), s1["how"]
    badge = page.locator(f"{sel} .lm-badge").bounding_box()
    assert badge["y"] + badge["height"] <= s1["top"] + f["t"], "the badge never covers the plot's dots"


def test_a_slider_decodes_its_latent_and_moves_the_cursor_there(page):
    sel = "#map-vae"
    pick(page, "fashion-mnist-conv-z16", "pca")
    page.wait_for_function("(sel) => document.querySelector(sel + ' .lm').latentMap.hasBrowserModel()", arg=sel,
                           timeout=60_000)
    s0 = settle(page, sel)
    page.locator(f"{sel} .lm-dims summary").click()
    first = page.locator(f"{sel} .lm-dim input").first
    assert first.is_enabled()
    box = first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    s1 = settle(page, sel)
    vae = load_bundle(ROOT / "checkpoints/fashion-mnist-conv-z16/vae")
    order = [d["index"] for d in latent_dims(vae)]
    z = np.array(s1["z"], np.float32)
    assert z[order[0]] > s0["z"][order[0]] + 0.5, "the most used dimension moved up"
    changed = np.flatnonzero(np.abs(z - np.array(s0["z"], np.float32)) > 1e-6)
    assert changed.tolist() == [order[0]], "only that dimension changed"
    assert np.allclose(s1["cursor"], vae.maps["pca"].to_map(z[None])[0], atol=1e-4), "the cursor went to z's place"
    assert np.abs(np.array(s1["img"], np.uint8).reshape(28, 28).astype(int) - decoded(vae, z).astype(int)).max() <= 1
    assert s1["how"].startswith("Set with the sliders")


def test_a_prior_sample_on_the_map_takes_the_cursor_to_it(page):
    sel = "#map-vae"
    pick(page, "fashion-mnist-mlp-z2")
    page.get_by_role("tab", name="Generate").click()
    page.get_by_role("button", name="Sample from the prior").click()
    page.wait_for_function("(sel) => document.querySelector(sel + ' .lm-plot').data.some((t) => t.name === "
                           "'prior samples')", arg=sel, timeout=30_000)
    page.locator(f"{sel} .lm-plot").scroll_into_view_if_needed()
    s0 = settle(page, sel)
    mark = page.evaluate("""(sel) => { const m = document.querySelector(sel + ' .lm').latentMap;
      const t = m.element.querySelector('.lm-plot').data.find((d) => d.name === 'prior samples');
      const f = m.frame(); const i = t.x.findIndex((x, k) => { const [px, py] = m.dataToPixel(x, t.y[k], f);
        return px > f.l + 20 && px < f.l + f.w - 20 && py > f.t + 20 && py < f.t + f.h - 20; });
      const [px, py] = m.dataToPixel(t.x[i], t.y[i], f); return { i, x: t.x[i], y: t.y[i], px, py }; }""", sel)
    page.mouse.click(s0["left"] + mark["px"] + 3, s0["top"] + mark["py"] - 2)   # a few pixels off: it snaps
    page.wait_for_function("([sel, x]) => document.querySelector(sel + ' .lm').latentMap.state.cursor[0] === x",
                           arg=[sel, mark["x"]], timeout=10_000)
    s1 = settle(page, sel)
    assert np.allclose(s1["cursor"], [mark["x"], mark["y"]])
    vae = load_bundle(ROOT / "checkpoints/fashion-mnist-mlp-z2/vae")
    z = prior_latents(2, 36, 1.0, 0)[mark["i"]]
    assert np.allclose(s1["z"], z, atol=1e-5), "the sample's own latent"
    assert np.abs(np.array(s1["img"], np.uint8).reshape(28, 28).astype(int) - decoded(vae, z).astype(int)).max() <= 1
    assert s1["how"].startswith("prior samples")


def test_hovering_a_nearest_image_rings_its_dot(page):
    sel = "#map-vae"
    cell = page.locator(f"{sel} .lm-nn figure").first
    cell.hover()
    page.wait_for_function("(sel) => !document.querySelector(sel + ' .lm-spot').hidden", arg=sel, timeout=5000)
    page.mouse.move(5, 5)
    page.wait_for_function("(sel) => document.querySelector(sel + ' .lm-spot').hidden", arg=sel, timeout=5000)


def test_a_new_pair_shows_nothing_of_the_old_one_while_it_loads(page):
    """On a slow link the switch takes seconds: the maps say what is loading, and no decode, coordinate or
    neighbour of the previous pair stays beside them; then the new pair's decoder download is shown and ends."""
    pick(page, "fashion-mnist-mlp-z2")
    old = state(page, "#map-vae")
    assert max(old["img"]) > 0
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 400, "downloadThroughput": 150_000,
                                                   "uploadThroughput": 150_000})
    try:
        page.get_by_label("Model pair (a VAE and its AE twin)").click()
        page.get_by_role("option", name="(digits-mlp-z2)").click()
        page.wait_for_function("() => !document.querySelector('#map-vae .lm-loading').hidden", timeout=10_000)
        during = page.evaluate("""() => { const r = document.querySelector('#map-vae');
          return { text: r.querySelector('.lm-loading').textContent, coords: r.querySelector('.lm-coords').textContent.trim(),
            how: r.querySelector('.lm-how').textContent, nn: Array.from(r.querySelectorAll('.lm-nn img')).filter((i) => i.src).length,
            img: Array.from(r.querySelector('.lm-decode').getContext('2d').getImageData(0, 0, 28, 28).data).filter((v, i) => i % 4 === 3 && v > 0).length }; }""")
        assert during["text"].startswith("Loading the map of digits-mlp-z2/vae"), during
        assert during["img"] == 0 and during["coords"] == "" and during["how"] == "" and during["nn"] == 0, during
        page.wait_for_function("() => document.querySelector('#map-vae .lm-status').textContent.includes('downloads the decoder')",
                               timeout=60_000)
    finally:
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                       "uploadThroughput": -1})
    page.wait_for_function("() => document.querySelector('#map-vae .lm-status').textContent.startsWith('Decoded in your browser')",
                           timeout=60_000)
    new = settle(page, "#map-vae")
    assert new["bundle"] == "digits-mlp-z2/vae" and new["local"] and page.locator("#map-vae .lm-loading").is_hidden()
