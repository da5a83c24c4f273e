"""Unit tests of the live latent map: JS geometry (through node), payloads, inverse maps, validation."""
import base64
import io
import json
import math

import numpy as np
import pytest
import torch
from PIL import Image

from explorer.app.latent_map.assets import ASSETS, IMMUTABLE, PREFIX
from explorer.app.latent_map.component import map_value, published, server_functions
from explorer.app.latent_map.payload import decode_point, map_payload, nearest, neighbours
from explorer.bundle import load_bundle
from explorer.models import decode_mean
from map_fixtures import make_checkpoints, write_test_bundle
from node import run_node as node


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict:
    root = make_checkpoints(tmp_path_factory.mktemp("ckpt"))
    return {key: load_bundle(root / key) for key in ("pair-z2/vae", "pair-z2/ae", "proj-z6/vae", "proj-z6/ae")}


@pytest.fixture(scope="module")
def fns(bundles) -> dict:
    return {fn.__name__: fn for fn in server_functions(bundles)}


def png_pixels(url: str) -> np.ndarray:
    assert url.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))


def raw_pixels(b64: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), np.uint8).reshape(28, 28)


def run_node(body: str):
    """Run JS with the geometry module as `G` and the decode source as `S`; the script prints one JSON value."""
    return node(body, modules={"G": "geometry.js", "S": "decode_source.js"})


# --- pixel <-> data (JS) -------------------------------------------------------------------------------------

FRAME = {"l": 46, "t": 8, "w": 400, "h": 300, "x0": -4.0, "x1": 4.0, "y0": -3.0, "y1": 3.0}


def test_pixel_data_conversion_matches_reference():
    pixels = [[46, 8], [446, 308], [246, 158], [100.5, 290.25], [-20, 500]]
    got = run_node(f"const f = {json.dumps(FRAME)}; const px = {json.dumps(pixels)};"
                   "console.log(JSON.stringify(px.map(([a, b]) => G.pixelToData(a, b, f))));")
    f = FRAME
    for (px, py), (x, y) in zip(pixels, got):
        assert x == pytest.approx(f["x0"] + (px - f["l"]) / f["w"] * (f["x1"] - f["x0"]))
        assert y == pytest.approx(f["y1"] - (py - f["t"]) / f["h"] * (f["y1"] - f["y0"]))  # pixel y runs down
    assert got[0] == pytest.approx([-4.0, 3.0]) and got[1] == pytest.approx([4.0, -3.0])
    assert got[2] == pytest.approx([0.0, 0.0])


def test_pixel_data_round_trip_and_inside():
    got = run_node(f"const f = {json.dumps(FRAME)}; const pts = [[0.3, -2.9], [-3.99, 2.5], [7, 9]];"
                   "console.log(JSON.stringify({back: pts.map(([x, y]) => G.pixelToData(...G.dataToPixel(x, y, f), f)),"
                   " inside: pts.map(([x, y]) => G.insidePlot(...G.dataToPixel(x, y, f), f))}));")
    assert np.allclose(got["back"], [[0.3, -2.9], [-3.99, 2.5], [7, 9]])
    assert got["inside"] == [True, True, False]


@pytest.mark.parametrize("up, expected", [({"x": 3, "y": 4, "t": 100}, True), ({"x": 6, "y": 0, "t": 100}, False),
                                          ({"x": 0, "y": 0, "t": 2000}, False)])
def test_is_click(up, expected):
    assert run_node(f"console.log(JSON.stringify(G.isClick({{x: 0, y: 0, t: 0}}, {json.dumps(up)})));") is expected


