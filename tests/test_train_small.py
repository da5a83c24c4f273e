import json

import pytest

import train_small
from explorer.bundle import load_bundle


def test_end_to_end_on_digits_writes_a_pair_that_loads(tiny_bundles):
    vae, ae = load_bundle(tiny_bundles / "vae"), load_bundle(tiny_bundles / "ae")
    assert vae.kind == "vae" and ae.kind == "ae"
    assert set(vae.maps) == {"latent"}
    for b in (vae, ae):
        assert (b.path / "samples.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert any((b.path / "progress").glob("epoch_*.png"))
        assert b.metrics["history"] and b.config["dataset"]["name"] == "digits"
    assert vae.metrics["iwae"]["nll"] <= vae.metrics["iwae"]["neg_elbo_same_images"] + 1.0
    assert "neg_elbo" not in ae.metrics["test"]


def test_same_seed_gives_the_same_bundle(tmp_path):
    args = ["--dataset", "digits", "--model", "vae", "--epochs", "1", "--max-steps", "5", "--iwae-k", "2"]
    for name in ("a", "b"):
        assert train_small.main(args + ["--out", str(tmp_path / name)]) == 0
    for f in ("model.safetensors", "latents.npz", "maps.npz", "samples.png"):
        assert (tmp_path / "a/vae" / f).read_bytes() == (tmp_path / "b/vae" / f).read_bytes(), f
    metrics = [json.loads((tmp_path / n / "vae/metrics.json").read_text()) for n in ("a", "b")]
    for m in metrics:   # wall-clock times are the only thing allowed to differ
        m.pop("seconds_total")
        for row in m["history"]:
            row.pop("train_seconds")
    assert metrics[0] == metrics[1]


def test_projected_maps_for_larger_latents(tmp_path):
    args = ["--dataset", "digits", "--model", "ae", "--latent-dim", "5", "--epochs", "1", "--maps", "pca",
            "--out", str(tmp_path)]
    assert train_small.main(args) == 0
    b = load_bundle(tmp_path / "ae")
    assert set(b.maps) == {"pca"} and b.codes.shape[1] == 5


def test_nan_loss_stops_with_a_clear_message_and_writes_nothing(tmp_path, capsys):
    code = train_small.main(["--dataset", "digits", "--epochs", "1", "--lr", "1e30", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    assert "The loss became" in err and "nothing was saved" in err
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


@pytest.mark.parametrize("flag", [["--latent-dim", "0"], ["--hidden", "8", "16", "--arch", "conv"]])
def test_bad_flags_are_a_clear_error(tmp_path, capsys, flag):
    code = train_small.main(["--dataset", "digits", "--out", str(tmp_path)] + flag)
    assert code == 2 and capsys.readouterr().err.startswith("error: ")
