"""A small image classifier per dataset, trained once, to score decoded samples (an Inception-score analogue).

Stored beside the bundles as `checkpoints/classifiers/<dataset>/classifier.safetensors` + `classifier.json`.
"""
import hashlib
import json
import math
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load as load_weights
from safetensors.torch import save_file
from torch import nn

from explorer.bundle import sha256, swap_in
from explorer.bundle_checks import BundleError, check_safetensors_header, parse_json, read_file


def build_classifier(n_classes: int = 10) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # (B, 32, 14, 14)
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # (B, 64, 7, 7)
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, n_classes),
    )


def train_classifier(data, epochs: int, seed: int, batch_size: int = 128, lr: float = 2e-3) -> nn.Module:
    """Plain cross-entropy training on `data.x_train`; returns the model in eval mode."""
    gen = torch.Generator().manual_seed(seed)
    model = build_classifier(len(data.class_names))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        perm = torch.randperm(len(data.x_train), generator=gen)
        for i in range(0, len(perm), batch_size):
            idx = perm[i:i + batch_size]
            loss = F.cross_entropy(model(data.x_train[idx]), data.y_train[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return model.eval()


@torch.no_grad()
def accuracy(model, x, y, batch: int = 1000) -> float:
    hits = sum((model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item() for i in range(0, len(x), batch))
    return hits / len(x)


@torch.no_grad()
def sample_quality(model, images: torch.Tensor) -> dict[str, float]:
    """Classifier score exp(E_x KL(p(y|x) || p(y))) (1 to n_classes; higher: confident AND varied), and the
    mean top-class probability (confidence alone)."""
    p = F.softmax(model(images), dim=1)                       # (N, C)
    marginal = p.mean(0, keepdim=True)
    kl = (p * (torch.log(p + 1e-12) - torch.log(marginal + 1e-12))).sum(1).mean()
    return {"classifier_score": math.exp(kl.item()), "confidence": p.max(1).values.mean().item()}


def save_classifier(model, folder: Path, info: dict) -> None:
    """Write the weights and a JSON (with the weights' checksum) to a temp folder, then swap it in."""
    folder = Path(folder)
    tmp = folder.with_name(f".{folder.name}.tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    save_file(model.state_dict(), str(tmp / "classifier.safetensors"))
    info = {**info, "sha256": sha256(tmp / "classifier.safetensors")}
    (tmp / "classifier.json").write_text(json.dumps(info, indent=2))
    swap_in(tmp, folder)


def load_classifier(folder: Path) -> nn.Module:
    """Load a saved classifier, checked as a bundle is (regular files, sizes, checksum, float32 weights of the
    right shapes, all finite); BundleError naming the file otherwise."""
    info = parse_json("classifier.json", read_file(folder, "classifier.json"))
    n_classes = info.get("n_classes")
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or not 2 <= n_classes <= 1000:
        raise BundleError("classifier.json: n_classes must be an integer from 2 to 1000.")
    data = read_file(folder, "classifier.safetensors")
    if hashlib.sha256(data).hexdigest() != info.get("sha256"):
        raise BundleError("classifier.safetensors does not match its checksum in classifier.json.")
    model = build_classifier(n_classes)
    check_safetensors_header(data, {k: tuple(v.shape) for k, v in model.state_dict().items()},
                             name="classifier.safetensors")
    weights = load_weights(data)
    if not all(torch.isfinite(w).all() for w in weights.values()):
        raise BundleError("classifier.safetensors holds NaN or infinite weights.")
    model.load_state_dict(weights)
    return model.eval()


def load_classifiers(folder: Path) -> tuple[dict[str, nn.Module], list[str]]:
    """The sample-quality classifier per dataset (a subfolder of `folder` each), and one sentence per classifier
    that was skipped: a missing or broken one only leaves its table cells empty."""
    found, skipped = {}, []
    for sub in sorted(folder.iterdir()) if folder.is_dir() else []:
        try:
            found[sub.name] = load_classifier(sub)
        except BundleError as err:
            skipped.append(f"classifier `{sub.name}` was skipped: {err}")
        except Exception as err:   # its text may hold server paths: the type says enough
            skipped.append(f"classifier `{sub.name}` was skipped: it could not be read ({type(err).__name__}).")
    return found, skipped
