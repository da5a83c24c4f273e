"""The Compare view: the same prior draws through a VAE and its AE twin, and a table of their metrics."""
import threading

import numpy as np

import gradio as gr

from explorer.generate import decode_path
from explorer.pair_metrics import prior_figures, real_data_score, table_rows
from explorer.registry import Registry
from explorer.ui_common import PIXELATED, friendly, pair_or_error, show_grid

N_SHOWN = 36
EXPLAIN = """**VAE or plain autoencoder?** Both squeeze images through the same narrow code with the same layers;
only the VAE is also pulled toward the prior N(0, I). Below, the *same* 36 draws from N(0, I) are decoded by
both. The VAE was trained to make such draws meaningful, so they look like clothes or digits. The AE put its
codes wherever it liked: many prior draws land in **holes** far from any training code, and decode to blends or
smudges. On the maps above, compare how the VAE packs its classes around the origin while the AE spreads them out.

The table: *reconstruction* (lower is better; the AE usually wins, having no KL to pay), *negative ELBO* (the VAE's
bound on −log p(x)), *kNN-5 accuracy* (do codes of one class sit together?), *active units* (dimensions the model
really uses), *holes* (share of prior draws farther from every test code than codes usually are from each other;
a VAE's test code is a draw from that image's q(z|x), since unused dimensions stay as wide as the prior),
and a *classifier score* of the decoded prior draws (from 1, all alike or unrecognisable, to 10, confidently
every class; real test images score about {real})."""


class FigureCache:
    """Prior figures per bundle, computed on first request (about a second) and then shared: not per-user state,
    just a deterministic function of the read-only bundle."""

    def __init__(self, registry: Registry, classifiers: dict):
        self.registry, self.classifiers = registry, classifiers
        self._done: dict[str, dict] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> dict:
        with self._lock:
            if key not in self._done:
                bundle = self.registry.bundles[key]
                clf = self.classifiers.get(bundle.config["dataset"]["name"])
                self._done[key] = {**prior_figures(bundle, clf), "real_score": real_data_score(bundle, clf)}
            return self._done[key]


def compare(pair: str, seed: float, registry: Registry, cache: FigureCache):
    vae, ae = pair_or_error(registry, pair)
    keys = registry.pairs[pair]
    b = vae or ae
    z = np.random.default_rng(int(seed)).standard_normal((N_SHOWN, b.codes.shape[1]))
    vae_img = show_grid(decode_path(vae.model, z), ncols=6) if vae else None
    ae_img = show_grid(decode_path(ae.model, z), ncols=6) if ae else None
    figures = {kind: cache.get(key) for kind, key in keys.items()}
    real = next(iter(figures.values()))["real_score"]   # the test images' own score, cached with the figures
    rows = table_rows(vae, ae, figures)
    return vae_img, ae_img, rows, EXPLAIN.format(real="–" if real is None else f"{real:.1f}")


def build(registry: Registry, pair_box, classifiers: dict) -> None:
    """Lay out the view inside the current gr.Tab and wire its events."""
    cache = FigureCache(registry, classifiers)
    explain = gr.Markdown(EXPLAIN.format(real="–"))
    with gr.Row():
        seed = gr.Number(value=0, precision=0, label="Seed of the prior draws")
        go = gr.Button("Decode the same prior draws with both", variant="primary")
    with gr.Row():
        vae_img = gr.Image(label="VAE: decodes of z ~ N(0, I)", elem_classes=[PIXELATED], height=420)
        ae_img = gr.Image(label="AE: the same z", elem_classes=[PIXELATED], height=420)
    table = gr.Dataframe(headers=["", "VAE", "AE"], label="Test-set metrics", interactive=False, wrap=True)
    go.click(friendly(lambda p, s: compare(p, s, registry, cache)), [pair_box, seed],
             [vae_img, ae_img, table, explain])
