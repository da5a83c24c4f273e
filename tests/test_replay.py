"""The maps' replay of training: a bundle's code history (validated on load) becomes each map's frames, whose last
is the map itself, served as one raw float16 file that the payload names."""
import json
import shutil
import zipfile

import numpy as np
import pytest

from explorer.app.latent_map.assets import ASSETS, PREFIX
from explorer.app.latent_map.component import payload_url
from explorer.app.latent_map.payload import history_frames, map_payload
from explorer.bundle import BundleError, load_bundle, sha256
from map_fixtures import write_test_bundle


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    root = tmp_path_factory.mktemp("replay")
    return {"z2": load_bundle(write_test_bundle(root / "z2" / "vae", "vae", 2, epochs=5)),
            "z6": load_bundle(write_test_bundle(root / "z6" / "ae", "ae", 6, epochs=4)),
            "none": load_bundle(write_test_bundle(root / "none" / "vae", "vae", 2))}


def test_a_2d_maps_frames_are_the_codes_after_each_epoch_ending_on_the_map(bundles):
    b = bundles["z2"]
    frames = history_frames(b, "latent")
    assert frames.shape == (5, len(b.codes), 2) and frames.dtype == np.float16
    np.testing.assert_allclose(frames[1], b.code_history[1], atol=1e-3)
    np.testing.assert_allclose(frames[-1], b.maps["latent"].xy, atol=2e-3)


def test_a_pca_maps_frames_are_the_codes_through_the_final_pca_and_umap_has_none(bundles):
    b = bundles["z6"]
    m = b.maps["pca"]
    frames = history_frames(b, "pca").astype(np.float64)
    expected = (b.code_history[0].astype(np.float64) - m.mean) @ m.components.T
    np.testing.assert_allclose(frames[0], expected, atol=1e-2)
    np.testing.assert_allclose(frames[-1], m.xy, atol=1e-2)
    assert history_frames(b, "umap") is None and map_payload(b, "z6/ae", "umap")["history"] is None


def served(url: str) -> bytes:
    return ASSETS.get(url.removeprefix(f"{PREFIX}/"))[0]


def test_the_payload_names_the_frames_file_only_when_there_is_a_history(bundles):
    payload = json.loads(served(payload_url(bundles["z2"], "z2/vae", "latent")))
    assert payload["history"]["epochs"] == 5
    raw = served(payload["history"]["url"])
    np.testing.assert_array_equal(np.frombuffer(raw, "<f2").reshape(5, -1, 2), history_frames(bundles["z2"], "latent"))
    assert map_payload(bundles["none"], "none/vae", "latent")["history"] is None


def test_a_code_history_of_the_wrong_shape_is_refused_with_a_sentence(bundles, tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(bundles["z2"].path, folder)
    with zipfile.ZipFile(folder / "latents.npz") as zf:
        arrays = {n.removesuffix(".npy"): np.load(zf.open(n)) for n in zf.namelist()}
    arrays["code_history"] = arrays["code_history"][:, :10]
    np.savez_compressed(folder / "latents.npz", **arrays)
    config = json.loads((folder / "config.json").read_text())
    config["files"]["latents.npz"] = sha256(folder / "latents.npz")
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(BundleError, match="latents.npz: code_history has shape"):
        load_bundle(folder)
