"""Bundles crafted to pass their checksums and still be wrong, as an attacker or a careless copy would make them;
each comes with the words the app must use to name its problem."""
import hashlib
import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from map_fixtures import write_test_bundle


def rehash(bundle: Path) -> None:
    """Write the checksums of the bundle's files as they now are into its config.json."""
    config = json.loads((bundle / "config.json").read_text())
    config["files"] = {name: hashlib.sha256((bundle / name).read_bytes()).hexdigest() for name in config["files"]}
    (bundle / "config.json").write_text(json.dumps(config))


def edit_config(bundle: Path, edit) -> None:
    config = json.loads((bundle / "config.json").read_text())
    edit(config)
    (bundle / "config.json").write_text(json.dumps(config))


def edit_weights(bundle: Path, edit) -> None:
    weights = load_file(str(bundle / "model.safetensors"))
    save_file(edit(weights), str(bundle / "model.safetensors"))
    rehash(bundle)


def npz_claiming(shapes: dict[str, tuple], dtype: str = "|u1") -> bytes:
    """An .npz whose members' headers claim `shapes` but hold a few bytes: what a zip bomb asks np.load to allocate."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, shape in shapes.items():
            head = io.BytesIO()
            np.lib.format.write_array_header_1_0(head, {"descr": dtype, "fortran_order": False, "shape": shape})
            zf.writestr(f"{name}.npy", head.getvalue() + bytes(64))
    return buf.getvalue()


def crafted_checkpoints(root: Path, good: Path) -> dict[str, str]:
    """One pair folder per crafted fault in `root` (copies of the pair in `good`); bundle or pair key -> words."""
    faults = {}

    def copy(name: str) -> Path:
        shutil.copytree(good / "vae", root / name / "vae")
        return root / name / "vae"

    edit_config(copy("no-dataset"), lambda c: c.pop("dataset"))
    faults["no-dataset/vae"] = "config.json: dataset must be an object"
    edit_config(copy("beta-words"), lambda c: c["training"].update(beta="high"))
    faults["beta-words/vae"] = "config.json: training.beta must be a number"
    edit_config(copy("huge-latent"), lambda c: c["model"].update(latent_dim=10**6))
    faults["huge-latent/vae"] = "config.json: model.latent_dim must be an integer from 1 to 512"
    b = copy("fifo")
    (b / "config.json").unlink()
    os.mkfifo(b / "config.json")
    faults["fifo/vae"] = "config.json is not a regular file"
    b = copy("dev-zero")
    (b / "config.json").unlink()
    (b / "config.json").symlink_to("/dev/zero")
    faults["dev-zero/vae"] = "config.json is not a regular file"
    b = copy("zip-bomb")
    (b / "latents.npz").write_bytes(npz_claiming({"labels": (10,), "images": (10**9, 28, 28)}))
    rehash(b)
    faults["zip-bomb/vae"] = "latents.npz: its arrays would take more than"
    edit_weights(copy("int8"), lambda w: {k: v.to(torch.int8) for k, v in w.items()})
    faults["int8/vae"] = "weights must be float32 or float16"
    edit_weights(copy("float64"), lambda w: {k: v.double() for k, v in w.items()})
    faults["float64/vae"] = "weights must be float32 or float16"
    edit_weights(copy("mixed"), lambda w: {k: v.half() if i == 0 else v for i, (k, v) in enumerate(w.items())})
    faults["mixed/vae"] = "mixes float32 and float16"
    edit_weights(copy("nan"), lambda w: {k: v.fill_(float("nan")) if i == 0 else v for i, (k, v) in enumerate(w.items())})
    faults["nan/vae"] = "NaN or infinite weights"
    # A 2-D VAE beside a 6-D AE: no map both have.
    shutil.copytree(good / "vae", root / "no-shared-map" / "vae")
    write_test_bundle(root / "no-shared-map" / "ae", "ae", 6, n=60)
    faults["no-shared-map"] = "its models share no map"
    return faults
