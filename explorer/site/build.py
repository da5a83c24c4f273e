"""Write the static site: a folder that works opened from file:// and from any static host, with no Python and no
request to any other host.

    python -m explorer.site site/                       # every shipped pair, 2,000 test images each
    python -m explorer.site site/ --test-images 1000 --pairs fashion-mnist-mlp-z2

OUT_DIR gets index.html, explorer.js (the ES modules joined), the stylesheets, plotly.min.js (from the installed
plotly package), data/<pair>/{maps,decoders,images,encoders}.js and a README.md whose front matter makes the folder
a Hugging Face static Space as it is.
"""
import argparse
import html
import json
import shutil
import sys
import time
from pathlib import Path

from explorer.classifier import load_classifiers
from explorer.registry import Registry, load_registry
from explorer.site.data import pair_parts
from explorer.app.latent_map.joined_script import join_modules

ROOT = Path(__file__).resolve().parents[2]
PAGE = Path(__file__).resolve().parent / "page"
MAP_STATIC = ROOT / "explorer" / "app" / "latent_map" / "static"
APP_STATIC = ROOT / "explorer" / "app" / "static"      # the drawing pad, shared with the app
PREFERRED_PAIR = "fashion-mnist-mlp-z2"
PART_ORDER = ("maps", "decoders", "images", "encoders")


def plotly_js() -> bytes:
    import plotly   # the Python package ships plotly.min.js: no download, no CDN

    return (Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js").read_bytes()


def part_script(pair: str, name: str, value) -> str:
    """A data file: a classic script that hands its value to the page (site_data.js)."""
    text = json.dumps(value, separators=(",", ":")).replace("</", "<\\/")
    return f"window.LX_SITE_PART({json.dumps(pair)}, {json.dumps(name)}, {text});\n"


def index_html(site: dict) -> str:
    template = (PAGE / "index.html").read_text()
    config = json.dumps(site, separators=(",", ":")).replace("</", "<\\/")
    return (template.replace("{{LATENT_MAP_HTML}}", (MAP_STATIC / "latent_map.html").read_text())
            .replace("{{SITE_CONFIG}}", config)
            .replace("{{BUILT}}", html.escape(time.strftime("%Y-%m-%d"))))


def build(out: Path, registry: Registry, classifiers: dict, n: int, pairs: list[str] | None = None,
          log=print) -> dict:
    """Write the site into `out` (created, or emptied of a previous build); returns its configuration."""
    chosen = [p for p in registry.pairs if pairs is None or p in pairs]
    # the site's page reads and encodes 28x28 grey pictures only (page/preprocess.js, its sprite sheets)
    other = [p for p in chosen if registry.model_of(p).framed_shape is not None]
    for pair in other:
        log(f"{pair} was left out: the static site shows models of the MNIST-style sets only; `python app.py` "
            "shows this one.")
    chosen = [p for p in chosen if p not in other]
    if not chosen:
        raise SystemExit("No model pair to build: check the checkpoints folder and --pairs.")
    if out.exists() and any(out.iterdir()) and not (out / "explorer.js").exists():
        raise SystemExit(f"{out} is not empty and holds no earlier build; choose an empty or new folder.")
    if out.exists():
        shutil.rmtree(out)
    (out / "data").mkdir(parents=True)
    site = {"pairs": [], "first": PREFERRED_PAIR if PREFERRED_PAIR in chosen else chosen[0],
            "plotly": "plotly.min.js"}
    for pair in chosen:
        t0 = time.perf_counter()
        parts = pair_parts(registry, pair, n, classifiers)
        folder = out / "data" / pair
        folder.mkdir(parents=True)
        sizes = []
        for name in PART_ORDER:
            data = part_script(pair, name, parts[name]).encode()
            (folder / f"{name}.js").write_bytes(data)
            sizes.append(f"{name} {len(data) / 1e6:.2f} MB")
        site["pairs"].append({"pair": pair, "label": registry.label(pair), "keys": registry.pairs[pair]})
        log(f"{pair}: {', '.join(sizes)} ({time.perf_counter() - t0:.0f} s)")
    (out / "explorer.js").write_text(join_modules([MAP_STATIC, APP_STATIC, PAGE], "site.js", "LatentExplorerSite"))
    for name in ("site.css",):
        shutil.copyfile(PAGE / name, out / name)
    shutil.copyfile(MAP_STATIC / "latent_map.css", out / "latent_map.css")
    (out / "plotly.min.js").write_bytes(plotly_js())
    (out / "index.html").write_text(index_html(site))
    (out / "README.md").write_text((PAGE / "SPACE_README.md").read_text())
    return site


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", type=Path, help="the folder to write (new, empty, or an earlier build)")
    p.add_argument("--checkpoints", type=Path, default=ROOT / "checkpoints")
    p.add_argument("--test-images", type=int, default=2000, help="test images shown per pair (dots, neighbours)")
    p.add_argument("--pairs", nargs="+", help="model pairs to include (default: all)")
    a = p.parse_args(argv)
    if not 100 <= a.test_images <= 10_000:
        p.error("--test-images must be between 100 and 10000")
    registry = load_registry(a.checkpoints)
    for problem in registry.problems:
        print(problem, file=sys.stderr)
    classifiers, skipped = load_classifiers(a.checkpoints / "classifiers")
    for problem in skipped:
        print(problem, file=sys.stderr)
    build(a.out, registry, classifiers, a.test_images, a.pairs)
    print(f"wrote {a.out}: open {a.out / 'index.html'} in a browser, or serve the folder from any static host")
    return 0
