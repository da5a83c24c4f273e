"""Latent Explorer: drag through a VAE's latent space beside its plain-autoencoder twin.

Constants, the bundles (loaded once, read-only), small handlers, then the Blocks and launch().
"""
import os
from pathlib import Path

import gradio as gr
import torch
from PIL import Image

from explorer import api, gradio_cache, ui_compare, ui_generate, ui_reconstruct
from explorer.classifier import load_classifier
from explorer.latent_map import latent_map, map_value
from explorer.map_payload import map_names
from explorer.preprocess import MAX_PIXELS
from explorer.registry import load_registry
from explorer.ui_common import friendly

HERE = Path(__file__).resolve().parent
CHECKPOINTS = Path(os.environ.get("LATENT_EXPLORER_CHECKPOINTS", HERE / "checkpoints"))
CLASSIFIERS = CHECKPOINTS / "classifiers"
MAX_FILE_SIZE = "10mb"
PREFERRED_PAIR = "fashion-mnist-mlp-z2"
CSS = """
.gradio-container { max-width: 1600px !important; }
.pixelated img, img.pixelated { image-rendering: pixelated; image-rendering: crisp-edges; }
.prose, .prose p, .prose li { font-size: 1.05rem; line-height: 1.5; }
"""
INTRO = """# Latent Explorer
Every dot is a test image, placed by where the model encodes it. **Drag the ringed cursor** (or click anywhere) and
the image decoded at that point appears beside the map. Left: a **VAE**; right: its **plain autoencoder (AE)**
twin, with the same layers but no pull toward the prior. Use the tabs below to feed in your own images, generate,
and compare."""
# Pillow warns between its pixel limit and twice it, and only raises above: with the limit at ours, no decoder in
# the process (gradio's own included) decodes more than 2x MAX_PIXELS, and ours refuses anything above 1x.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Two users given the same image at once must not see gradio rewrite it under the other's download.
gradio_cache.install()
# One thread per decode: with several intra-op threads a single small decode gets 10-50x slower on a busy CPU.
torch.set_num_threads(1)

REGISTRY = load_registry(CHECKPOINTS)
PAIRS = REGISTRY.pairs
FIRST_PAIR = PREFERRED_PAIR if PREFERRED_PAIR in PAIRS else next(iter(PAIRS), None)


def load_classifiers(folder: Path) -> dict:
    """The sample-quality classifier per dataset; a missing or broken one only leaves its table cells empty."""
    found = {}
    for sub in sorted(folder.iterdir()) if folder.is_dir() else []:
        try:
            found[sub.name] = load_classifier(sub)
        except Exception as err:
            REGISTRY.problems.append(f"classifier `{sub.name}` was skipped: {err}")
    return found


CLASSIFIER_BY_DATASET = load_classifiers(CLASSIFIERS)


def pair_maps(pair: str) -> list[str]:
    """The maps every model of the pair has, e.g. ["latent"] or ["pca", "umap"]."""
    names = [map_names(REGISTRY.bundles[key]) for key in PAIRS[pair].values()]
    return [n for n in names[0] if all(n in other for other in names)]


def values_for(pair: str, map_name: str | None) -> tuple[str, str, str]:
    """The VAE map's value, the AE map's value, and the map actually shown."""
    names = pair_maps(pair)
    shown = map_name if map_name in names else names[0]
    keys = PAIRS[pair]
    return map_value(keys.get("vae"), shown), map_value(keys.get("ae"), shown), shown


def show_pair(pair: str | None, map_name: str | None):
    if pair not in PAIRS:
        raise gr.Error("Choose a model pair from the list.")
    vae, ae, shown = values_for(pair, map_name)
    names = pair_maps(pair)
    return vae, ae, gr.Radio(choices=names, value=shown, visible=len(names) > 1)


def show_map(pair: str | None, map_name: str | None):
    if pair not in PAIRS:
        raise gr.Error("Choose a model pair from the list.")
    vae, ae, _ = values_for(pair, map_name)
    return vae, ae


