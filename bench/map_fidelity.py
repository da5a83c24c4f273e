"""Does the decode at a test image's dot look like that image's own decode? For every shipped map.

    python bench/map_fidelity.py [--n 1000] [--append]

For n test images per map: the cursor at the image's dot (its map position rounded to 4 decimals, as the page
draws it), the map's inverse there, decoded; compared with decode(mu) of that image by the shipped classifier of
its dataset (same class?) and by the mean squared pixel error. Two inverses side by side: the projection's own
("base": the PCA plane or the UMAP grid, what the app used before) and the one the app uses now, anchored at the
data (explorer/projection.py). Goal (issue 13): same class for at least 95 % on every PCA and UMAP map.
"""
import argparse
import re
import sys
from datetime import date
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from explorer.bundle import find_bundles, load_bundle  # noqa: E402
from explorer.classifier import load_classifier  # noqa: E402
from explorer.generate import decode_latents  # noqa: E402

SECTION = "## Map fidelity"


def classes(classifier, images: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return classifier(torch.from_numpy(images).unsqueeze(1)).argmax(1).numpy()


def fidelity(bundle, map_name: str, classifier, n: int, seed: int = 0) -> dict:
    m = bundle.maps[map_name]
    idx = np.sort(np.random.default_rng(seed).choice(len(bundle.codes), size=min(n, len(bundle.codes)),
                                                      replace=False))
    dots = np.round(m.xy[idx], 4)
    want = decode_latents(bundle.model, bundle.codes[idx])
    want_class = classes(classifier, want)
    # Half-way to the nearest other dot, in a random direction: between dots, where the decode is a blend; it is
    # compared with the decode of the dot nearest that point.
    gap = m.nearest_dots(m.xy[idx], 2)[0][:, 1]
    angle = np.random.default_rng(seed + 1).uniform(0, 2 * np.pi, len(idx))
    off = m.xy[idx] + 0.5 * gap[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1)
    off_dot = m.nearest_dots(off, 1)[1][:, 0]
    off_class = classes(classifier, decode_latents(bundle.model, bundle.codes[off_dot]))
    out = {}
    for kind, inverse in (("base", lambda p: m.base_latent(p).astype(np.float32)),
                          ("anchored", lambda p: m.to_latent(p)[0])):
        got = decode_latents(bundle.model, inverse(dots))
        between = classes(classifier, decode_latents(bundle.model, inverse(off)))
        out[kind] = {"same_class": float((classes(classifier, got) == want_class).mean()),
                     "median_mse": float(np.median(((got - want) ** 2).mean((1, 2)))),
                     "between": float((between == off_class).mean())}
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoints", type=Path, default=ROOT / "checkpoints")
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--append", action="store_true", help=f"write the table to BENCHMARKS.md, '{SECTION}'")
    a = p.parse_args()
    torch.set_num_threads(1)
    rows = ["| bundle | map | at the dot, same class as decode(μ): base inverse | anchored (the app's) | "
            "median MSE: base | anchored | half a gap off: base | anchored |", "|---|---|---|---|---|---|---|---|"]
    worst = 1.0
    for path in find_bundles(a.checkpoints):
        if path.parent.name == "classifiers" or "classifiers" in path.parts:
            continue
        b = load_bundle(path)
        clf = load_classifier(a.checkpoints / "classifiers" / b.dataset)
        for name in b.map_names:
            r = fidelity(b, name, clf, a.n)
            if name != "latent":
                worst = min(worst, r["anchored"]["same_class"])
            rows.append(f"| {path.relative_to(a.checkpoints)} | {name} | {100 * r['base']['same_class']:.1f} % | "
                        f"{100 * r['anchored']['same_class']:.1f} % | {r['base']['median_mse']:.2g} | "
                        f"{r['anchored']['median_mse']:.2g} | {100 * r['base']['between']:.1f} % | "
                        f"{100 * r['anchored']['between']:.1f} % |")
            print(rows[-1], flush=True)
    verdict = f"Lowest on a PCA or UMAP map: {100 * worst:.1f} % (goal >= 95 %: {'met' if worst >= 0.95 else 'NOT met'})."
    print("\n".join(rows[:2]) + "\n" + verdict)
    if a.append:
        text = (f"{SECTION}\n\n`python bench/map_fidelity.py --n {a.n}` ({date.today()}): {a.n} test images per map, "
                "the cursor at each image's dot (4 decimals, as drawn), the decode there against decode(μ) of the "
                "image, judged by the dataset's classifier (same class?) and by mean squared pixel error; and half "
                "way to the nearest other dot (a random direction), the decode against the decode of the dot nearest "
                "that point.\n\n"
                + "\n".join(rows) + f"\n\n{verdict}\n")
        path = ROOT / "BENCHMARKS.md"
        old = path.read_text()
        pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
        path.write_text(pattern.sub(lambda _: text, old) if pattern.search(old) else old.rstrip("\n") + "\n\n" + text)


if __name__ == "__main__":
    main()
