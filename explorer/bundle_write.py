"""Write a checkpoint bundle (explorer/bundle.py says what it holds and loads it): to a temporary folder beside
its place, synced and swapped in whole, so a crash or Ctrl-C never leaves half a bundle; and give a bundle new maps
the same way."""
import contextlib
import ctypes
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

from explorer.projection import LatentMap

FORMAT = "latent-explorer-bundle"
FORMAT_VERSION = 1
CHECKED_FILES = ("model.safetensors", "metrics.json", "latents.npz", "maps.npz", "samples.png")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextlib.contextmanager
def staged(out: Path):
    """A fresh folder beside `out` to fill; once the block ends without error it is synced to disk and swapped in
    for `out` whole (swap_in), else removed: a crash never leaves half a bundle."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    tmp.chmod(0o755)
    try:
        yield tmp
        _fsync_tree(tmp)
        swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_bundle(out: Path, config: dict, model, metrics: dict, latents: dict, maps: dict[str, LatentMap],
                 samples_png: bytes, extra_files: dict[str, bytes] | None = None, half_weights: bool = False) -> Path:
    """Write a bundle to a temporary folder beside `out`, then swap it in, so a crash leaves no half bundle.

    half_weights: store the weights as float16 (half the file; they load as float32). Round the model first
    (round_to_half) so that its metrics and codes are those of the weights stored."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with staged(out) as tmp:
        dtype = torch.float16 if half_weights else torch.float32
        save_file({k: v.detach().to(dtype).contiguous() for k, v in model.state_dict().items()},
                  str(tmp / "model.safetensors"), metadata={"format": FORMAT})
        (tmp / "model.safetensors").chmod(0o644)   # safetensors makes it 0600; whoever serves the app must read it
        (tmp / "metrics.json").write_text(json.dumps(metrics, indent=2))
        np.savez_compressed(tmp / "latents.npz", **latents)
        arrays = {k: v for m in maps.values() for k, v in m.to_arrays().items()}
        np.savez_compressed(tmp / "maps.npz", map_names=np.array(list(maps)), **arrays)
        (tmp / "samples.png").write_bytes(samples_png)
        for name, data in (extra_files or {}).items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_bytes(data)
        full = {"format": FORMAT, "format_version": FORMAT_VERSION, **config,
                "files": {name: sha256(tmp / name) for name in CHECKED_FILES}}
        (tmp / "config.json").write_text(json.dumps(full, indent=2))
    return out


def round_to_half(model: torch.nn.Module) -> torch.nn.Module:
    """Round every weight to the nearest float16 value (kept in float32): the model a float16 bundle holds."""
    with torch.no_grad():
        for p in model.state_dict().values():
            p.copy_(p.half().float())
    return model


def replace_maps(path: Path, maps: dict[str, LatentMap]) -> None:
    """Give the bundle at `path` new maps (and their checksum), swapped in whole like a fresh bundle."""
    path = Path(path)
    with staged(path) as tmp:
        shutil.copytree(path, tmp, dirs_exist_ok=True, symlinks=True)
        arrays = {k: v for m in maps.values() for k, v in m.to_arrays().items()}
        np.savez_compressed(tmp / "maps.npz", map_names=np.array(list(maps)), **arrays)
        config = json.loads((tmp / "config.json").read_text())
        config["files"]["maps.npz"] = sha256(tmp / "maps.npz")
        (tmp / "config.json").write_text(json.dumps(config, indent=2))


def _fsync_tree(folder: Path) -> None:
    for f in folder.rglob("*"):
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())


def swap_in(new: Path, target: Path) -> None:
    """Make `new` appear at `target` in one step; an existing `target` is replaced and removed."""
    if not target.exists():
        os.rename(new, target)
        return
    if _rename_exchange(new, target):   # atomic swap on Linux: `target` is never missing
        shutil.rmtree(new)
        return
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old)


def _rename_exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two paths atomically; False where the system lacks it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0