def choice_label(pair: str) -> str:
    """How a pair reads in the picker: data · backbone · latent size · beta."""
    b = REGISTRY.bundles[next(iter(PAIRS[pair].values()))]
    m, beta = b.config["model"], b.config.get("training", {}).get("beta")
    return (f"{b.config['dataset']['name']} · {m['arch'].upper()} · latent {m['latent_dim']}"
            + ("" if beta is None else f" · β = {beta:g}") + f"   ({pair})")


def describe(pair: str | None) -> str:
    """One line about the pair: data, backbone, latent size, beta, likelihood."""
    if pair not in PAIRS:
        return ""
    b = REGISTRY.bundles[next(iter(PAIRS[pair].values()))]
    m, t = b.config["model"], b.config.get("training", {})
    trained = f" · β = {t['beta']:g} · {t['epochs']} epochs" if {"beta", "epochs"} <= set(t) else ""
    return (f"**{b.config['dataset']['name']}** · {m['arch'].upper()} backbone · latent size {m['latent_dim']} · "
            f"{m['likelihood']} likelihood{trained}")


start_vae, start_ae, start_map = values_for(FIRST_PAIR, None) if FIRST_PAIR else (map_value(None),) * 2 + (None,)
start_names = pair_maps(FIRST_PAIR) if FIRST_PAIR else []

with gr.Blocks(title="Latent Explorer", fill_width=True) as demo:
    gr.Markdown(INTRO)
    if REGISTRY.problems:
        gr.Markdown("**Some checkpoints could not be loaded:**\n\n" + "\n".join(f"- {p}" for p in REGISTRY.problems))
    if not PAIRS:
        gr.Markdown(f"No bundles found in `{CHECKPOINTS}`. Train them with `checkpoints/train_all.sh`.")
    with gr.Row():
        pair_box = gr.Dropdown(choices=[(choice_label(p), p) for p in PAIRS], value=FIRST_PAIR,
                               label="Model pair (a VAE and its AE twin)", scale=2)
        map_box = gr.Radio(choices=start_names, value=start_map, label="Map of the latent space", scale=1,
                           visible=len(start_names) > 1)
    about = gr.Markdown(describe(FIRST_PAIR))
    with gr.Row(equal_height=False):
        with gr.Column():
            vae_map = latent_map(REGISTRY.bundles, elem_id="map-vae", value=start_vae)
        with gr.Column():
            ae_map = latent_map(REGISTRY.bundles, elem_id="map-ae", value=start_ae)
    with gr.Tabs():
        with gr.Tab("Reconstruct", id="reconstruct"):
            recon = ui_reconstruct.build(REGISTRY, pair_box, map_box, vae_map, ae_map)
        with gr.Tab("Generate", id="generate"):
            ui_generate.build(REGISTRY, pair_box, recon["x_state"])
        with gr.Tab("Compare VAE vs AE", id="compare"):
            ui_compare.build(REGISTRY, pair_box, CLASSIFIER_BY_DATASET)
    api.build(REGISTRY)

    pair_box.change(friendly(show_pair), [pair_box, map_box], [vae_map, ae_map, map_box]) \
        .then(friendly(recon["rerender"]), recon["render_inputs"], recon["outputs"])
    pair_box.change(friendly(describe), pair_box, about)
    map_box.input(friendly(show_map), [pair_box, map_box], [vae_map, ae_map]) \
        .then(friendly(recon["rerender"]), recon["render_inputs"], recon["outputs"])

if __name__ == "__main__":
    demo.launch(server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
                # show_error: gradio's own refusals (a server path as an image, a file over the size limit)
                # reach the user as their sentence; our handlers raise gr.Error with theirs.
                max_file_size=MAX_FILE_SIZE, allowed_paths=[], show_error=True, css=CSS, ssr_mode=False,
                theme=gr.themes.Soft())
