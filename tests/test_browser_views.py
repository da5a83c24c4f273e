"""Each view in real Chromium, used as a person would, on the shipped checkpoints. Screenshots go to pytest's
temporary folder, or to docs/ with LATENT_EXPLORER_SCREENSHOTS=docs (the `shots` fixture)."""
import numpy as np
import pytest
import torch
from PIL import Image

from app_server import MAP_READY, ROOT, need_chromium, shipped_app_page
from explorer.bundle import load_bundle
from explorer.generate import encode_mean
from explorer.images import to_uint8
from explorer.models import decode_mean

pytestmark = pytest.mark.browser

need_chromium()
OVERLAY = "(sel) => document.querySelector(sel + ' .lm').latentMap.state.overlayCount"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    with shipped_app_page(tmp_path_factory.mktemp("log")) as pg:
        yield pg


def image_src(pg, label: str) -> str | None:
    """The src of the image in the gr.Image labelled `label`, or None while it is empty."""
    return pg.evaluate("""(label) => { for (const b of document.querySelectorAll('.block')) {
        const l = b.querySelector('[data-testid="block-label"], label');
        if (l && l.textContent.trim() === label) { const i = b.querySelector('img'); return i ? i.src : null; } }
        return null; }""", label)


def wait_image(pg, label: str, before: str | None = None, timeout: float = 30):
    pg.wait_for_function("""([label, before]) => { for (const b of document.querySelectorAll('.block')) {
        const l = b.querySelector('[data-testid="block-label"], label');
        if (l && l.textContent.trim() === label) { const i = b.querySelector('img');
          return !!(i && i.src && i.src !== before && i.complete); } } return false; }""",
                         arg=[label, before], timeout=timeout * 1000)
    return image_src(pg, label)


def upload(pg, path) -> None:
    """Put a file into the Reconstruct view's upload box, clearing what it holds first."""
    pg.get_by_role("tab", name="Reconstruct").click()
    box = pg.locator(".block", has_text="Upload an image (PNG").first
    if box.locator("input[type=file]").count() == 0:
        box.get_by_role("button", name="Clear").click()
    box.locator("input[type=file]").set_input_files(str(path))


def test_explore_shows_both_maps(page, shots):
    assert page.locator("#map-vae .lm-title").inner_text().startswith("VAE")
    assert page.locator("#map-ae .lm-title").inner_text().startswith("AE")
    page.screenshot(path=str(shots / "explore.png"))


def test_reconstruct_a_test_image_lands_on_both_maps(page, shots):
    page.get_by_role("tab", name="Reconstruct").click()
    gallery = page.locator(".block", has_text="…or click a test image")
    gallery.locator("button.thumbnail-item, .thumbnail-item").nth(3).click()
    wait_image(page, "VAE reconstruction")
    wait_image(page, "16 decodes of z ~ q(z|x)")
    wait_image(page, "AE reconstruction")
    page.wait_for_function(OVERLAY + " >= 3", arg="#map-vae", timeout=30_000)   # μ and two rings
    page.wait_for_function(OVERLAY + " == 1", arg="#map-ae", timeout=30_000)    # the AE's point
    assert "nats" in page.locator("h3", has_text="This image").inner_text()
    page.locator("#map-vae").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "reconstruct.png"), full_page=True)


def test_reconstruct_an_uploaded_dark_on_light_image(page, tmp_path):
    # A dark shirt-like blob on white paper, as a phone photo would give: it must be inverted and centred.
    a = np.full((120, 90), 250, np.uint8)
    a[20:100, 15:75] = 30
    a[20:45, 0:90] = 30
    Image.fromarray(a).save(tmp_path / "shirt.png")
    before = image_src(page, "AE reconstruction")
    upload(page, tmp_path / "shirt.png")
    after = wait_image(page, "AE reconstruction", before)
    assert after != before
    steps = page.locator(".block", has_text="Preprocessing, step by step").inner_text()
    assert "inverted" in steps and "centred by mass" in steps


