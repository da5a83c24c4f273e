"""The static build (python -m explorer.site): the module joiner, the data it writes, and the site itself in
Chromium, opened from file:// and over HTTP: maps, drag, draw, sample, interpolate, switch pairs and maps, with
no request to any other host."""
import contextlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app_server import CHROMIUM, CHROMIUM_ARGS, ROOT, need_chromium
from explorer.app.latent_map.joined_script import ModuleError, join_modules, parse
from node import need_node
from static_server import served

PAIRS = ["fashion-mnist-mlp-z2", "fashion-mnist-conv-z16"]
READY = """([sel, pair]) => { const e = document.querySelector(sel + ' .lm'); const m = e && e.latentMap;
  return !!(m && m.state.ready && m.hasBrowserModel() && m.state.payload.bundle.startsWith(pair) && !m.busy()
    && m.state.last && m.state.last.seq === m.state.seq); }"""
MAP = "(sel) => { const m = document.querySelector(sel + ' .lm').latentMap; return {cursor: m.state.cursor, " \
      "last: m.state.last, z: m.state.z && Array.from(m.state.z), overlay: m.state.overlayCount, map: " \
      "m.state.payload.map, traces: m.element.querySelector('.lm-plot').data.map((t) => t.name)}; }"


def test_modules_join_into_one_classic_script(tmp_path):
    (tmp_path / "a.js").write_text("export const A = 2;\nexport function twice(x) { return A * x; }\n")
    (tmp_path / "b.js").write_text("import { twice } from './a.js';\nexport async function main() { return twice(21); }\n")
    script = join_modules([tmp_path], "b.js", "B")
    assert "import" not in script and "export" not in script
    out = subprocess.run([need_node(), "-e", f"const window = {{}};\n{script}\nwindow.B.main().then(console.log);"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "42"


@pytest.mark.parametrize("source", ["import x from './a.js';", "export default 3;", "const m = import('./a.js');",
                                    "export { A };"])
def test_forms_the_joiner_does_not_convert_are_refused(source):
    with pytest.raises(ModuleError, match="cannot convert"):
        parse("x.js", source)


def test_the_live_maps_modules_join(tmp_path):
    from explorer.site.build import APP_STATIC, MAP_STATIC, PAGE

    script = join_modules([MAP_STATIC, APP_STATIC, PAGE], "site.js", "S")
    assert all(f"modules['{name}']" in script for name in ("latent_map.js", "encoder.js", "pad.js"))
    subprocess.run([need_node(), "--check", "-"], input=script, text=True, check=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    subprocess.run([sys.executable, "-m", "explorer.site", str(out), "--test-images", "600", "--pairs", *PAIRS],
                   cwd=ROOT, check=True, capture_output=True)
    return out


def test_the_build_is_self_contained(site):
    names = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert {"index.html", "explorer.js", "plotly.min.js", "site.css", "latent_map.css", "README.md"} <= names
    for pair in PAIRS:
        assert {f"data/{pair}/{part}.js" for part in ("maps", "decoders", "images", "encoders")} <= names
    readme = (site / "README.md").read_text()
    assert readme.startswith("---\n") and "\nsdk: static\n" in readme.split("---")[1]
    page = (site / "index.html").read_text()
    assert "http://" not in page and "https://" not in page and "{{" not in page
    config = json.loads(page.split("window.LX_SITE = ")[1].split(";</script>")[0])
    assert [p["pair"] for p in config["pairs"]] == sorted(PAIRS) and config["first"] == "fashion-mnist-mlp-z2"


def pixels(pg, sel: str) -> np.ndarray:
    return np.array(pg.evaluate("""(sel) => { const c = document.querySelector(sel);
        return c.width ? Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data) : []; }""", sel))


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["file", "http"])
def test_the_site_works_with_no_server(site, scheme, shots):
    need_chromium()
    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        origin = site.as_uri() if scheme == "file" else stack.enter_context(served(site))
        p = stack.enter_context(sync_playwright())
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1440, "height": 1000})
        errors, requests = [], []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("request", lambda r: requests.append(r.url))
        pg.goto(f"{origin}/index.html")
        for sel in ("#map-vae", "#map-ae"):
            pg.wait_for_function(READY, arg=[sel, PAIRS[0]], timeout=60_000)

        # Drag the VAE's cursor: every frame decoded in the browser.
        before = pg.evaluate(MAP, "#map-vae")
        ring = pg.locator("#map-vae .lm-cursor").bounding_box()
        x, y = ring["x"] + ring["width"] / 2, ring["y"] + ring["height"] / 2
        pg.mouse.move(x, y)
        pg.mouse.down()
        for i in range(1, 11):
            pg.mouse.move(x + 6 * i, y - 4 * i)
        pg.mouse.up()
        pg.wait_for_function(READY, arg=["#map-vae", PAIRS[0]])
        after = pg.evaluate(MAP, "#map-vae")
        assert after["last"]["source"] == "browser" and after["cursor"] != before["cursor"]
        assert after["z"] != before["z"] and pixels(pg, "#map-vae .lm-decode").reshape(-1, 4)[:, 0].max() > 50

        # Draw a vertical bar (a trouser leg): encoded in the browser, shown on both maps and reconstructed.
        pad = pg.locator("#pad").bounding_box()
        pg.mouse.move(pad["x"] + 140, pad["y"] + 40)
        pg.mouse.down()
        for i in range(1, 21):
            pg.mouse.move(pad["x"] + 140, pad["y"] + 40 + 10 * i)
        pg.mouse.up()
        pg.wait_for_function("() => document.querySelector('#recon-ae').width > 0", timeout=30_000)
        pg.wait_for_function(f"() => ({MAP})('#map-vae').overlay >= 3 && ({MAP})('#map-ae').overlay >= 1")
        assert pixels(pg, "#posterior").size and "centred by mass" in pg.locator("#encode-note").inner_text()

        # Prior samples: both grids, and marks on both maps.
        pg.locator("#seed").fill("3")
        pg.locator("#sample").click()
        pg.wait_for_function(f"() => ({MAP})('#map-ae').traces.includes('prior samples')")
        assert pixels(pg, "#samples-vae").size and pixels(pg, "#samples-ae").size

        # Interpolation between two test images, linear: a path on each map.
        pg.locator("#interp-b").fill("7")
        pg.locator("#interp-mode").select_option("linear")
        pg.locator("#interpolate").click()
        pg.wait_for_function(f"() => ({MAP})('#map-vae').traces.includes('linear path')")
        assert pixels(pg, "#interp-ae").size and pg.locator("#interp-b-label").inner_text()
        assert pg.locator("#compare-table tbody tr").count() >= 5
        pg.screenshot(path=str(shots / f"site-{scheme}.png"), full_page=True)

        # The latent-16 pair, then its UMAP map.
        pg.locator("#pair").select_option(PAIRS[1])
        for sel in ("#map-vae", "#map-ae"):
            pg.wait_for_function(READY, arg=[sel, PAIRS[1]], timeout=60_000)
        assert pg.evaluate(MAP, "#map-vae")["map"] == "pca"
        pg.locator("#map-switch input[value=umap]").check()
        pg.wait_for_function(f"() => ({MAP})('#map-ae').map === 'umap'")
        pg.wait_for_function(READY, arg=["#map-ae", PAIRS[1]])
        browser.close()
    assert not errors, errors
    elsewhere = [u for u in requests if not u.startswith((origin, "data:", "blob:"))]
    assert not elsewhere, elsewhere[:5]
