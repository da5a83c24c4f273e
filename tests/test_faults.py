"""Faults in checkpoints/ and during a save: the app starts with the good bundles and names each broken one;
pickles are never loaded; train_small.py killed at any moment of its save leaves a loadable bundle."""
import json
import pickle
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from app_server import ROOT, running_app
from crafted_bundles import crafted_checkpoints

from explorer.bundle import find_bundles, load_bundle

pytestmark = pytest.mark.slow   # starts app.py

MARKER_NAME = "UNPICKLED"


class Trap:
    """Unpickling this creates a marker file: proof that something loaded the pickle."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def broken_checkpoints(root: Path, good: Path) -> dict[str, str]:
    """root/good (a working pair) and one broken copy per fault; returns bundle key -> words its problem names."""
    shutil.copytree(good, root / "good")
    faults = {}

    def copy(name):
        shutil.copytree(good / "vae", root / name / "vae")
        return root / name / "vae"

    b = copy("corrupted")
    data = bytearray((b / "model.safetensors").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (b / "model.safetensors").write_bytes(bytes(data))
    faults["corrupted/vae"] = "model.safetensors does not match the checksum"
    b = copy("truncated")
    (b / "latents.npz").write_bytes((b / "latents.npz").read_bytes()[:100])
    faults["truncated/vae"] = "latents.npz does not match the checksum"
    b = copy("missing")
    (b / "maps.npz").unlink()
    faults["missing/vae"] = "maps.npz is missing"
    b = copy("mismatched")
    config = json.loads((b / "config.json").read_text())
    config["model"]["latent_dim"] = 3   # the weights are for 2
    (b / "config.json").write_text(json.dumps(config))
    faults["mismatched/vae"] = "model.safetensors does not fit the model"
    b = copy("not-json")
    (b / "config.json").write_text("{ not json")
    faults["not-json/vae"] = "config.json is not valid JSON"
    marker = root.parent / MARKER_NAME
    for f in (root / "model.pt", root / "good" / "vae" / "extra.pkl", root / "pickled" / "vae" / "model.pt"):
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(pickle.dumps(Trap(marker)))
    return faults


def test_the_app_starts_with_the_good_bundles_and_names_each_broken_one(tiny_bundles, tmp_path):
    from gradio_client import Client

    root = tmp_path / "checkpoints"
    faults = broken_checkpoints(root, tiny_bundles)
    faults.update(crafted_checkpoints(root, tiny_bundles))   # a FIFO among them: start-up must not hang
    with running_app(root, tmp_path / "app.log") as url:
        config = httpx.get(url + "config", timeout=10).json()
        texts = " ".join(str(c["props"].get("value", "")) for c in config["components"])
        assert "Some checkpoints could not be loaded" in texts
        for key, words in faults.items():
            assert f"`{key}` was skipped" in texts, key
            assert words in texts.split(f"`{key}` was skipped", 1)[1].split("\n", 1)[0], (key, words)
        assert str(tmp_path) not in texts and str(ROOT) not in texts, "no server path on the page"
        dropdown = next(c for c in config["components"]
                        if str(c["props"].get("label", "")).startswith("Model pair"))
        assert [c[1] for c in dropdown["props"]["choices"]] == ["good"]
        image = Client(url, verbose=False).predict([0.0, 0.0], "good/vae", api_name="/decode")
        assert Path(image).is_file()
    assert not (tmp_path / MARKER_NAME).exists(), "a pickle in checkpoints/ was loaded"


# --- train_small.py killed during its save -------------------------------------------------------------------

# Runs train_small.py with each step of the bundle write announced and slowed, so a kill can land inside it.
SLOW_SAVE = """
import sys, time
sys.path.insert(0, {root!r})
import explorer.bundle_write as b   # where a bundle is written

def slowed(fn):
    def run(*args, **kwargs):
        print("STEP", fn.__name__, flush=True)
        time.sleep(0.25)
        return fn(*args, **kwargs)
    return run

for name in ("save_file", "_fsync_tree", "swap_in"):
    setattr(b, name, slowed(getattr(b, name)))
import train_small
sys.exit(train_small.main(sys.argv[1:]))
"""
KILL_POINTS = [("save_file", 0.1), ("save_file", 0.35), ("_fsync_tree", 0.3), ("swap_in", 0.1), ("swap_in", 0.26)]


def checksums(bundle: Path) -> dict:
    return json.loads((bundle / "config.json").read_text())["files"]


@pytest.mark.parametrize("step,delay", KILL_POINTS)
def test_a_save_killed_at_any_moment_leaves_a_loadable_bundle(tiny_bundles, tmp_path, step, delay):
    out = tmp_path / "pair"
    shutil.copytree(tiny_bundles, out)
    old = checksums(out / "vae")
    script = tmp_path / "slow_save.py"
    script.write_text(SLOW_SAVE.format(root=str(ROOT)))
    proc = subprocess.Popen([sys.executable, str(script), "--dataset", "digits", "--epochs", "1", "--max-steps", "3",
                             "--iwae-k", "2", "--seed", "1", "--model", "vae", "--threads", "1", "--out", str(out)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen = []
    try:
        for line in proc.stdout:
            seen.append(line)
            if line.strip() == f"STEP {step}":
                time.sleep(delay + random.uniform(0, 0.02))
                proc.send_signal(signal.SIGKILL)
                break
    finally:
        proc.kill()
        proc.wait(30)
    assert f"STEP {step}\n" in seen, "".join(seen[-20:])
    load_bundle(out / "vae")                               # never half: it loads, with every checksum right
    if step != "swap_in" or delay < 0.25:                  # killed before the swap: still the old bundle
        assert checksums(out / "vae") == old
    assert find_bundles(out) == [out / "ae", out / "vae"]  # the temporary folder is never taken for a bundle
