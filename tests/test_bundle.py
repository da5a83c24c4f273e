import json
import shutil

import numpy as np
import pytest
import torch

from explorer import bundle as bundle_mod
from explorer.bundle import BundleError, find_bundles, load_bundle
from explorer.models import decode_mean


@pytest.fixture
def vae_copy(tiny_bundles, tmp_path):
    path = tmp_path / "vae"
    shutil.copytree(tiny_bundles / "vae", path)
    return path


@pytest.mark.parametrize("kind", ["vae", "ae"])
def test_save_then_load_gives_identical_outputs(tiny_bundles, kind):
    b = load_bundle(tiny_bundles / kind)
    x = torch.from_numpy(b.latents["images"][:32].astype(np.float32) / 255.0).unsqueeze(1)
    with torch.no_grad():
        codes, _ = b.model.encode(x)
        again = load_bundle(tiny_bundles / kind).model
        torch.testing.assert_close(again.encode(x)[0], codes, rtol=0, atol=0)
        torch.testing.assert_close(decode_mean(again, codes), decode_mean(b.model, codes), rtol=0, atol=0)
    # the stored test codes are what the saved model computes
    np.testing.assert_allclose(b.codes[:32], codes.numpy(), rtol=0, atol=1e-5)
    assert b.config["twin"] == ("ae" if kind == "vae" else "vae")
    assert b.config["command"].startswith("python train_small.py")


def test_tampered_weights_are_refused_naming_the_file(vae_copy):
    f = vae_copy / "model.safetensors"
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0xFF
    f.write_bytes(bytes(data))
    with pytest.raises(BundleError, match=r"model\.safetensors does not match the checksum"):
        load_bundle(vae_copy)


def test_truncated_arrays_are_refused(vae_copy):
    f = vae_copy / "latents.npz"
    f.write_bytes(f.read_bytes()[:100])
    with pytest.raises(BundleError, match=r"latents\.npz does not match the checksum"):
        load_bundle(vae_copy)


def test_missing_file_is_named(vae_copy):
    (vae_copy / "maps.npz").unlink()
    with pytest.raises(BundleError, match=r"maps\.npz is missing"):
        load_bundle(vae_copy)


def test_broken_config_json_is_named(vae_copy):
    (vae_copy / "config.json").write_text("{not json")
    with pytest.raises(BundleError, match=r"config\.json is not valid JSON"):
        load_bundle(vae_copy)


def test_mismatched_config_is_refused(vae_copy):
    f = vae_copy / "config.json"
    config = json.loads(f.read_text())
    config["model"]["latent_dim"] = 7
    f.write_text(json.dumps(config))
    with pytest.raises(BundleError, match=r"model\.safetensors does not fit the model in config\.json"):
        load_bundle(vae_copy)


def test_rewrite_keeps_the_old_bundle_when_writing_fails(vae_copy, monkeypatch):
    before = (vae_copy / "model.safetensors").read_bytes()
    b = load_bundle(vae_copy)

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(bundle_mod.np, "savez_compressed", fail)
    with pytest.raises(OSError):
        bundle_mod.write_bundle(vae_copy, {}, b.model, {}, b.latents, b.maps, b"png")
    assert (vae_copy / "model.safetensors").read_bytes() == before
    assert load_bundle(vae_copy).kind == "vae"
    assert [p.name for p in vae_copy.parent.iterdir() if p.name.startswith(".")] == []


def test_rewrite_replaces_an_existing_bundle(vae_copy):
    b = load_bundle(vae_copy)
    config = {k: v for k, v in b.config.items() if k not in ("format", "format_version", "files")}
    metrics = {**b.metrics, "note": "second write"}
    bundle_mod.write_bundle(vae_copy, config, b.model, metrics, b.latents, b.maps, b"png")
    assert load_bundle(vae_copy).metrics["note"] == "second write"
    assert [p.name for p in vae_copy.parent.iterdir()] == ["vae"]


def test_every_file_is_readable_by_whoever_serves_the_app(tiny_bundles):
    files = [p for p in (tiny_bundles / "vae").rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"model.safetensors", "config.json", "latents.npz", "maps.npz"}
    unreadable = [p.name for p in files if p.stat().st_mode & 0o044 != 0o044]
    assert not unreadable, f"not readable by group and others: {unreadable}"


def test_find_bundles_skips_hidden_and_non_bundles(tiny_bundles, tmp_path):
    shutil.copytree(tiny_bundles, tmp_path / "pair")
    (tmp_path / ".pair.tmp-123").mkdir()
    (tmp_path / ".pair.tmp-123" / "config.json").write_text("{}")
    (tmp_path / "stray.pt").write_bytes(b"not a bundle")
    assert [p.name for p in find_bundles(tmp_path)] == ["ae", "vae"]


def test_crafted_bundles_are_skipped_and_named_in_one_sentence(tiny_bundles, tmp_path):
    """Checksums right, contents wrong: each is refused by its schema before anything is built from it."""
    import resource

    from crafted_bundles import crafted_checkpoints
    from explorer.registry import load_registry

    root = tmp_path / "checkpoints"
    shutil.copytree(tiny_bundles, root / "good")
    faults = crafted_checkpoints(root, tiny_bundles)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    registry = load_registry(root)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert list(registry.pairs) == ["good"]
    for key, words in faults.items():
        found = [p for p in registry.problems if p.startswith(f"`{key}` was skipped: ")]
        assert len(found) == 1 and words in found[0], (key, words, registry.problems)
        assert str(tmp_path) not in found[0], "no server path in a message"
    assert grown_mb < 200, f"loading the crafted bundles took {grown_mb:.0f} MB more"
