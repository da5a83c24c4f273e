"""Latent Explorer: drag through a VAE's latent space beside its plain-autoencoder twin.

Constants, the bundles (loaded once, read-only), small handlers, then the Blocks and launch().
"""
import os
import sys
import threading
from pathlib import Path

import gradio as gr
import torch
from PIL import Image

from explorer import live_process
from explorer.app import api, fairness, gradio_cache, header, lesson, presenter, storage
from explorer.app.latent_map.component import routes
from explorer.app.page_gzip import page_gzip
from explorer.app.settings import allow_model_code, checkpoint_folders
from explorer.app.trained_models import TrainedModels
from explorer.app.views import compare, generate, reconstruct, train
from explorer.classifier import load_classifiers
from explorer.preprocess import MAX_PIXELS
from explorer.registry import load_registry

HERE = Path(__file__).resolve().parent
# python app.py --checkpoints DIR [DIR ...], or LATENT_EXPLORER_CHECKPOINTS=DIR[:DIR...], or checkpoints/ (settings.py)
CHECKPOINTS = checkpoint_folders(sys.argv[1:], os.environ, HERE / "checkpoints")
MAX_FILE_SIZE = "10mb"
MAX_QUEUED = 256
MAX_SESSIONS = 200   # per-session state kept (least recently used go first): ~180 KB each, ~36 MB at most
PREFERRED_PAIR = "fashion-mnist-mlp-z2"
# The system's fonts: the theme's own web fonts are 160 KB that a slow link would load before anything else.
# Its labels and secondary texts one shade darker than Soft's: at WCAG AA (4.5:1) in both themes (axe-core's check,
# tests/test_browser_accessibility.py).
THEME = gr.themes.Soft(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]).set(
    block_label_text_color="*primary_700", block_title_text_color="*primary_700", color_accent="*primary_600",
    body_text_color_subdued="*neutral_600", body_text_color_subdued_dark="*neutral_300",
    button_primary_background_fill="*primary_600", button_primary_background_fill_hover="*primary_700",
    button_primary_background_fill_hover_dark="*primary_700",
    checkbox_label_background_fill_selected="*primary_600")
CSS = """
.gradio-container { max-width: 1600px !important; }
.pixelated img, img.pixelated { image-rendering: pixelated; image-rendering: crisp-edges; }
.prose, .prose p, .prose li { font-size: 1.05rem; line-height: 1.5; }
/* gradio gives a gallery of n < columns images n wide columns: two steps would each fill half the width */
#preprocess-steps .grid-container { grid-template-columns: repeat(6, minmax(0, 1fr)) !important; }
/* one test image per class, all in the row's width (gradio's fixed-width columns scrolled Bag and Ankle boot away) */
#test-images .grid-container { grid-template-columns: repeat(10, minmax(0, 1fr)) !important; }
#test-images .caption-label, #preprocess-steps .caption-label { max-width: none; left: 2px; right: 2px; padding: 1px 2px;
  font-size: 11px; line-height: 1.15; white-space: normal; overflow-wrap: anywhere; text-align: center; }
/* a phone: the test images in two rows of five, the steps in rows of three, each as tall as they need */
@media (max-width: 640px) {
  #test-images .grid-container { grid-template-columns: repeat(5, minmax(0, 1fr)) !important; }
  #preprocess-steps .grid-container { grid-template-columns: repeat(3, minmax(0, 1fr)) !important; }
  #test-images .grid-wrap, #preprocess-steps .grid-wrap { height: auto !important; max-height: none !important; }
  #test-images .caption-label { font-size: 10px; overflow-wrap: normal; }
}
/* A laptop's short screen (1366x768): the pair picker without its caption, so the tabs below the maps show too
   (the field keeps its label for screen readers). */
@media (max-height: 820px) and (min-width: 1000px) { #header-row [data-testid="block-info"] { display: none; } }
/* the selected tab's accent colour on the dark theme's background is 3:1; a lighter shade of it reads at AA */
.dark #views [role="tab"][aria-selected="true"] { color: var(--primary-300) !important; }
#header-row input[role="combobox"] { text-overflow: ellipsis; padding-right: 26px !important; }
"""
INTRO = """# Latent Explorer
Every dot is a test image, placed where the model encodes it. **Drag the ringed cursor** (or click) to see the image
decoded there. Left: a **VAE**; right: its **plain autoencoder (AE)** twin, the same layers without the pull toward
the prior. The tabs below take your own images, generate, and compare."""
# Pillow warns between its pixel limit and twice it, and only raises above: with the limit at ours, no decoder in
# the process (gradio's own included) decodes more than 2x MAX_PIXELS, and ours refuses anything above 1x.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Two users given the same image at once must not see gradio rewrite it under the other's download.
gradio_cache.install()
# One thread per decode: with several intra-op threads a single small decode gets 10-50x slower on a busy CPU.
torch.set_num_threads(1)

