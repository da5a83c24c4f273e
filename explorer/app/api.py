"""Named API endpoints (encode, decode, reconstruct, sample, interpolate) for gradio_client and scripts.

Images come back as PNG at the model's own resolution (28x28 for the MNIST-style models, 32 or 64 px for picture
models; grids with 2-pixel grey lines), so a script gets the model's pixels exactly; the views show the same
images scaled up.

Each is a plain function over the same domain operations as the views (bad input raises a one-sentence
UserError); `build` wires them to hidden components so that gradio handles files and images as for the views.
"""
import math
from pathlib import Path

import torch

import gradio as gr

from explorer.animate import gif_bytes
from explorer.app.display import friendly, show, show_grid
from explorer.app.inputs import read_upload
from explorer.checks import MAX_SEED, number_in, read_latent, whole_number
from explorer.errors import UserError
from explorer.generate import decode_latents, interpolation, prior_samples
from explorer.image_layout import as_batch
from explorer.registry import Registry
from explorer.reconstruction import reconstruct


def encode(registry: Registry, image: bytes, model: str) -> dict:
    """The code of an image: mu and logvar for a VAE, z for an AE."""
    b = registry.model(model)
    x = read_upload(image, b.content_box, b.framed_shape).x
    with torch.no_grad():
        mu, logvar = b.model.encode(as_batch(x, b.image_shape))
    out = {"model": model, "kind": b.kind}
    if logvar is None:
        out["z"] = mu[0].tolist()
    else:
        out.update(mu=mu[0].tolist(), logvar=logvar[0].tolist())
    return out


def decode(registry: Registry, z, model: str):
    """The mean image decoded from a latent z (a JSON list of numbers)."""
    b = registry.model(model)
    return show(decode_latents(b.model, read_latent(z, b.latent_dim)[None])[0], scale=1)


def reconstruct_api(registry: Registry, image: bytes, model: str):
    """Reconstruction of an image and its ELBO split in nats."""
    b = registry.model(model)
    r = reconstruct(b, read_upload(image, b.content_box, b.framed_shape).x, seed=0)
    info = {"model": model, "rec_nats": r.rec_nats, "kl_nats": r.kl_nats,
            "kl_per_dim": None if r.kl_per_dim is None else r.kl_per_dim.tolist(), "mu": r.mu.tolist()}
    return show(r.recon, scale=1), info


def sample(registry: Registry, model: str, n: float, temperature: float, seed: float):
    """A grid of n decoded prior samples."""
    b = registry.model(model)
    n = whole_number(n, "n", 1, 256)
    temperature = number_in(1.0 if temperature is None else temperature, "temperature", 0, 10)
    seed = whole_number(0 if seed is None else seed, "seed", 0, MAX_SEED)
    images = prior_samples(b.model, n, temperature, seed)
    return show_grid(images, ncols=int(math.ceil(math.sqrt(n))), scale=1)


def interpolate_api(registry: Registry, image_a: bytes, image_b: bytes, model: str, steps: float, mode: str,
                    folder: Path):
    """A filmstrip between two images, and the animated GIF."""
    b = registry.model(model)
    if mode not in ("linear", "spherical"):
        raise UserError("mode must be linear or spherical.")
    steps = whole_number(steps, "steps", 2, 64)
    xa, xb = (read_upload(image, b.content_box, b.framed_shape).x for image in (image_a, image_b))
    images = interpolation(b.model, xa, xb, int(steps), mode)
    gif = folder / "interpolation.gif"
    gif.write_bytes(gif_bytes(images, frame_ms=120, scale=8, pingpong=True))
    return show_grid(images, ncols=len(images), scale=1), str(gif)


def build(registry: Registry, storage) -> None:
    """Hidden components and buttons whose events carry the API names; files go to `storage` (PrivateStorage)."""
    # Thin closures so that the API pages show the user-facing parameter names only.
    def encode_(image: bytes, model: str):
        return encode(registry, image, model)

    def decode_(z, model: str):
        return decode(registry, z, model)

    def reconstruct_(image: bytes, model: str):
        return reconstruct_api(registry, image, model)

    def sample_(model: str, n: float, temperature: float, seed: float):
        return sample(registry, model, n, temperature, seed)

    def interpolate_(image_a: bytes, image_b: bytes, model: str, steps: float, mode: str):
        return interpolate_api(registry, image_a, image_b, model, steps, mode, storage.new_output_folder())

    with gr.Group(visible=False):
        img_a, img_b = gr.File(type="binary"), gr.File(type="binary")
        model, mode = gr.Textbox(), gr.Textbox()
        z = gr.JSON()
        n, temperature, seed, steps = gr.Number(), gr.Number(), gr.Number(), gr.Number()
        out_img, out_json, out_file = gr.Image(type="pil", format="png"), gr.JSON(), gr.File()
        buttons = [gr.Button() for _ in range(5)]
    buttons[0].click(friendly(encode_), [img_a, model], out_json, api_name="encode")
    buttons[1].click(friendly(decode_), [z, model], out_img, api_name="decode")
    buttons[2].click(friendly(reconstruct_), [img_a, model], [out_img, out_json], api_name="reconstruct")
    buttons[3].click(friendly(sample_), [model, n, temperature, seed], out_img, api_name="sample")
    buttons[4].click(friendly(interpolate_), [img_a, img_b, model, steps, mode], [out_img, out_file],
                     api_name="interpolate")
