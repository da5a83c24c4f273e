"""A Markdown table of every shipped bundle's stored test metrics (computed at train time).

    python bench/bundle_metrics.py
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from explorer.bundle import find_bundles  # noqa: E402


def fmt(value, digits=2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def main() -> None:
    print("| bundle | test −ELBO (nats) | IWAE NLL (nats, k, images) | rec. nats | MSE/pixel | active units | kNN-5 acc. |")
    print("|---|---|---|---|---|---|---|")
    for path in find_bundles(ROOT / "checkpoints"):
        m = json.loads((path / "metrics.json").read_text())
        t, iwae = m["test"], m.get("iwae")
        dim = json.loads((path / "config.json").read_text())["model"]["latent_dim"]
        iwae_s = f"{iwae['nll']:.2f} (k={iwae['k']}, {iwae['n_images']})" if iwae else "–"
        print(f"| {path.parent.name}/{path.name} | {fmt(t.get('neg_elbo'))} | {iwae_s} | {fmt(t['rec_nats'])} | "
              f"{fmt(t['mse_per_pixel'], 4)} | {t['active_units']}/{dim} | {fmt(t['knn5_accuracy'], 3)} |")


if __name__ == "__main__":
    main()
