"""Bad input through the running app: every image path (upload event, named API; drawings: test_draw_input.py)
and every decode function (API /decode and the latent map's server functions, which bypass the queue) gets one clear
message, and the server keeps serving. Run against app.py on the tiny digits pair."""
import base64
import json
import os
from pathlib import Path

import httpx
import numpy as np
import pytest
from app_server import ROOT, running_app
from test_preprocess import encode as encoded, png_header_only
from PIL import Image

pytestmark = pytest.mark.slow   # starts app.py

PAIR = "digits-tiny"
VAE = f"{PAIR}/vae"
NOT_IMAGE = "is not a PNG, JPEG, WebP, BMP or GIF"
TOO_BIG = "megapixels"
DAMAGED = "damaged or cut short"
TOO_SMALL = "each side needs at least"
EMPTY = "is empty"


# --- the inputs ----------------------------------------------------------------------------------------------

def figure(size: int = 64, ink: int = 255, paper: int = 0) -> np.ndarray:
    """An upright "L" (not symmetric, so a rotation shows) as uint8 grey."""
    a = np.full((size, size), paper, np.uint8)
    s = size // 8
    a[s: 7 * s, 2 * s: 3 * s] = ink
    a[6 * s: 7 * s, 2 * s: 6 * s] = ink
    return a


def rgba_sketch(transparent: bool = False) -> bytes:
    """What the canvas sends: black strokes on a fully transparent canvas (or nothing drawn)."""
    a = np.zeros((280, 280, 4), np.uint8)
    if not transparent:
        a[..., 3] = np.kron(figure(28), np.ones((10, 10), np.uint8))
    return encoded(Image.fromarray(a, "RGBA"), "PNG")


def palette_with_transparency() -> bytes:
    img = Image.fromarray((figure() > 0).astype(np.uint8), "P")   # index 0 paper, 1 ink
    img.putpalette([200, 30, 30, 0, 0, 0])
    return encoded(img, "PNG", transparency=0)   # the paper index is transparent: laid on white, black ink


def grey16() -> bytes:
    return encoded(Image.fromarray(figure().astype(np.uint16) * 257), "PNG")


def cmyk_jpeg() -> bytes:
    return encoded(Image.fromarray(figure(), "L").convert("CMYK"), "JPEG", quality=95)


def gif_1000_frames() -> bytes:
    frames = [Image.fromarray(np.roll(figure(32), i % 5, axis=1), "L").convert("P") for i in range(1000)]
    return encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=20)


def exif_rotated_jpeg() -> bytes:
    """The figure stored turned 90 degrees, with EXIF orientation 6 saying how to turn it back upright."""
    stored = Image.fromarray(figure(), "L").transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    return encoded(stored, "JPEG", quality=95, exif=exif)


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


OK = None
CASES = {   # name -> (bytes maker, expected error text or OK)
    "empty": (lambda: b"", EMPTY),
    "random bytes": (lambda: np.random.default_rng(0).bytes(4096), NOT_IMAGE),
    "html": (lambda: b"<!doctype html><html><body><script>alert(1)</script></body></html>", NOT_IMAGE),
    "svg": (lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="9"/></svg>',
            NOT_IMAGE),
    "truncated png": (lambda: truncated(encoded(Image.fromarray(figure(256)), "PNG")), DAMAGED),
    "truncated jpeg": (lambda: truncated(encoded(Image.fromarray(figure(256)), "JPEG")), DAMAGED),
    "20000x20000 png": (lambda: png_header_only(20000, 20000), TOO_BIG),
    "12000x12000 png": (lambda: png_header_only(12000, 12000), TOO_BIG),
    "1x1": (lambda: encoded(Image.new("L", (1, 1), 255), "PNG"), TOO_SMALL),
    "1x10000": (lambda: encoded(Image.new("L", (1, 10000), 255), "PNG"), TOO_SMALL),
    "rgba": (lambda: rgba_sketch(), OK),
    "all transparent": (lambda: rgba_sketch(transparent=True), EMPTY),
    "palette transparency": (palette_with_transparency, OK),
    "16-bit grey": (grey16, OK),
    "cmyk jpeg": (cmyk_jpeg, OK),
    "gif 1000 frames": (gif_1000_frames, OK),
    "exif rotated jpeg": (exif_rotated_jpeg, OK),
    "dark on light": (lambda: encoded(Image.fromarray(figure(ink=0, paper=255)), "PNG"), OK),
}


