"""How well each model on the sprites separates the data's known factors: MIG, and what each dimension follows.

    python bench/disentanglement.py

For every shipped bundle whose test set carries its true factors (the sprites), prints the Mutual Information Gap
(explorer/disentanglement.py, on the test codes: the posterior means for a VAE) and, per latent dimension by
descending KL (an AE: by variance), the factor it knows most about with that share of the factor's entropy, as the
Generate view's traversals label them.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import numpy as np  # noqa: E402

from explorer.bundle import find_bundles, load_bundle  # noqa: E402
from explorer.disentanglement import FOLLOWS, mig  # noqa: E402
from explorer.generate import kl_order  # noqa: E402
from explorer.pair_metrics import factor_information  # noqa: E402


def main() -> None:
    print("| bundle | MIG | active units | dimensions by KL (AE: variance): factor followed (share of its entropy) |")
    print("|---|---|---|---|")
    for path in find_bundles(ROOT / "checkpoints"):
        b = load_bundle(path)
        if b.factors is None:
            continue
        info, names = factor_information(b), b.factors[0]
        kl = b.metrics["test"].get("kl_per_dim") or list(b.codes.var(0))
        dims = []
        for d in kl_order(kl):
            f = int(np.argmax(info[d]))
            who = names[f] if info[d, f] >= FOLLOWS else "none"
            dims.append(f"z{d + 1} {who} ({info[d, f]:.2f})")
        print(f"| {path.relative_to(ROOT / 'checkpoints')} | {mig(info):.3f} | {b.metrics['test']['active_units']}"
              f"/{b.latent_dim} | {', '.join(dims)} |")


if __name__ == "__main__":
    main()