# Every file the app writes (gradio's uploads and outputs, the downloads) goes to a fresh folder only this process
# can enter, pruned on a schedule: nothing another user of the machine plants can be served, and disk stays bounded.
STORAGE = storage.PrivateStorage()
STORAGE.use_for_gradio()

# --allow-model-code: bundles of one's own models import the module they name (README, "Bring your own model")
REGISTRY = load_registry(CHECKPOINTS, allow_model_code=allow_model_code(sys.argv[1:], os.environ))
TRAINED = TrainedModels(REGISTRY, STORAGE)   # the Train view's models: served for the session, never written to CHECKPOINTS
PAIRS = REGISTRY.pairs
FIRST_PAIR = PREFERRED_PAIR if PREFERRED_PAIR in PAIRS else next(iter(PAIRS), None)


CLASSIFIER_BY_DATASET = {}
for _folder in CHECKPOINTS:   # each folder's classifiers/; a data set's first one wins
    _found, _skipped = load_classifiers(_folder / "classifiers")
    CLASSIFIER_BY_DATASET = {**_found, **CLASSIFIER_BY_DATASET}
    REGISTRY.problems.extend(_skipped)


with gr.Blocks(title="Latent Explorer", fill_width=True) as demo:
    gr.Markdown(INTRO, elem_id="intro")
    if REGISTRY.problems:
        gr.Markdown("**Some checkpoints could not be loaded:**\n\n" + "\n".join(f"- {p}" for p in REGISTRY.problems))
    if not PAIRS:
        gr.Markdown("No model bundles were found. Train them with `checkpoints/train_all.sh`.")
    lesson_panel = lesson.build_panel()
    top = header.build(REGISTRY, FIRST_PAIR)
    if PAIRS:
        lesson.wire(REGISTRY, top, lesson_panel)
    x_state = gr.State(None)   # the input image (the model's size) the Reconstruct view set; Generate starts from it
    mine = gr.State([])        # the pairs this session trained in the Train view (the picker and Compare show them)
    with gr.Tabs(elem_id="views") as tabs:
        with gr.Tab("Reconstruct", id="reconstruct"):
            reconstruct.build(REGISTRY, top, x_state)
        with gr.Tab("Generate", id="generate"):
            generate.build(REGISTRY, top, x_state, STORAGE)
        with gr.Tab("Compare VAE vs AE", id="compare"):
            compare.build(REGISTRY, top.pair_box, CLASSIFIER_BY_DATASET, mine)
        with gr.Tab("Train", id="train"):
            train.build(top, TRAINED, mine)
    api.build(REGISTRY, STORAGE)
    if PAIRS:
        lesson.wire_tabs(REGISTRY, top, lesson_panel, tabs, demo)

# Two cores: two events of a kind at once; at most MAX_QUEUED waiting in all; and no one client holds more than a
# few places (fairness.py), so a flood from one leaves the others served.
demo.queue(default_concurrency_limit=2, max_size=MAX_QUEUED)
fairness.install(demo._queue)

# The page's head: presenter mode's switch and stylesheet, the lesson's clicker keys, the first maps' preloads.
HEAD = "\n".join([presenter.head(), lesson.HEAD, header.preload(REGISTRY, FIRST_PAIR)])

if __name__ == "__main__":
    STORAGE.start_pruning()
    STORAGE.remove_at_exit()
    demo.launch(server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
                # show_error: gradio's own refusals (a server path as an image, a file over the size limit)
                # reach the user as their sentence; our handlers raise gr.Error with theirs.
                max_file_size=MAX_FILE_SIZE, allowed_paths=[], show_error=True, css=CSS, ssr_mode=False,
                theme=THEME, head=HEAD, app_kwargs={"routes": routes(), "middleware": [page_gzip()]}, state_session_capacity=MAX_SESSIONS,
                prevent_thread_lock=True)
    # Once the page is served: what first uses would otherwise pay (a few seconds of CPU, not before the first page)
    threading.Thread(target=reconstruct.warm_up, args=(REGISTRY,), daemon=True).start()
    live_process.warm_up()   # the fork server the Train view's runs start from
    demo.block_thread()
