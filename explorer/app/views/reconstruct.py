"""The Reconstruct view: an image in (upload, drawing, or a test image), its reconstruction, q(z|x) and ELBO out."""
import logging

import numpy as np

import gradio as gr

from explorer.app.display import IMAGE_BUTTONS, PIXELATED, friendly, show, show_grid
from explorer.app.draw_pad import draw_pad, drawing_of
from explorer.app.inputs import read_drawing, read_upload
from explorer.app.latent_map.component import map_value
from explorer.errors import UserError
from explorer.figures import kl_bars
from explorer.image_layout import display_shape
from explorer.likelihood_check import PERCENTILE, neg_elbo_percentile
from explorer.reconstruction import map_overlay, posterior_extent, reconstruct
from explorer.registry import Registry

SEED = 0
log = logging.getLogger(__name__)
PAD_ID = "recon-pad"
GREY_DATA = {"fashion-mnist": "grey Fashion-MNIST clothes", "mnist": "grey handwritten digits",
             "digits": "grey handwritten digits"}
EXPLAIN = """**What you see.** Your image is cleaned up the way MNIST's digits were (grey, light ink on black,
cropped, fitted into 20×20, or 28×28 for Fashion-MNIST whose items fill the frame, centred by mass in 28×28), then
encoded; a 28×28 light-on-dark image is used as it is. A colour or picture model (the sprites, an image folder)
takes the picture's centre square, resized to its frame, as its training images were. The VAE does not give one
code but a small cloud, q(z|x): the **reconstruction** decodes its centre μ, and the **16 samples** decode random points of the
cloud, so you can see how sure the model is. On the maps above, the dot is μ and the rings are the cloud's 1σ and
2σ edges; the AE gives just a point. The **ELBO** splits the cost of this image in nats: *reconstruction* (how
badly the decode explains the pixels) plus *KL* (how far the cloud is from the prior N(0, I)); lower is better."""


