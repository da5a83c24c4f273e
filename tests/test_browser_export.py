"""The decoder and map inverse exported for the browser (static/decoder.js and inverse.js, run by node) against
PyTorch and the Python inverse."""
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from explorer.app.latent_map import browser_export
from explorer.app.latent_map.browser_export import (UnsupportedDecoder, decoder_layers, encoder_layers,
                                                    export_decoder, export_encoder, export_inverse)
from explorer.app.latent_map.payload import latent_summary
from explorer.bundle import load_bundle
from explorer.images import to_uint8
from explorer.models import ModelConfig, build_model, decode_mean
from map_fixtures import make_checkpoints
from node import run_node

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "checkpoints"
DECODER = {"D": "decoder.js"}
INVERSE = {"I": "inverse.js"}


def js_decode(tmp_path: Path, exported: dict, weights: bytes, z: np.ndarray) -> np.ndarray:
    """Decode each row of z with the JS decoder given its ops and weights (float32 unless exported["dtype"]): (n, C*H*W)
    channel-first, as decode_mean's images flattened."""
    (tmp_path / "w.bin").write_bytes(weights)
    got = run_node("const buf = readFileSync(data.weights);"
                   "const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);"
                   "const m = D.loadDecoder(data.model, D.weightsFrom(ab, data.model.dtype));"
                   "console.log(JSON.stringify(data.z.map((z) => Array.from(D.decode(m, z)))));",
                   {"model": exported, "weights": str(tmp_path / "w.bin"), "z": z.tolist()}, DECODER)
    return np.array(got).reshape(len(z), -1)


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict:
    root = make_checkpoints(tmp_path_factory.mktemp("ckpt"))
    return {key: load_bundle(root / key) for key in ("pair-z2/vae", "proj-z6/ae")}


def random_model(arch: str, dim: int, hidden: list[int], shape=(1, 28, 28)) -> nn.Module:
    torch.manual_seed(3)
    model = build_model(ModelConfig(kind="vae", arch=arch, latent_dim=dim, hidden=hidden, image_shape=list(shape))).eval()
    with torch.no_grad():   # larger weights than the default init, so the decodes are far from a flat 0.5
        for p in model.decoder.parameters():
            p.mul_(3.0)
    return model


@pytest.mark.parametrize("arch, dim, hidden, shape", [
    ("mlp", 2, [64, 32], (1, 28, 28)), ("mlp", 1, [16], (1, 28, 28)), ("conv", 8, [8, 16, 64], (1, 28, 28)),
    ("conv", 6, [8, 16, 64], (3, 32, 32)), ("conv", 4, [4, 8, 8, 32], (3, 64, 64)), ("mlp", 3, [32], (3, 32, 32))])
def test_browser_decoder_matches_pytorch(tmp_path, arch, dim, hidden, shape):
    model = random_model(arch, dim, hidden, shape)
    ops, blob = decoder_layers(model.decoder)
    z = np.random.default_rng(0).normal(0, 2, size=(6, dim)).astype(np.float32)
    with torch.no_grad():
        want = decode_mean(model, torch.from_numpy(z)).reshape(len(z), -1).numpy()
    got = js_decode(tmp_path, {"ops": ops, "latent_dim": dim}, blob.tobytes(), z)
    assert want.std() > 0.05, "the reference decodes should not be flat"
    assert np.abs(got - want).max() <= 1e-4


SHIPPED_MODELS = [f"{pair}/{kind}" for pair in ("fashion-mnist-mlp-z2", "digits-mlp-z2", "fashion-mnist-conv-z16",
                                                 "sprites-conv-z8") for kind in ("vae", "ae")]


