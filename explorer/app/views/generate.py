"""The Generate view: prior samples, the manifold grid or per-dimension traversals, and interpolation."""
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

import gradio as gr

from explorer.animate import filmstrip_png, gif_bytes
from explorer.app.display import PIXELATED, friendly, show_grid
from explorer.app.inputs import checked_sketchpad, has_drawing, read_sketch, read_upload
from explorer.checks import MAX_SEED, whole_number
from explorer.errors import UserError
from explorer.generate import interpolation, kl_order, manifold_grid, prior_samples, traversals
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


def sample_grid(pair: str, n: int, temperature: float, seed: float, registry: Registry):
    b = registry.model_of(pair)
    seed = whole_number(0 if seed is None else seed, "The seed", 0, MAX_SEED)
    images = prior_samples(b.model, int(n), float(temperature), seed)
    return show_grid(images, ncols=int(np.sqrt(n)))


def label_rows(img: Image.Image, labels: list[str], row_height: int, width: int = 150) -> Image.Image:
    """Put a text label left of each row of a grid image, in a projector-readable size."""
    out = Image.new("L", (img.width + width, img.height), 255)
    out.paste(img, (width, 0))
    draw = ImageDraw.Draw(out)
    font = ImageFont.load_default(size=max(14, row_height // 4))
    for i, text in enumerate(labels):
        draw.text((8, i * row_height + row_height // 2), text, fill=0, font=font, anchor="lm")
    return out


def manifold(pair: str, n: int, spacing: str, registry: Registry):
    """The manifold grid (2-D latents) or KL-ordered traversals (larger latents), and a caption."""
    b = registry.model_of(pair)
    d = b.model.config.latent_dim
    if d == 2:
        images = manifold_grid(b.model, int(n), spacing)
        return show_grid(images.reshape(-1, 28, 28), ncols=int(n), scale=2), (
            f"{int(n)}×{int(n)} decodes, z₁ left to right, z₂ bottom to top, {spacing} spacing.")
    kl = b.metrics["test"].get("kl_per_dim") or list(b.codes.var(0))
    order = kl_order(kl)[:N_TRAVERSED]
    images = traversals(b.model, b.codes.mean(0), order, n_steps=int(n), span=3.0)
    scale = 3
    img = show_grid(images.reshape(-1, 28, 28), ncols=int(n), scale=scale)
    labels = [f"z{i + 1}: {kl[i]:.1f} nats" for i in order]
    return label_rows(img, labels, row_height=img.height // len(order)), (
        f"The {len(order)} dimensions with the most KL (of {d}); each row moves one of them from −3 to +3.")


def endpoint(upload: bytes | None, editor, fallback: np.ndarray, box: int) -> np.ndarray:
    """The image for one end of an interpolation: an upload, else a drawing, else `fallback`. An empty (0-byte)
    upload is still an upload, and refused as one."""
    if upload is not None:
        return read_upload(upload, box).x
    if has_drawing(editor):
        return read_sketch(editor, box).x
    return fallback


def filmstrip(xa, xb, pair: str, which: str, steps: int, mode: str, registry: Registry, folder: Path):
    """Decoded path between two images: a filmstrip, and PNG + GIF files (written in `folder`) to download."""
    vae, ae = registry.pair(pair)
    b = vae if which == "VAE" else ae
    if b is None:
        raise UserError(f"This pair has no {which}.")
    images = interpolation(b.model, xa, xb, int(steps), mode)
    png, gif = folder / "interpolation.png", folder / "interpolation.gif"
    png.write_bytes(filmstrip_png(images, scale=4))
    gif.write_bytes(gif_bytes(images, frame_ms=120, scale=8, pingpong=True))
    return show_grid(images, ncols=len(images), scale=4), str(png), str(gif)


def build(registry: Registry, pair_box, x_state, storage) -> None:
    """Lay out the view inside the current gr.Tab and wire its events; downloads go to `storage` (PrivateStorage)."""
    with gr.Row():
        with gr.Column():
            gr.Markdown(EXPLAIN_SAMPLES)
            with gr.Row():
                n = gr.Dropdown([16, 36, 64, 100], value=36, label="Samples")
                temperature = gr.Slider(0.0, 2.0, value=1.0, step=0.05, label="Temperature")
                seed = gr.Number(value=0, precision=0, label="Seed")
            sample_btn = gr.Button("Sample from the prior", variant="primary")
            samples = gr.Image(label="Decoded prior samples", elem_classes=[PIXELATED], height=420)
        with gr.Column():
            gr.Markdown(EXPLAIN_MANIFOLD)
            with gr.Row():
                size = gr.Slider(5, 25, value=15, step=1, label="Images per side / steps")
                spacing = gr.Radio(["normal", "linear"], value="normal", label="Spacing (2-D latents)")
            grid_btn = gr.Button("Show the manifold", variant="primary")
            grid_img = gr.Image(label="Manifold / traversals", elem_classes=[PIXELATED], height=420)
            grid_caption = gr.Markdown()
    gr.Markdown(EXPLAIN_INTERP)
    with gr.Row():
        with gr.Column():
            a_up = gr.File(label="Start: upload an image", file_types=["image"], type="binary", height=100)
            a_draw = checked_sketchpad(label="…or draw", type="pil", image_mode="RGBA", canvas_size=(280, 280),
                                  height=220, brush=gr.Brush(colors=["#000000"], default_size=22))
        with gr.Column():
            b_up = gr.File(label="End: upload an image", file_types=["image"], type="binary", height=100)
            b_draw = checked_sketchpad(label="…or draw", type="pil", image_mode="RGBA", canvas_size=(280, 280),
                                  height=220, brush=gr.Brush(colors=["#000000"], default_size=22))
        with gr.Column():
            which = gr.Radio(["VAE", "AE"], value="VAE", label="Model")
            steps = gr.Slider(3, 16, value=9, step=1, label="Steps")
            mode = gr.Radio(["linear", "spherical"], value="spherical", label="Path")
            interp_btn = gr.Button("Interpolate", variant="primary")
            gr.Markdown("An empty start uses the Reconstruct tab's image (or a test image); an empty end, a test "
                        "image of class 7.")
    film = gr.Image(label="Filmstrip", elem_classes=[PIXELATED], height=160)
    with gr.Row():
        png_file = gr.File(label="Download PNG")
        gif_file = gr.File(label="Download animated GIF")

    sample_btn.click(friendly(lambda p, k, t, s: sample_grid(p, k, t, s, registry)), [pair_box, n, temperature, seed],
                     samples)
    grid_btn.click(friendly(lambda p, k, s: manifold(p, k, s, registry)), [pair_box, size, spacing],
                   [grid_img, grid_caption])

    def on_interp(a_file, a_sk, b_file, b_sk, x, pair, w, k, m):
        b = registry.model_of(pair)
        start = x if x is not None else b.test_image(b.first_of_class(0))
        xa = endpoint(a_file, a_sk, start, b.content_box)
        xb = endpoint(b_file, b_sk, b.test_image(b.first_of_class(7)), b.content_box)
        return filmstrip(xa, xb, pair, w, k, m, registry, storage.new_output_folder())

    interp_btn.click(friendly(on_interp), [a_up, a_draw, b_up, b_draw, x_state, pair_box, which, steps, mode],
                     [film, png_file, gif_file])
