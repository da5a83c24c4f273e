"""The Generate view: prior samples, the manifold grid or per-dimension traversals, and interpolation."""
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

import gradio as gr

from explorer.animate import filmstrip_png, gif_bytes
from explorer.app.display import IMAGE_BUTTONS, PIXELATED, friendly, show_grid
from explorer.app.draw_pad import draw_pad, drawing_of
from explorer.app.inputs import read_drawing, read_upload
from explorer.app.latent_map.component import map_value
from explorer.checks import MAX_SEED, whole_number
from explorer.errors import UserError
from explorer.generate import (decode_latents, interpolation_latents, kl_order, manifold_latents, prior_latents,
                               traversal_latents)
from explorer.image_layout import display_shape
from explorer.marks import marks
from explorer.pair_metrics import factor_labels
from explorer.registry import Registry

N_TRAVERSED = 8
EXPLAIN_SAMPLES = """**Sampling.** Draw z from the prior N(0, I) and decode it. *Temperature* scales the spread: below 1
stays near the centre (typical, safe images), above 1 reaches the edges (odd ones). The same seed always gives the
same grid."""
EXPLAIN_MANIFOLD = """**The learned manifold.** For a 2-D latent, decode a regular grid of points. With *normal* spacing
the grid lines sit at equal steps of prior probability (as in the VAE paper), so each cell holds the same share
of the prior; *linear* spaces them evenly from −3 to 3. For larger latents, each row varies one dimension and
holds the others at the test set's average code; rows are ordered by KL, so the dimensions the model actually
uses (its *active units*) come first."""
EXPLAIN_INTERP = """**Interpolation.** Encode two images and walk from one code to the other. *Linear* goes straight;
*spherical* (slerp) follows an arc that keeps away from the prior's nearly empty centre, which matters in
many dimensions. A VAE's path passes through plausible images; an AE's may cross holes where nothing was learned."""


def sample_grid(pair: str, n: int, temperature: float, seed: float, registry: Registry, map_name: str | None = None):
    """The grid of decoded prior samples, and the samples as marks on the model's map."""
    b = registry.model_of(pair)
    seed = whole_number(0 if seed is None else seed, "The seed", 0, MAX_SEED)
    z = prior_latents(b.latent_dim, int(n), float(temperature), seed)
    images = decode_latents(b.model, z)
    return show_grid(images, ncols=int(np.sqrt(n))), marks(b, b.shown_map(map_name), "prior samples", z)