@pytest.mark.parametrize("name", SHIPPED_MODELS)
def test_browser_decoder_matches_pytorch_on_shipped_bundles(tmp_path, name):
    """The weights the browser gets (float16 for every shipped model) decode test codes within one level, in grey
    and in colour."""
    if not (SHIPPED / name / "config.json").exists():
        pytest.fail(f"the shipped bundle {name} is missing from checkpoints/")
    b = load_bundle(SHIPPED / name)
    z = b.codes[:: len(b.codes) // 24][:24].astype(np.float32)
    with torch.no_grad():
        want = decode_mean(b.model, torch.from_numpy(z)).reshape(len(z), -1).numpy()
    exported, weights = export_decoder(b)
    assert exported["dtype"] == "float16" and len(weights) == 2 * sum(p.numel() for p in b.model.decoder.parameters())
    got = js_decode(tmp_path, exported, weights, z)
    assert np.abs(got - want).max() <= 1 / 255
    # painted levels: the same rounding as the server's PNGs, at most one level off where floats differ
    c, h, w = b.image_shape
    rgba = run_node("console.log(JSON.stringify(Array.from(D.toRGBA(Float32Array.from(data.p), data.c))))",
                    {"p": got[0].ravel().tolist(), "c": c}, DECODER)
    painted = np.array(rgba).reshape(h, w, 4)[..., :c]
    shown = to_uint8(want[0].reshape(1, c, h, w))[0].reshape(h, w, c)   # as the server's PNG has it
    assert np.abs(painted.astype(int) - shown.astype(int)).max() <= 1


@pytest.mark.parametrize("key, name", [("pair-z2/vae", "latent"), ("proj-z6/ae", "pca"), ("proj-z6/ae", "umap")])
def test_browser_inverse_matches_python(tmp_path, bundles, key, name):
    b = bundles[key]
    x0, x1, y0, y1 = b.maps[name].limits
    rng = np.random.default_rng(1)
    # inside, near the edges, and far outside the limits (clamped)
    pts = np.concatenate([rng.uniform([x0, y0], [x1, y1], size=(40, 2)),
                          rng.uniform([x0 - 5, y0 - 5], [x1 + 5, y1 + 5], size=(20, 2)), [[1e6, -1e6]],
                          b.maps[name].xy[:20]])   # data points: reliable
    if name != "latent":   # the grid's corners and nodes, where the interpolation cell changes
        e = b.maps[name].extent if name == "umap" else b.maps[name].far_extent
        nodes = np.stack(np.meshgrid(np.linspace(e[0], e[1], 64)[::9], np.linspace(e[2], e[3], 64)[::9]), -1)
        pts = np.concatenate([pts, [[e[0], e[2]], [e[1], e[3]], [e[0], e[3]]], nodes.reshape(-1, 2)])
    got = run_node("const inv = I.loadInverse(data.inv);"
                   "console.log(JSON.stringify(data.pts.map(([x, y]) => { const r = I.toLatent(inv, x, y);"
                   " return [r.x, r.y, r.clamped, Array.from(r.z), r.reliable]; })));",
                   {"inv": export_inverse(b, name), "pts": pts.tolist()}, INVERSE)
    m = b.maps[name]
    for (x, y), (gx, gy, gclamped, gz, greliable) in zip(pts, got):
        cx, cy, clamped = m.clamp(float(x), float(y))
        z, reliable = m.to_latent(np.array([[cx, cy]]))
        assert (gx, gy, gclamped) == (cx, cy, clamped)
        # the same sums in the same order, in float64 on both sides: equal to float32 rounding
        np.testing.assert_allclose(np.array(gz, np.float32), z[0], rtol=1e-6, atol=1e-6, err_msg=str((x, y)))
        assert greliable == bool(reliable[0])
    assert any(r[4] for r in got), "data points are reliable"
    assert any(not r[4] for r in got) or name == "latent", "some points should be far from the data"


def test_texts_match_the_server(tmp_path):
    z = np.array([0.5, -1.25, 3.0, -0.001, 2.0], np.float32)
    got = run_node("console.log(JSON.stringify([I.coordsText('latent', 0.1234, -2.5), I.coordsText('umap', -1, 1e-4),"
                   " I.summaryText('pca', Float32Array.from(data.z)), I.summaryText('latent', [1, 2])]))",
                   {"z": z.tolist()}, INVERSE)
    # (JS rounds exact decimal ties up where Python rounds them to even: a cosmetic difference, left alone)
    assert got == ["z = (+0.123, -2.500)", "UMAP (-1.000, +0.000)", latent_summary(z), ""]


def test_exported_weights_are_the_decoders_parameters(bundles, monkeypatch):
    b = bundles["pair-z2/vae"]
    info, weights = export_decoder(b)
    _, params = decoder_layers(b.model.decoder)     # every weight once, float32, in the order the ops read them
    assert params.size == sum(p.numel() for p in b.model.decoder.parameters())
    assert info["dtype"] == "float16" and np.array_equal(np.frombuffer(weights, "<f2"), params.astype(np.float16))
    assert info["latent_dim"] == 2 and export_decoder(b)[1] == weights
    monkeypatch.setattr(browser_export, "PARITY", -1.0)   # no float16 error allowed: the float32 weights go out
    info32, weights32 = export_decoder(b)
    assert info32["dtype"] == "float32" and np.array_equal(np.frombuffer(weights32, "<f4"), params)
    assert export_decoder(bundles["proj-z6/ae"])[1] != weights


def test_unknown_layers_are_refused():
    with pytest.raises(UnsupportedDecoder, match="BatchNorm1d"):
        decoder_layers(nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4)))
    with pytest.raises(UnsupportedDecoder, match="Linear"):
        decoder_layers(nn.Sequential(nn.Linear(2, 4, bias=False)))
    with pytest.raises(UnsupportedDecoder, match="Unflatten"):
        decoder_layers(nn.Sequential(nn.Linear(2, 4), nn.Unflatten(1, (2, 2))))
    with pytest.raises(UnsupportedDecoder, match="ConvTranspose2d"):
        decoder_layers(nn.Sequential(nn.Unflatten(1, (1, 2, 2)), nn.ConvTranspose2d(1, 1, 3, output_padding=1,
                                                                                       stride=2)))