@pytest.fixture(scope="module")
def app(tiny_bundles, tmp_path_factory):
    with running_app(tiny_bundles.parent, tmp_path_factory.mktemp("log") / "app.log") as url:
        yield url


@pytest.fixture(scope="module")
def client(app):
    from gradio_client import Client

    return Client(app, verbose=False)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict:
    """Every case written to disk under a .png name, whatever it really is."""
    folder = tmp_path_factory.mktemp("bad")
    out = {}
    for i, (name, (make, _)) in enumerate(CASES.items()):
        out[name] = folder / f"case{i}.png"
        out[name].write_bytes(make())
    return out


def call(client, path, how: str):
    """Send the file at `path` through one image input path of the app."""
    from gradio_client import handle_file

    if how == "upload":
        return client.predict(handle_file(str(path)), PAIR, api_name="/reconstruct_upload")
    if how == "api encode":
        return client.predict(handle_file(str(path)), VAE, api_name="/encode")
    if how == "api reconstruct":
        return client.predict(handle_file(str(path)), VAE, api_name="/reconstruct")
    if how == "api interpolate":
        return client.predict(handle_file(str(path)), handle_file(str(path)), VAE, 3, "linear",
                              api_name="/interpolate")
    raise ValueError(how)


PATHS = ["upload", "api encode", "api reconstruct", "api interpolate"]


@pytest.mark.parametrize("how", PATHS)
@pytest.mark.parametrize("case", list(CASES))
def test_every_image_path_gives_one_clear_answer(client, files, app, case, how):
    from gradio_client.exceptions import AppError

    expected = CASES[case][1]
    if expected is OK:
        out = call(client, files[case], how)
        assert out is not None
    else:
        with pytest.raises(AppError) as err:
            call(client, files[case], how)
        message = str(err.value)
        assert expected in message, message
        assert "Traceback" not in message and "\n" not in message.strip()
    assert httpx.get(app + "config", timeout=10).status_code == 200   # still serving


def test_exif_orientation_and_ink_polarity_are_undone(client, files, tmp_path):
    """The EXIF-rotated JPEG encodes like the upright figure, and dark-on-light like light-on-dark."""
    from gradio_client import handle_file

    def mu(path):
        return np.array(client.predict(handle_file(str(path)), VAE, api_name="/encode")["mu"])

    upright, turned = tmp_path / "upright.png", tmp_path / "turned.png"
    upright.write_bytes(encoded(Image.fromarray(figure()), "PNG"))
    turned.write_bytes(encoded(Image.fromarray(figure()).transpose(Image.Transpose.ROTATE_90), "PNG"))
    ref, wrong = mu(upright), mu(turned)
    assert np.abs(ref - wrong).max() > 1e-3, "the figure must not be rotation-symmetric for this test"
    assert np.abs(mu(files["exif rotated jpeg"]) - ref).max() < np.abs(wrong - ref).max() / 3
    np.testing.assert_allclose(mu(files["dark on light"]), ref, atol=1e-4)


# --- HTTP: size cap, paths as image values, the file route --------------------------------------------------

def test_upload_over_the_size_limit_is_413(app):
    r = httpx.post(app + "gradio_api/upload", files={"files": ("big.png", b"\0" * (10 * 2**20 + 1), "image/png")},
                   timeout=60)
    assert r.status_code == 413, r.text


