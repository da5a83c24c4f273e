"""The Compare view: the same prior draws through a VAE and its AE twin, a table of their metrics, and where every
VAE on the same data sits between rate and distortion (what β trades)."""
import numpy as np

import gradio as gr

from explorer.app.display import IMAGE_BUTTONS, PIXELATED, friendly, show_grid
from explorer.bundle import Bundle
from explorer.generate import decode_latents
from explorer.figures import rate_distortion
from explorer.pair_metrics import prior_figures, rate_point, real_data_score, table_rows
from explorer.registry import Registry

N_SHOWN = 36
EXPLAIN = """**VAE or plain autoencoder?** Both squeeze images through the same narrow code with the same layers;
only the VAE is also pulled toward the prior N(0, I). Below, the *same* 36 draws from N(0, I) are decoded by
both. The VAE was trained to make such draws meaningful, so they look like the data (clothes, digits, sprites). The AE put its
codes wherever it liked: many prior draws land in **holes** far from any training code, and decode to blends or
smudges. On the maps above, compare how the VAE packs its classes around the origin while the AE spreads them out.

The table: *reconstruction* (lower is better; the AE usually wins, having no KL to pay), *negative ELBO* (the VAE's
bound on −log p(x)), *kNN-5 accuracy* (do codes of one class sit together?), *active units* (dimensions the model
really uses), *holes* (share of prior draws farther from every test code than codes usually are from each other;
a VAE's test code is a draw from that image's q(z|x), since unused dimensions stay as wide as the prior),
and a *classifier score* of the decoded prior draws (from 1, all alike or unrecognisable, to 10, confidently
every class; real test images score about {real}). On data drawn from known factors (the sprites), *MIG* scores
how far each factor has one latent dimension of its own (0: none does, 1: each does): the β-VAE lesson is that a
larger β raises it."""


RATE_TEXT = """**What β trades.** Each dot is a VAE trained on this data, the one chosen above in red (models you
trained in the Train view this session are here too). Its **KL** is how many nats its code carries about an image
(the *rate*); its **reconstruction** term is how many nats of the image are lost (the *distortion*); their sum is the
negative ELBO, the same along each dotted line. β weighs the KL during training: the shipped 2-D family shows
β = 0.5 keeping more in the code and losing less detail, β = 4 squeezing the code and losing more. Units: the latent
dimensions a model uses; a dimension whose KL falls to zero carries nothing (*posterior collapse*), as 10 of the
16 of the latent-16 VAE do."""


def rate_chart(registry: Registry, pair: str | None, mine: list[str]):
    """Every VAE on the data of `pair` (the shipped ones and the session's own) on the rate-distortion chart."""
    if pair not in registry.pairs:
        return None
    data = registry.model_of(pair).dataset
    served = registry.pairs
    points = []
    for name in registry.shipped + [m for m in mine or [] if m in served]:
        vae, _ = registry.pair(name)
        if vae is not None and vae.dataset == data:
            points.append(rate_point(vae, name))
    return rate_distortion(points, current=pair)


def figures(bundle: Bundle, classifiers: dict) -> dict:
    """The bundle's prior figures (about a second to compute), made on first request and kept with the bundle:
    a deterministic function of read-only data, shared by every user."""
    def make():
        clf = classifiers.get(bundle.dataset)
        return {**prior_figures(bundle, clf), "real_score": real_data_score(bundle, clf)}
    return bundle.memo("compare-figures", make)


def compare(pair: str, seed: float, registry: Registry, classifiers: dict):
    vae, ae = registry.pair(pair)
    z = np.random.default_rng(int(seed)).standard_normal((N_SHOWN, registry.model_of(pair).latent_dim))
    vae_img = show_grid(decode_latents(vae.model, z), ncols=6) if vae else None
    ae_img = show_grid(decode_latents(ae.model, z), ncols=6) if ae else None
    found = {b.kind: figures(b, classifiers) for b in (vae, ae) if b is not None}
    real = next(iter(found.values()))["real_score"]   # the test images' own score, cached with the figures
    rows = table_rows(vae, ae, found)
    return vae_img, ae_img, rows, EXPLAIN.format(real="–" if real is None else f"{real:.1f}")


def build(registry: Registry, pair_box, classifiers: dict, mine) -> None:
    """Lay out the view inside the current gr.Tab and wire its events; `mine`: the session's trained pairs."""
    explain = gr.Markdown(EXPLAIN.format(real="–"))
    with gr.Row():
        seed = gr.Number(value=0, precision=0, label="Seed of the prior draws")
        go = gr.Button("Decode the same prior draws with both", variant="primary")
    with gr.Row():
        vae_img = gr.Image(label="VAE: decodes of z ~ N(0, I)", elem_classes=[PIXELATED], height=420,
                           buttons=IMAGE_BUTTONS, alt_text="a grid of the VAE's decodes of codes drawn from the prior")
        ae_img = gr.Image(label="AE: the same z", elem_classes=[PIXELATED], height=420,
                          buttons=IMAGE_BUTTONS, alt_text="a grid of the AE's decodes of the same codes")
    table = gr.Dataframe(headers=["", "VAE", "AE"], label="Test-set metrics", interactive=False, wrap=True)
    with gr.Row():
        rates = gr.Plot(rate_chart(registry, pair_box.value, []), label="Rate and distortion", elem_id="rate-chart")
        gr.Markdown(RATE_TEXT)
    go.click(friendly(lambda p, s: compare(p, s, registry, classifiers)), [pair_box, seed],
             [vae_img, ae_img, table, explain])
    # Results belong to the pair that made them: a new pair clears them until the button is pressed again.
    pair_box.change(lambda: (None, None, None, EXPLAIN.format(real="–")), None, [vae_img, ae_img, table, explain])
    chart = friendly(lambda p, m: rate_chart(registry, p, m))   # on a new pair, and with the draws (new models)
    pair_box.change(chart, [pair_box, mine], rates, api_visibility="private")
    go.click(chart, [pair_box, mine], rates, api_visibility="private")