def js_encode(tmp_path: Path, exported: dict, weights: bytes, images: np.ndarray) -> list:
    """Encode each (28, 28) image with the JS encoder; [[mu, logvar or None], ...]."""
    (tmp_path / "enc.bin").write_bytes(weights)
    return run_node("const buf = readFileSync(data.weights);"
                    "const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);"
                    "const m = E.loadEncoder(data.model, D.weightsFrom(ab, data.model.dtype));"
                    "console.log(JSON.stringify(data.x.map((x) => { const r = E.encode(m, x);"
                    " return [Array.from(r.mu), r.logvar && Array.from(r.logvar)]; })));",
                    {"model": exported, "weights": str(tmp_path / "enc.bin"), "x": images.reshape(len(images), -1).tolist()},
                    {"E": "encoder.js", "D": "decoder.js"})


@pytest.mark.parametrize("arch, dim, hidden", [("mlp", 2, [64, 32]), ("conv", 8, [8, 16, 64])])
def test_browser_encoder_matches_pytorch(tmp_path, arch, dim, hidden):
    model = random_model(arch, dim, hidden)
    ops, blob = encoder_layers(model)
    x = np.random.default_rng(1).uniform(0, 1, size=(4, 28, 28)).astype(np.float32)
    with torch.no_grad():
        mu, logvar = model.encode(torch.from_numpy(x)[:, None])
    got = js_encode(tmp_path, {"ops": ops, "kind": "vae", "latent_dim": dim}, blob.tobytes(), x)
    np.testing.assert_allclose(np.array([g[0] for g in got]), mu.numpy(), atol=1e-4)
    np.testing.assert_allclose(np.array([g[1] for g in got]), logvar.numpy(), atol=1e-4)


@pytest.mark.parametrize("name", ["fashion-mnist-mlp-z2/vae", "digits-mlp-z2/ae", "fashion-mnist-conv-z16/vae",
                                  "fashion-mnist-conv-z16/ae"])
def test_browser_encoder_matches_pytorch_on_shipped_bundles(tmp_path, name):
    """The float16 encoder the static site ships gives the test images' codes (the bundle's own) within
    ENCODER_PARITY of their spread."""
    b = load_bundle(SHIPPED / name)
    exported, weights = export_encoder(b)
    assert exported["dtype"] == "float16" and exported["parity"] <= browser_export.ENCODER_PARITY
    got = js_encode(tmp_path, exported, weights, b.test_image(slice(0, 12)))
    mu = np.array([g[0] for g in got])
    assert np.abs(mu - b.codes[:12]).max() <= browser_export.ENCODER_PARITY * b.codes.std() + 1e-4
    if b.kind == "vae":
        assert np.abs(np.array([g[1] for g in got]) - b.latents["logvar"][:12]).max() <= 0.01
    else:
        assert got[0][1] is None


def test_a_latent_maps_codes_travel_once(bundles):
    """On a latent map the dots are the codes: the export sends them once (as xy) and the browser takes the codes
    from there, bit for bit."""
    b = bundles["pair-z2/vae"]
    exp = export_inverse(b, "latent")
    assert "codes" not in exp
    got = run_node("console.log(JSON.stringify(Array.from(I.loadInverse(data).codes)))", exp, INVERSE)
    assert np.array_equal(np.array(got, np.float32).reshape(-1, 2), b.codes.astype(np.float32))