def test_latest_wins_sends_one_at_a_time_and_the_last_job():
    got = run_node("""
      const sent = [], delivered = []; let inflight = 0, maxInflight = 0;
      const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
      const q = S.latestWins(async (j) => { inflight++; maxInflight = Math.max(maxInflight, inflight); sent.push(j);
                                              await sleep(20); inflight--; return j * 10; },
                             (j, r) => delivered.push([j, r]));
      for (let i = 1; i <= 10; i++) { q.push(i); await sleep(3); }
      await sleep(120);
      const failing = S.latestWins(async () => { throw new Error('x'); }, (j, r) => delivered.push([j, r === undefined]));
      failing.push(99); await sleep(10);
      console.log(JSON.stringify({sent, delivered, maxInflight}));""")
    assert got["maxInflight"] == 1
    assert got["sent"][0] == 1 and got["sent"][-1] == 10 and len(got["sent"]) < 10  # coalesced, last one kept
    assert got["sent"] == sorted(got["sent"])
    assert [d[0] for d in got["delivered"][:-1]] == got["sent"]
    assert got["delivered"][-1] == [99, True]  # a failing send is delivered as undefined, the queue goes on


# --- payloads, inverse maps, reliability ----------------------------------------------------------------------

@pytest.mark.parametrize("key, name", [("pair-z2/vae", "latent"), ("proj-z6/vae", "pca"), ("proj-z6/ae", "umap")])
def test_payload_covers_every_point_once(bundles, key, name):
    b = bundles[key]
    p = map_payload(b, key, name)
    idx = np.concatenate([t["idx"] for t in p["traces"]])
    assert sorted(idx.tolist()) == list(range(len(b.codes)))
    for t in p["traces"]:
        assert np.allclose(np.c_[t["x"], t["y"]], b.maps[name].xy[t["idx"]], atol=1e-4)
    assert [t["name"] for t in p["traces"]] == list(b.latents["class_names"])
    assert (p["circles"] == [1, 2, 3]) == (name == "latent")
    assert p["unreliable"] is not None   # every map greys what is far from its dots, 2-D latents too
    json.dumps(p)  # plain JSON


def test_payload_size_for_ten_thousand_points(tmp_path):
    b = load_bundle(write_test_bundle(tmp_path / "big", "vae", 2, n=10_000))
    assert len(json.dumps(map_payload(b, "big", "latent"))) < 600_000


@pytest.mark.parametrize("key, name", [("pair-z2/ae", "latent"), ("proj-z6/vae", "pca"), ("proj-z6/vae", "umap")])
def test_decode_is_the_decoder_at_the_inverse_of_the_map_point(bundles, key, name):
    b = bundles[key]
    m = b.maps[name]
    x, y = m.xy[7]
    out = decode_point(b, key, name, float(x), float(y))
    z, reliable = m.to_latent(np.array([[x, y]]))
    if name == "latent":
        assert np.allclose(z[0], b.codes[7])       # the identity map gives the code back exactly
        # and the nearest test image is that very image
        assert neighbours(b, key, np.array(out["z"]))["neighbours"][0]["index"] == 7
    with torch.no_grad():
        want = (decode_mean(b.model, torch.from_numpy(z))[0, 0].numpy() * 255 + 0.5).astype(np.uint8)
    assert np.array_equal(raw_pixels(out["pixels"]), want)
    assert out["reliable"] is bool(reliable[0]) is True   # a data point is never "far from data"
    assert np.array_equal(np.array(out["z"], np.float32), z[0])


def test_pca_inverse_round_trips(bundles):
    m = bundles["proj-z6/vae"].maps["pca"]
    xy = np.array([[0.5, -1.0], [2.0, 0.3]])
    z, _ = m.to_latent(xy)
    assert np.allclose(m.to_map(z), xy, atol=1e-5)


def test_nearest_matches_brute_force(bundles):
    codes = bundles["proj-z6/ae"].codes
    z = codes[3] + 0.1
    assert nearest(codes, z).tolist() == np.argsort(((codes - z) ** 2).sum(1))[:5].tolist()


