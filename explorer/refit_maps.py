"""Refit the 2-D maps of existing bundles with the current map code, keeping their codes and UMAP embeddings.

    python -m explorer.refit_maps checkpoints/*/vae checkpoints/*/ae

The model, its test codes and everything else in a bundle stay as they are; maps.npz gets the current inverse
grids and far-from-data fields (explorer/map_fit.py), and config.json its new checksum. PCA is refitted (it is
deterministic); a UMAP embedding is kept (refitting it would move every dot).
"""
import argparse
import sys
from pathlib import Path

from explorer.bundle import load_bundle, replace_maps
from explorer.map_fit import refit
from explorer.projection import LatentMap


def refit_bundle(path: Path) -> dict[str, LatentMap]:
    b = load_bundle(path)
    maps = refit(b.maps, b.codes, prior=b.kind == "vae")
    replace_maps(path, maps)
    return maps


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("bundles", nargs="+", type=Path)
    a = p.parse_args(argv)
    for path in a.bundles:
        maps = refit_bundle(path)
        print(f"{path}: " + ", ".join(f"{n} (far beyond {m.far_limit:.3g})" for n, m in maps.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