def steps_gallery(pre) -> list:
    return [(show(step, max(1, 112 // max(step.shape))), name) for name, step in pre.steps]


def unlikely_notes(bundle, pair: str, neg_elbo: float, colour: bool) -> list[str]:
    """One plain sentence for each reason the input is much less likely than the test images (none if it is not)."""
    notes = []
    if colour:
        seen = GREY_DATA.get(bundle.dataset, f"grey {bundle.dataset} images")
        notes.append(f"This was a colour picture. The model has only ever seen {seen}, so your picture was turned "
                     "grey first, and it may look like nothing the model knows.")
    limit = neg_elbo_percentile(bundle, PERCENTILE, SEED)
    if neg_elbo > limit:
        notes.append(f"The VAE of {pair} finds this image less likely than {PERCENTILE} % of its test images: it "
                     f"costs {neg_elbo:.0f} nats, where {PERCENTILE} in 100 test images cost at most {limit:.0f}.")
    return notes


def render(x, pair: str, map_name: str | None, exaggerate: bool, registry: Registry, colour: bool = False):
    """Every output of the view for input x (H, W[, 3]): images, ELBO text, KL bars, and both map overlays.
    `colour`: the input was a colour picture (an upload), which the ELBO text then says."""
    if x is None:
        raise UserError("Choose an input: upload, draw, or click a test image.")
    vae, ae = registry.pair(pair)
    keys = registry.pairs[pair]
    x, swapped = np.asarray(x, dtype=np.float32), ""
    b = registry.model_of(pair)
    if x.shape != display_shape(b.image_shape):   # the input was made for a model of another image size
        x, colour = b.test_image(0), False
        swapped = ("\n\nThe input was prepared for a model of another image size, so this model's first test "
                   "image is shown: upload or draw again to try yours.")
    factor = 5.0 if exaggerate else 1.0
    out = {"vae_recon": None, "samples": None, "ae_recon": None, "elbo": "", "kl": None,
           "vae_map": gr.skip(), "ae_map": gr.skip()}
    if vae is not None:
        r = reconstruct(vae, x, SEED)
        name = vae.shown_map(map_name)
        out.update(vae_recon=show(r.recon), samples=show_grid(r.samples, ncols=4, scale=3), kl=kl_bars(r.kl_per_dim))
        tiny = posterior_extent(vae, name, r) < 0.01 and not exaggerate
        notes = unlikely_notes(vae, pair, r.rec_nats + r.kl_nats, colour)
        out["elbo"] = (f"### This image: {r.rec_nats + r.kl_nats:.1f} nats\n"
                       f"reconstruction **{r.rec_nats:.1f}** nats + KL **{r.kl_nats:.1f}** nats "
                       f"(test-set average {vae.metrics['test']['neg_elbo']:.1f})"
                       + "".join(f"\n\n**{note}**" for note in notes)
                       + ("\n\nThe posterior is tiny on this map: tick *exaggerate* to see its rings." if tiny else "")
                       + swapped)
        overlay = map_overlay(vae, name, r, SEED, factor)
        out["vae_map"] = map_value(keys["vae"], name, overlay=overlay)
    if ae is not None:
        r_ae = reconstruct(ae, x, SEED)
        name = ae.shown_map(map_name)
        out["ae_recon"] = show(r_ae.recon)
        out["ae_map"] = map_value(keys["ae"], name, overlay=map_overlay(ae, name, r_ae, SEED))
    return [out[k] for k in ("vae_recon", "samples", "ae_recon", "elbo", "kl", "vae_map", "ae_map")]


def warm_up(registry: Registry) -> None:
    """Render one test image on every pair and map, so that a user's first stroke does not pay for what is computed
    once (the test set's ELBO percentile, the first calls into each model): 0.2-0.9 s a pair on this machine.
    app.py runs it in a background thread at startup."""
    for pair in registry.pairs:
        b = registry.model_of(pair)
        for map_name in b.map_names:
            try:
                render(b.test_image(0), pair, map_name, False, registry)
            except Exception:   # a broken pair shows its own error when it is used
                log.exception("warming up %s failed", pair)


def example_indices(bundle) -> list[int]:
    """The first test image of each class present, in class order: the clickable row."""
    labels = bundle.latents["labels"]
    return [bundle.first_of_class(c) for c in range(len(bundle.latents["class_names"])) if (labels == c).any()]


def examples(registry: Registry, pair: str | None) -> list:
    """One test image per class, for the clickable row."""
    if pair not in registry.pairs:
        return []
    b = registry.model_of(pair)
    return [(show(b.latents["images"][i], 3), b.class_name(i)) for i in example_indices(b)]


def example_image(registry: Registry, pair: str | None, position: int):
    """The test image behind the clicked example, used as it is (it is already the model's input)."""
    b = registry.model_of(pair)
    i = example_indices(b)[position]
    # the same two steps an upload of a picture already the model's size shows
    image, (_, h, w) = show(b.latents["images"][i], 4), b.image_shape
    return b.test_image(i), [(image, f"test image #{i}: {b.class_name(i)}"), (image, f"already {h}x{w}: used as is")]


def build(registry: Registry, header, x_state: gr.State) -> None:
    """Lay out the view inside the current gr.Tab and wire its events. `header` holds the pair and map pickers,
    the two live maps, and the events that switch them; `x_state` receives the input image (other views read it)."""
    pair_box, map_box, vae_map, ae_map = header.pair_box, header.map_box, header.vae_map, header.ae_map
    colour = gr.State(False)   # the input in x_state was a colour picture (an upload), greyed by preprocessing
    gr.Markdown(EXPLAIN)
    with gr.Row():
        with gr.Column(scale=1):
            upload = gr.File(label="Upload an image (PNG, JPEG, WebP, BMP, GIF)", file_types=["image"],
                             type="binary", height=120)
            pad = draw_pad("…or draw one", PAD_ID)
        with gr.Column(scale=2):
            gallery = gr.Gallery(value=examples(registry, pair_box.value), label="…or click a test image", elem_id="test-images",
                                 columns=10, height=130, allow_preview=False, elem_classes=[PIXELATED])
            steps = gr.Gallery(label="Preprocessing, step by step", columns=6, height=180, allow_preview=False,
                               object_fit="contain", elem_id="preprocess-steps", elem_classes=[PIXELATED])
            exaggerate = gr.Checkbox(label="Exaggerate the posterior rings ×5 (when σ is tiny)", value=False)
            with gr.Row():
                vae_recon = gr.Image(label="VAE reconstruction", elem_classes=[PIXELATED], height=280,
                                     buttons=IMAGE_BUTTONS, alt_text="the VAE's reconstruction of your image")
                samples = gr.Image(label="16 decodes of z ~ q(z|x)", elem_classes=[PIXELATED], height=280,
                                   buttons=IMAGE_BUTTONS, alt_text="16 images decoded from random points of your image's cloud q(z|x)")
                ae_recon = gr.Image(label="AE reconstruction", elem_classes=[PIXELATED], height=280,
                                    buttons=IMAGE_BUTTONS, alt_text="the AE's reconstruction of your image")
            elbo = gr.Markdown()
            kl = gr.Plot(label="KL per dimension")
    outputs = [vae_recon, samples, ae_recon, elbo, kl, vae_map, ae_map]

    def do_render(x, pair, map_name, exag, is_colour):
        return render(x, pair, map_name, exag, registry, is_colour)

    def rerender(x, pair, map_name, exag, is_colour):
        """After a switch of model or map: redo the current input, if there is one."""
        if x is None:
            return [gr.skip()] * len(outputs)
        return render(x, pair, map_name, exag, registry, is_colour)

    def on_upload(data, pair):
        b = registry.model_of(pair)
        pre = read_upload(data, b.content_box, b.framed_shape)
        return pre.x, steps_gallery(pre), pre.colour

    def on_stroke(pair, map_name, exag, evt: gr.EventData):
        """A finished stroke: the drawing read and rendered in one event (one round trip per stroke)."""
        b = registry.model_of(pair)
        pre = read_drawing(drawing_of(evt), b.content_box, b.framed_shape)
        return [pre.x, steps_gallery(pre), False, *render(pre.x, pair, map_name, exag, registry)]

    def on_example(pair, evt: gr.SelectData):
        # the upload box is emptied: what it showed is no longer the input
        return *example_image(registry, pair, evt.index), False, None

    render_inputs = [x_state, pair_box, map_box, exaggerate, colour]
    on_render = friendly(do_render)
    # Named (undocumented) endpoints: tests drive two sessions through them by name.
    upload.upload(friendly(on_upload), [upload, pair_box], [x_state, steps, colour], api_name="reconstruct_upload",
                  api_visibility="undocumented") \
        .success(on_render, render_inputs, outputs, api_name="reconstruct_render", api_visibility="undocumented")
    # While a stroke is read and rendered, gradio's small timer shows on the steps and the reconstruction; a stroke
    # drawn meanwhile waits, and only the latest one is rendered.
    pad.stroke(friendly(on_stroke), [pair_box, map_box, exaggerate], [x_state, steps, colour, *outputs],
               trigger_mode="always_last", show_progress="minimal", show_progress_on=[steps, vae_recon],
               api_visibility="private")
    gallery.select(friendly(on_example), pair_box, [x_state, steps, colour, upload]) \
        .success(on_render, render_inputs, outputs)
    exaggerate.input(on_render, render_inputs, outputs)
    pair_box.change(friendly(lambda pair: examples(registry, pair)), pair_box, gallery)
    for switched in header.switched:   # a new pair or map: show the current input on it
        switched.then(friendly(rerender), render_inputs, outputs)