def queue_call(app: str, api: str, data: list) -> str:
    """POST /gradio_api/call/<api> and return the whole event stream as text."""
    r = httpx.post(app + f"gradio_api/call/{api}", json={"data": data}, timeout=30)
    if r.status_code >= 400:
        return f"HTTP {r.status_code} {r.text}"
    return httpx.get(app + f"gradio_api/call/{api}/{r.json()['event_id']}", timeout=60).text


@pytest.mark.parametrize("target", ["/etc/passwd", str(ROOT / "app.py"), "../../../../etc/passwd"])
@pytest.mark.parametrize("api", ["encode", "reconstruct_upload"])
def test_a_server_path_as_the_image_value_is_refused(app, api, target):
    value = {"path": target, "meta": {"_type": "gradio.FileData"}}
    stream = queue_call(app, api, [value, VAE if api == "encode" else PAIR])
    assert "event: error" in stream, stream
    assert "not uploaded by a user" in stream, "the refusal is a sentence, not a bare error"
    assert "root:" not in stream and "gradio.Blocks" not in stream   # nothing of the file comes back


@pytest.mark.parametrize("target", ["/etc/passwd", str(ROOT / "app.py"), str(ROOT / "checkpoints")])
def test_the_file_route_serves_nothing_outside_the_app(app, target):
    assert httpx.get(app + f"gradio_api/file={target}", timeout=10).status_code in (403, 404)


def test_files_planted_in_the_shared_temp_folder_are_never_served(app, tiny_bundles):
    """Another user of the machine plants links under the names the app used to write in /tmp (the decoder's
    weights under its content hash, gradio's cache); the app loads its maps, and serves none of them, nor the file
    behind them."""
    import glob
    import hashlib
    import tempfile

    from explorer.app.latent_map.browser_export import export_decoder
    from explorer.bundle import load_bundle

    weights = export_decoder(load_bundle(tiny_bundles / "vae"))[1]
    shared = Path(tempfile.gettempdir())
    planted, made = [], []
    for folder, name in ((shared / "latent-explorer-decoders", f"decoder-{hashlib.sha256(weights).hexdigest()[:20]}.f32"),
                         (shared / "gradio" / "plant", "image.webp")):
        if not folder.exists():
            made.append(folder)
            folder.mkdir(parents=True)
        link = folder / name
        if not link.is_symlink():
            link.symlink_to("/etc/passwd")
        planted.append(link)
    try:
        page = httpx.get(app, timeout=30).text
        assert "site-packages" not in page and str(ROOT) not in page, "no install or working folder on the page"
        assert "lx-assets/" in page and "file=" not in page.split("plotly.min.js")[0][-200:], "scripts from memory"
        for fn in ("lm_payload", "lm_model"):
            assert "error" not in server_fn(app, map_ids(app)[0], fn, f'{{"bundle": "{VAE}", "map": "latent"}}').json()
        for link in planted:
            for url in (f"gradio_api/file={link}", f"lx-assets/{link.name}", f"gradio_api/file={link.parent}"):
                r = httpx.get(app + url, timeout=10)
                assert r.status_code in (403, 404) and "root:" not in r.text, url
        assert httpx.get(app + "gradio_api/file=/etc/passwd", timeout=10).status_code in (403, 404)
        private = [p for p in glob.glob(str(shared / "latent-explorer-*")) if not Path(p).is_symlink()]
        assert all(os.stat(p).st_mode & 0o077 == 0 for p in private if Path(p).is_dir() and p.rsplit("-", 1)[-1]
                   not in ("decoders",)), "the app's own folders are private"
    finally:
        for link in planted:
            link.unlink(missing_ok=True)
        for folder in made:
            folder.rmdir()


def test_gradio_is_pinned_to_a_release_with_the_file_route_fixes():
    import gradio

    pins = [line for line in (ROOT / "requirements.txt").read_text().splitlines() if line.startswith("gradio==")]
    assert len(pins) == 1
    version = tuple(int(p) for p in pins[0].split("==")[1].split(".")[:2])
    assert version >= (6, 22), pins
    assert gradio.__version__ == pins[0].split("==")[1]