def test_generate_samples_manifold_and_interpolation(page, shots):
    page.get_by_role("tab", name="Generate").click()
    page.get_by_role("button", name="Sample from the prior").click()
    first = wait_image(page, "Decoded prior samples")
    page.get_by_role("button", name="Show the manifold").click()
    wait_image(page, "Manifold / traversals")
    page.get_by_role("button", name="Interpolate").click()      # empty ends: the Reconstruct input, twice
    wait_image(page, "Filmstrip: your start image, the decodes along the path, your end image")
    page.get_by_role("button", name="Sample from the prior").click()
    page.wait_for_timeout(1500)
    assert image_src(page, "Decoded prior samples") is not None and first is not None
    page.screenshot(path=str(shots / "generate.png"), full_page=True)


def test_compare_table_and_prior_decodes(page, shots):
    page.get_by_role("tab", name="Compare VAE vs AE").click()
    page.get_by_role("button", name="Decode the same prior draws with both").click()
    wait_image(page, "VAE: decodes of z ~ N(0, I)", timeout=60)
    wait_image(page, "AE: the same z", timeout=60)
    table = page.locator(".block", has_text="Test-set metrics")
    table.get_by_text("Holes: prior draws far from all data").wait_for(timeout=60_000)
    assert "%" in table.inner_text()
    page.screenshot(path=str(shots / "compare.png"), full_page=True)


def test_bad_upload_gives_a_clear_error(page, tmp_path):
    (tmp_path / "fake.png").write_bytes(b"<html><body>not an image</body></html>")
    upload(page, tmp_path / "fake.png")
    toast = page.locator(".toast-body", has_text="not a PNG, JPEG, WebP, BMP or GIF")
    toast.first.wait_for(timeout=20_000)
    assert page.locator("#map-vae .lm").is_visible()      # the page is still there and working


def canvas_pixels(pg, sel: str) -> np.ndarray:
    return np.array(pg.evaluate("(sel) => Array.from(document.querySelector(sel + ' .lm-decode').getContext('2d')"
                                ".getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0))", sel),
                    np.uint8).reshape(28, 28)


def select_pair(pg, pair: str, map_name: str) -> None:
    pg.get_by_label("Model pair (a VAE and its AE twin)").click()
    pg.get_by_role("option", name=f"({pair})").click()
    pg.get_by_role("radio", name=map_name, exact=True).check()
    for sel in ("#map-vae", "#map-ae"):
        pg.wait_for_function("([sel, m]) => document.querySelector(sel + ' .lm').latentMap.state.payload.map === m",
                             arg=[sel, map_name], timeout=30_000)


@pytest.mark.parametrize("map_name", ["pca", "umap"])
def test_after_an_upload_the_projected_maps_decode_exactly_its_code(page, tmp_path, map_name):
    """The decode beside a PCA or UMAP map, right after an upload, is decode(mu) of that image (within one grey
    level, the browser's float64 sums against PyTorch's float32), not the decode of the map's inverse at the point
    mu projects to, which on a 16-D latent can be another class altogether."""
    pair = "fashion-mnist-conv-z16"
    select_pair(page, pair, map_name)
    vae = load_bundle(ROOT / "checkpoints" / pair / "vae")
    image = vae.latents["images"][vae.first_of_class(1)]      # a trouser, 28x28 light on dark: used as it is
    Image.fromarray(image).save(tmp_path / "trouser.png")
    upload(page, tmp_path / "trouser.png")
    x = image.astype(np.float32) / 255
    for sel, kind in (("#map-vae", "vae"), ("#map-ae", "ae")):
        b = vae if kind == "vae" else load_bundle(ROOT / "checkpoints" / pair / kind)
        with torch.no_grad():
            want = to_uint8(decode_mean(b.model, torch.from_numpy(encode_mean(b.model, x)[None]))[0, 0].numpy())
        for _ in range(60):    # until the upload's overlay is drawn and decoded (a previous input's may be first)
            page.wait_for_function(MAP_READY, arg=sel, timeout=30_000)
            diff = np.abs(canvas_pixels(page, sel).astype(int) - want.astype(int)).max()
            if diff <= 1:
                break
            page.wait_for_timeout(500)
        assert diff <= 1, (sel, map_name, diff)
        assert page.evaluate(OVERLAY, sel) >= 1