def label_rows(img: Image.Image, labels: list[str], row_height: int) -> Image.Image:
    """Put a text label left of each row of a grid image, sized to the grid's width: the page shrinks a 25-step
    traversal to its column, and the labels must still read at about 14 px there."""
    width = max(150, int(0.21 * img.width))
    out = Image.new(img.mode, (img.width + width, img.height), "white")
    out.paste(img, (width, 0))
    draw = ImageDraw.Draw(out)
    font = ImageFont.load_default(size=min(max(14, width // 8), int(row_height * 0.45)))
    for i, text in enumerate(labels):
        draw.multiline_text((8, i * row_height + row_height // 2), text, fill="black", font=font, anchor="lm")
    return out


def manifold(pair: str, n: int, spacing: str, registry: Registry, map_name: str | None = None):
    """The manifold grid (2-D latents) or KL-ordered traversals (larger latents), a caption, and their latents as
    marks on the model's map."""
    b = registry.model_of(pair)
    d, n, shown = b.latent_dim, int(n), b.shown_map(map_name)
    if d == 2:
        z = manifold_latents(n, spacing)
        images = decode_latents(b.model, z)
        lo, hi = z[:, 0].min(), z[:, 0].max()   # the same values on both axes
        return show_grid(images, ncols=n, scale=2), (
            f"{n}×{n} decodes, {spacing} spacing: z₁ from {lo:+.2f} (left) to {hi:+.2f} (right), z₂ from {lo:+.2f} "
            f"(bottom) to {hi:+.2f} (top)."), marks(b, shown, "manifold grid", z)
    kl = b.metrics["test"].get("kl_per_dim") or list(b.codes.var(0))
    order = kl_order(kl)[:N_TRAVERSED]
    z = traversal_latents(b.codes.mean(0), order, n_steps=n, span=3.0)        # (rows, n, D)
    images = decode_latents(b.model, z.reshape(-1, d))
    img = show_grid(images, ncols=n, scale=3)
    follows = factor_labels(b)
    labels = [f"z{i + 1}: {kl[i]:.1f} nats" + (f"\nfollows {follows[i] or 'none'}" if follows else "")
              for i in order]
    rows = [marks(b, shown, f"z{i + 1} traversal", row, path=True) for i, row in zip(order, z)]
    caption = f"The {len(order)} dimensions with the most KL (of {d}); each row moves one of them from −3 to +3."
    if follows:
        caption += (" Under each, the true factor of the data it follows most (its mutual information with that "
                    "factor, over the factor's entropy, is at least 0.3), or none (of the shipped sprites VAEs, the "
                    "one at β = 4 has a dimension each for x and y; the one at β = 1 has none).")
    return label_rows(img, labels, row_height=img.height // len(order)), caption, rows


def endpoint(upload: bytes | None, drawing: str | None, fallback: np.ndarray, box: int,
             framed=None) -> np.ndarray:
    """The image for one end of an interpolation: an upload, else a drawing (a pad's PNG data URL), else `fallback`.
    An empty (0-byte) upload is still an upload, and refused as one."""
    if upload is not None:
        return read_upload(upload, box, framed).x
    if drawing is not None:
        return read_drawing(drawing, box, framed).x
    return fallback


def filmstrip(xa, xb, pair: str, which: str, steps: int, mode: str, registry: Registry, folder: Path,
              map_name: str | None = None):
    """Decoded path between two images: a filmstrip, PNG + GIF files (written in `folder`) to download, and the
    path as a mark on the model's map."""
    vae, ae = registry.pair(pair)
    b = vae if which == "VAE" else ae
    if b is None:
        raise UserError(f"This pair has no {which}.")
    z = interpolation_latents(b.model, xa, xb, int(steps), mode)
    images = decode_latents(b.model, z)
    png, gif = folder / "interpolation.png", folder / "interpolation.gif"
    png.write_bytes(filmstrip_png(images, scale=4))
    gif.write_bytes(gif_bytes(images, frame_ms=120, scale=8, pingpong=True))
    path = marks(b, b.shown_map(map_name), f"{mode} interpolation", z, path=True)
    # on the page the two images themselves stand at the ends, so that each decode is seen beside what it came from
    shown = np.concatenate([np.asarray(xa)[None], images, np.asarray(xb)[None]])
    return show_grid(shown, ncols=len(shown), scale=4), str(png), str(gif), path


def on_maps(registry: Registry, pair: str, kind: str, map_name: str | None, mark_list: list[dict]) -> list:
    """The two maps' new values: `kind`'s ("vae"/"ae") with these marks, the other's untouched."""
    keys = registry.pairs[pair]
    b = registry.bundles[keys[kind]]
    value = map_value(keys[kind], b.shown_map(map_name), marks=mark_list)
    return [value if k == kind else gr.skip() for k in ("vae", "ae")]


def on_both_maps(registry: Registry, pair: str, map_name: str | None, name: str, z) -> list:
    """The two maps' new values with the same latents z marked on each: draws from the prior, or the 2-D grid,
    mean the same on both (on the AE's map they show where the AE's codes are not)."""
    out = []
    for kind in ("vae", "ae"):
        key = registry.pairs[pair].get(kind)
        if key is None:
            out.append(gr.skip())
            continue
        b = registry.bundles[key]
        shown = b.shown_map(map_name)
        out.append(map_value(key, shown, marks=[marks(b, shown, name, z)]))
    return out


def ends_note(registry: Registry, pair: str | None) -> str:
    """What an empty start or end of an interpolation stands for, in the pair's own class names."""
    if pair not in registry.pairs:
        return ""
    b = registry.model_of(pair)
    first, last = (b.class_name(b.first_of_class(label)) for label in (0, 7))
    return (f"An empty start uses the Reconstruct tab's image (or the first test image of a {first}); an empty "
            f"end, the first test image of a {last}.")


def build(registry: Registry, header, x_state, storage) -> None:
    """Lay out the view inside the current gr.Tab and wire its events; what it makes also shows on the maps in
    `header`, as marks the cursor can go to; downloads go to `storage` (PrivateStorage)."""
    pair_box, map_box, maps = header.pair_box, header.map_box, [header.vae_map, header.ae_map]
    with gr.Row():
        with gr.Column():
            gr.Markdown(EXPLAIN_SAMPLES)
            with gr.Row():
                n = gr.Dropdown([16, 36, 64, 100], value=36, label="Samples")
                temperature = gr.Slider(0.0, 2.0, value=1.0, step=0.05, label="Temperature")
                seed = gr.Number(value=0, precision=0, label="Seed")
            sample_btn = gr.Button("Sample from the prior", variant="primary")
            samples = gr.Image(label="Decoded prior samples", elem_classes=[PIXELATED], height=420,
                               buttons=IMAGE_BUTTONS, alt_text="a grid of images decoded from codes drawn from the prior")
        with gr.Column():
            gr.Markdown(EXPLAIN_MANIFOLD)
            with gr.Row():
                size = gr.Slider(5, 25, value=15, step=1, label="Images per side / steps")
                spacing = gr.Radio(["normal", "linear"], value="normal", label="Spacing (2-D latents)")
            grid_btn = gr.Button("Show the manifold", variant="primary")
            grid_img = gr.Image(label="Manifold / traversals", elem_classes=[PIXELATED], height=420,
                                buttons=IMAGE_BUTTONS, alt_text="images decoded along a grid or along each latent dimension")
            grid_caption = gr.Markdown()
    gr.Markdown(EXPLAIN_INTERP)
    with gr.Row():
        with gr.Column():
            a_up = gr.File(label="Start: upload an image", file_types=["image"], type="binary", height=100)
            a_pad = draw_pad("…or draw", "interp-start-pad")
        with gr.Column():
            b_up = gr.File(label="End: upload an image", file_types=["image"], type="binary", height=100)
            b_pad = draw_pad("…or draw", "interp-end-pad")
        with gr.Column():
            which = gr.Radio(["VAE", "AE"], value="VAE", label="Model")
            steps = gr.Slider(3, 16, value=9, step=1, label="Steps")
            mode = gr.Radio(["linear", "spherical"], value="spherical", label="Path")
            interp_btn = gr.Button("Interpolate", variant="primary")
            ends = gr.Markdown(ends_note(registry, pair_box.value))
    film = gr.Image(label="Filmstrip: your start image, the decodes along the path, your end image",
                    elem_classes=[PIXELATED], height=160,
                    buttons=IMAGE_BUTTONS, alt_text="the start image, the images decoded along the path, and the end image")
    with gr.Row():
        png_file = gr.File(label="Download PNG")
        gif_file = gr.File(label="Download animated GIF")

    def on_sample(pair, k, t, s, map_name):
        image, mark = sample_grid(pair, k, t, s, registry, map_name)
        return [image, *on_both_maps(registry, pair, map_name, mark["name"], mark["z"])]

    def on_manifold(pair, k, s, map_name):
        image, caption, mark = manifold(pair, k, s, registry, map_name)
        if isinstance(mark, list):   # traversals: around this model's own codes, on its map only
            return [image, caption, *on_maps(registry, pair, registry.model_of(pair).kind, map_name, mark)]
        return [image, caption, *on_both_maps(registry, pair, map_name, mark["name"], mark["z"])]

    def on_interp(a_file, a_drawing, b_file, b_drawing, x, pair, w, k, m, map_name):
        b = registry.model_of(pair)
        fits = x is not None and np.shape(x) == display_shape(b.image_shape)   # not one made for another model
        start = x if fits else b.test_image(b.first_of_class(0))
        xa = endpoint(a_file, a_drawing, start, b.content_box, b.framed_shape)
        xb = endpoint(b_file, b_drawing, b.test_image(b.first_of_class(7)), b.content_box, b.framed_shape)
        film_img, png, gif, path = filmstrip(xa, xb, pair, w, k, m, registry, storage.new_output_folder(), map_name)
        return [film_img, png, gif, *on_maps(registry, pair, w.lower(), map_name, [path])]

    # Results belong to the pair that made them: a new pair clears them and names its own default end image.
    pair_box.change(lambda pair: (None, None, "", None, None, None, ends_note(registry, pair)), pair_box,
                    [samples, grid_img, grid_caption, film, png_file, gif_file, ends])
    sample_btn.click(friendly(on_sample), [pair_box, n, temperature, seed, map_box], [samples, *maps])
    grid_btn.click(friendly(on_manifold), [pair_box, size, spacing, map_box], [grid_img, grid_caption, *maps])
    # each pad's latest drawing, read when Interpolate is pressed
    a_draw, b_draw = gr.State(None), gr.State(None)
    for pad, drawing in ((a_pad, a_draw), (b_pad, b_draw)):
        pad.stroke(drawing_of, None, drawing, api_visibility="private")
        pad.clear(lambda: None, None, drawing, api_visibility="private")
    interp_btn.click(friendly(on_interp), [a_up, a_draw, b_up, b_draw, x_state, pair_box, which, steps, mode, map_box],
                     [film, png_file, gif_file, *maps])