# --- decode functions: NaN, inf, huge, non-numeric ---------------------------------------------------------

BAD_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "1" + "0" * 400, '"1"', "null", "true", "[1, 2]", "{}"]


def map_ids(app: str) -> list[int]:
    config = httpx.get(app + "config", timeout=10).json()
    return [c["id"] for c in config["components"] if "lm_decode" in (c.get("props", {}).get("server_fns") or [])]


def server_fn(app: str, component: int, fn: str, raw_data: str) -> httpx.Response:
    """The browser's call of a gr.HTML server function, with the data as raw JSON text (NaN is not JSON)."""
    body = f'{{"data": {raw_data}, "component_id": {component}, "fn_name": "{fn}", "session_hash": "bad-input"}}'
    return httpx.post(app + "gradio_api/component_server/", content=body,
                      headers={"content-type": "application/json"}, timeout=30)


@pytest.mark.parametrize("coord", ["x", "y"])
@pytest.mark.parametrize("number", BAD_NUMBERS)
def test_map_decode_refuses_bad_coordinates(app, number, coord):
    ids = map_ids(app)
    assert len(ids) == 2
    for component in ids:
        point = {"x": "0.5", "y": "-0.5", coord: number}
        raw = f'{{"bundle": "{VAE}", "map": "latent", "x": {point["x"]}, "y": {point["y"]}}}'
        r = server_fn(app, component, "lm_decode", raw)
        assert r.status_code == 200, r.text
        assert f"{coord} must be a" in r.json()["error"]
    ok = server_fn(app, ids[0], "lm_decode", f'{{"bundle": "{VAE}", "map": "latent", "x": 0.5, "y": -0.5}}')
    assert len(base64.b64decode(ok.json()["pixels"])) == 28 * 28


@pytest.mark.parametrize("raw", ['{"bundle": "%s", "index": %s}' % (VAE, v)
                                 for v in ["NaN", "1e400", "-1", "10" * 30, "1.5", '"3"', "true"]]
                         + ['{"bundle": "../../etc/passwd", "index": 0}', "[1, 2]", '"x"', "null"])
def test_map_thumbnail_refuses_bad_requests(app, raw):
    r = server_fn(app, map_ids(app)[0], "lm_thumb", raw)
    assert r.status_code == 200 and "error" in r.json(), r.text
    assert "could not handle" not in r.json()["error"]   # a sentence about the input, not an internal failure


@pytest.mark.parametrize("raw", ['{"bundle": "/etc/passwd", "map": "latent"}', '{"bundle": "%s", "map": "../x"}' % VAE,
                                 '{"bundle": "%s", "map": NaN}' % VAE, "[]", "NaN", '"%s"' % VAE])
def test_map_payload_refuses_bad_requests(app, raw):
    r = server_fn(app, map_ids(app)[0], "lm_payload", raw)
    assert r.status_code == 200 and "error" in r.json(), r.text
    assert "could not handle" not in r.json()["error"]


@pytest.mark.parametrize("z", ["[NaN, 0]", "[Infinity, 0]", "[1e400, 0]", "[1e9, 0]", '["a", 0]', "[0]",
                               "[true, 0]", '{"z": [NaN, 1]}', "null", '"0, 0"'])
def test_api_decode_refuses_bad_latents(app, z):
    body = '{"data": [%s, "%s"]}' % (z, VAE)
    r = httpx.post(app + "gradio_api/call/decode", content=body, headers={"content-type": "application/json"},
                   timeout=30)
    if r.status_code >= 400:   # JSON gradio itself refuses is a 4xx, which is fine
        assert r.status_code < 500, r.text
        return
    stream = httpx.get(app + f"gradio_api/call/decode/{r.json()['event_id']}", timeout=60).text
    assert "event: error" in stream, stream
    error = json.loads(stream.split("event: error\ndata:", 1)[1].strip().splitlines()[0])["error"]
    assert error and error.startswith("z must"), stream