@pytest.mark.parametrize("name", ["pca", "umap"])
def test_far_from_data_is_unreliable(bundles, name):
    b = bundles["proj-z6/vae"]
    m = b.maps[name]
    x0, x1, y0, y1 = m.extent if name == "umap" else m.far_extent
    outside = decode_point(b, "k", name, x1 + (x1 - x0), y1)
    assert outside["reliable"] is False
    grid = map_payload(b, "k", name)["unreliable"]
    flagged = [(i, j) for i, row in enumerate(grid["z"]) for j, v in enumerate(row) if v == 1]
    assert flagged, "the synthetic blobs leave empty space between them"
    i, j = flagged[len(flagged) // 2]  # an empty cell inside the extent: the page greys it and the decode says so
    assert m.far[i, j] > m.far_limit
    assert decode_point(b, "k", name, grid["x"][j], grid["y"][i])["reliable"] is False


def test_two_d_latent_flags_its_holes_by_the_same_rule(bundles):
    b = bundles["pair-z2/ae"]
    m = b.maps["latent"]
    x0, x1, y0, y1 = m.limits
    corner = decode_point(b, "k", "latent", x1, y1)
    assert corner["reliable"] is False and corner["how"].startswith("Far from every test code")
    on_dot = decode_point(b, "k", "latent", *map(float, m.xy[3]))
    assert on_dot["reliable"] is True and on_dot["how"] == f"The code of test image #3 ({b.class_name(3)})."


# --- server function validation -------------------------------------------------------------------------------

def good(**kw) -> dict:
    return {"bundle": "proj-z6/vae", "map": "pca", "x": 0.1, "y": -0.2, **kw}


@pytest.mark.parametrize("request_", [
    good(x=float("nan")), good(y=float("inf")), good(x=-float("inf")), good(x="1.5"), good(y=None), good(x=True),
    good(x=[1, 2]), {"bundle": "proj-z6/vae", "map": "pca"}, good(bundle="nope"), good(map="tsne"),
    good(bundle=None), [0.1, 0.2], "0.1,0.2", None, 5,
])
def test_decode_rejects_bad_input_with_a_sentence(fns, request_):
    out = fns["lm_decode"](request_)
    assert set(out) == {"error"} and isinstance(out["error"], str) and out["error"].endswith(".")


@pytest.mark.parametrize("x, y", [(1e308, -1e308), (1e9, 3), (-5e6, 12)])
def test_decode_clamps_huge_input(fns, bundles, x, y):
    out = fns["lm_decode"](good(x=x, y=y))
    assert "error" not in out and out["clamped"] is True
    x0, x1, y0, y1 = bundles["proj-z6/vae"].maps["pca"].limits
    assert x0 <= out["x"] <= x1 and y0 <= out["y"] <= y1 and math.isfinite(out["x"])
    assert out["reliable"] is False
    assert raw_pixels(out["pixels"]).shape == (28, 28)


def test_decode_accepts_integers_and_a_default_map(fns):
    out = fns["lm_decode"]({"bundle": "pair-z2/ae", "map": None, "x": 0, "y": 1})
    assert out["map"] == "latent" and out["coords"] == "z = (+0.000, +1.000)" and out["summary"] == ""


def test_projected_decode_summarises_the_full_latent(fns):
    out = fns["lm_decode"](good(map="umap"))
    assert out["coords"].startswith("UMAP (") and out["summary"].startswith("‖z‖ = ")


@pytest.mark.parametrize("request_", [{"bundle": "pair-z2/vae", "index": -1}, {"bundle": "pair-z2/vae", "index": 2500},
                                      {"bundle": "pair-z2/vae", "index": "3"}, {"bundle": "x", "index": 0}, 3])
def test_thumb_rejects_bad_input(fns, request_):
    assert set(fns["lm_thumb"](request_)) == {"error"}


def test_thumb_is_the_test_image(fns, bundles):
    out = fns["lm_thumb"]({"bundle": "pair-z2/vae", "index": 5})
    b = bundles["pair-z2/vae"]
    assert np.array_equal(png_pixels(out["image"]), b.latents["images"][5])
    assert out["label"] == b.latents["class_names"][b.latents["labels"][5]]


def asset_json(url: str):
    data, media = ASSETS.get(url.removeprefix(f"{PREFIX}/"))
    assert media == "application/json"
    return json.loads(data)


def test_payload_function_reads_map_value(fns, bundles):
    out = fns["lm_payload"](json.loads(map_value("proj-z6/ae", "umap")))
    assert out["bundle"] == "proj-z6/ae" and out["map"] == "umap"
    payload = asset_json(out["url"])
    assert payload == json.loads(json.dumps(map_payload(bundles["proj-z6/ae"], "proj-z6/ae", "umap")))
    assert payload["kind"] == "ae"
    assert set(fns["lm_payload"]({"bundle": "proj-z6/ae", "map": "latent"})) == {"error"}


def test_map_requests_are_rate_limited_per_session(bundles):
    from types import SimpleNamespace

    from explorer.app.latent_map.component import MAP_REQUESTS, TOO_OFTEN

    fns = {fn.__name__: fn for fn in server_functions(bundles)}
    page = SimpleNamespace(session_hash="page-1", client=SimpleNamespace(host="10.0.0.7"))
    burst = MAP_REQUESTS["session"][0]
    answers = [fns["lm_payload"]({"bundle": "pair-z2/vae", "map": "latent"}, page) for _ in range(burst + 5)]
    assert all("url" in a for a in answers[:burst])
    assert answers[-1] == {"error": TOO_OFTEN}
    other = SimpleNamespace(session_hash="page-2", client=SimpleNamespace(host="10.0.0.7"))
    assert "inverse" in fns["lm_model"]({"bundle": "pair-z2/vae", "map": "latent"}, other), "another page is served"


@pytest.mark.parametrize("z", [[0.1] * 5, [0.1] * 7, ["a"] * 6, [float("nan")] * 6, [1e9] * 6, "0,0", 3, {}])
def test_decode_of_an_exact_latent_refuses_bad_latents(fns, z):
    out = fns["lm_decode"](good(z=z))
    assert set(out) == {"error"} and out["error"].startswith("z must")


def test_decode_of_an_exact_latent_is_that_latent_at_that_point(fns, bundles):
    """An input image's code on a projected map: the decode is of the code itself, not of the map's inverse at
    the point it projects to (which is only near it)."""
    b = bundles["proj-z6/vae"]
    z = b.codes[11] + np.float32(0.4)   # a latent off the data: the inverse at its map point is something else
    x, y = b.maps["pca"].to_map(z[None])[0]
    out = fns["lm_decode"](good(x=float(x), y=float(y), z=z.tolist()))
    with torch.no_grad():
        want = (decode_mean(b.model, torch.from_numpy(z[None]))[0, 0].numpy() * 255 + 0.5).astype(np.uint8)
    assert np.array_equal(raw_pixels(out["pixels"]), want) and np.allclose(out["z"], z)
    assert out["coords"] == f"PCA ({x:+.3f}, {y:+.3f})"
    inverse = fns["lm_decode"](good(x=float(x), y=float(y)))
    assert not np.allclose(inverse["z"], z, atol=1e-3), "the map's inverse there is another latent"


def test_neighbours_of_a_latent(fns, bundles):
    b = bundles["proj-z6/ae"]
    out = fns["lm_neighbours"]({"bundle": "proj-z6/ae", "z": (b.codes[4] + 0.01).tolist()})
    assert [n["index"] for n in out["neighbours"]] == nearest(b.codes, b.codes[4] + 0.01).tolist()
    assert out["neighbours"][0]["index"] == 4 and out["neighbours"][0]["label"] == b.class_name(4)
    assert np.array_equal(png_pixels(out["neighbours"][0]["image"]), b.latents["images"][4])


@pytest.mark.parametrize("request_", [{"bundle": "proj-z6/ae", "z": [0.0] * 5}, {"bundle": "proj-z6/ae"},
                                      {"bundle": "nope", "z": [0.0] * 6}, {"z": [0.0] * 6}, [0.0] * 6, None])
def test_neighbours_refuse_bad_input(fns, request_):
    out = fns["lm_neighbours"](request_)
    assert set(out) == {"error"} and out["error"].endswith(".")


def test_model_function_points_at_the_decoder_weights(fns, bundles):
    out = fns["lm_model"]({"bundle": "proj-z6/vae", "map": "umap"})
    assert out["bundle"] == "proj-z6/vae" and out["map"] == "umap" and out["note"] is None
    inverse = asset_json(out["inverse"])
    assert inverse["map"] == "umap" and inverse["latent_dim"] == 6
    decoder = out["decoder"]
    assert decoder["url"].startswith(f"{PREFIX}/") and decoder["url"].endswith("-decoder.bin")
    data, media = ASSETS.get(decoder["url"].removeprefix(f"{PREFIX}/"))
    assert len(data) == decoder["bytes"] and media == "application/octet-stream"
    params = bundles["proj-z6/vae"].model.decoder.parameters()
    size = {"float16": 2, "float32": 4}[decoder["dtype"]]
    assert decoder["bytes"] == size * sum(p.numel() for p in params) and decoder["parity"] <= 1 / 255
    assert fns["lm_model"]({"bundle": "proj-z6/vae", "map": "pca"})["decoder"] == decoder   # exported once


@pytest.mark.parametrize("request_", [{"bundle": "../../etc/passwd", "map": "pca"}, {"bundle": "proj-z6/vae", "map": "x"},
                                      [1], "proj-z6/vae", None])
def test_model_function_rejects_bad_input(fns, request_):
    out = fns["lm_model"](request_)
    assert set(out) == {"error"} and out["error"].endswith(".")


def test_a_decoder_the_browser_cannot_run_stays_on_the_server(tmp_path):
    key = "odd/vae"
    b = load_bundle(write_test_bundle(tmp_path / key, "vae", 2))
    b.model.decoder[0] = torch.nn.Linear(2, 16, bias=False)   # a layer latent_decoder.js does not implement
    fns = {fn.__name__: fn for fn in server_functions({key: b})}
    out = fns["lm_model"]({"bundle": key, "map": "latent"})
    assert out["decoder"] is None and "the server decodes this model" in out["note"]
    assert "pixels" in fns["lm_decode"]({"bundle": key, "map": "latent", "x": 0.0, "y": 0.0})


def test_assets_are_served_from_memory_under_their_content_hash():
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    urls = published()
    client = TestClient(Starlette(routes=[ASSETS.route()]))
    module = client.get(f"{urls['modules']}/latent_map.js")
    assert module.status_code == 200 and module.headers["content-type"].startswith("text/javascript")
    assert module.headers["cache-control"] == IMMUTABLE and "export function mount" in module.text
    again = client.get(f"{urls['modules']}/latent_map.js", headers={"if-none-match": module.headers["etag"]})
    assert again.status_code == 304
    assert client.get(urls["plotly"]).headers["content-type"].startswith("text/javascript")
    for bad in ("../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "x/latent_map.js", "/etc/passwd",
                f"{urls['modules'].removeprefix(PREFIX + '/')}/package.json"):
        assert client.get(f"{PREFIX}/{bad}").status_code == 404, bad


def test_text_assets_travel_gzipped_to_browsers_that_accept_it():
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    url = f"{published()['modules']}/latent_map.js"
    data, _ = ASSETS.get(url.removeprefix(f"{PREFIX}/"))
    client = TestClient(Starlette(routes=[ASSETS.route()]))
    packed = client.get(url, headers={"accept-encoding": "gzip, br"})
    assert packed.headers["content-encoding"] == "gzip" and packed.content == data    # httpx unpacks it
    assert int(packed.headers["content-length"]) < len(data) / 2 and packed.headers["vary"] == "Accept-Encoding"
    plain = client.get(url, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == data
    noise = ASSETS.add_file("noise.bin", np.random.default_rng(0).bytes(4096))    # gains nothing: sent as it is
    assert "content-encoding" not in client.get(noise, headers={"accept-encoding": "gzip"}).headers
