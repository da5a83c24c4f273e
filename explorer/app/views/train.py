"""The Train view: train a small VAE (or AE) in front of the class and watch its latent space organise itself,
epoch by epoch: the test codes, the loss curves and prior samples, redrawn as it learns (explorer.live_training).

One run at a time on the whole server (TRAIN_SLOTS; later presses wait in gradio's queue, which shows their place),
each capped in time (MAX_SECONDS) and in data (live_training's caps), in a process of its own with one torch
thread (live_process.py), so that the other users' maps keep decoding on the second core. Stop ends a run at once;
so does closing the page.
"""
import time

import gradio as gr

from explorer.app.display import IMAGE_BUTTONS, PIXELATED, friendly, show_grid
from explorer.data import CLASS_NAMES, DEBIAN_DIRS, find_idx_dir
from explorer.errors import UserError
from explorer.figures import code_scatter, loss_curves
from explorer.live_process import RunFailed, train_in_process
from explorer.live_training import MAX_TRAIN_IMAGES, LiveRun, check

TRAIN_SLOTS = 1        # runs at once on the whole server (two cores: one trains, one serves everybody else)
MAX_SECONDS = 120.0    # a run's hard cap; it stops after the epoch that crosses it
UPDATE_S = 0.5         # at most two redraws a second: a digits epoch takes ~0.3 s, faster than a page redraws
DATA = {"digits": "Digits (1,437 images)", "fashion-mnist": "Fashion-MNIST"}
EXPLAIN = """**Train a model and watch it learn.** Press *Train*: a small VAE starts from random weights and, after
every pass over the data (an *epoch*), the map shows where it now puts each test image, the curves show its
losses, and the grid shows what it draws from 16 fixed points of the prior. Early on every image gets nearly the
same code; within seconds the classes pull apart. Try **β**, the weight of the KL term: at 0 nothing pulls the
codes toward N(0, I), so the KL grows (18-22 nats on digits after 40 epochs, against 4-5 at β = 1) and the model
behaves like a plain autoencoder; at 4 the pull wins over detail: reconstructions get blurrier (160-165 nats
instead of 155) and the classes overlap more. One run at a time on this server, at most two minutes."""


def data_choices() -> list[tuple[str, str]]:
    """The data sets this machine has: digits always (scikit-learn ships them); Fashion-MNIST when installed."""
    names = ["digits"] + [n for n in ("fashion-mnist",) if find_idx_dir(DEBIAN_DIRS[n], n) is not None]
    return [(DATA[n], n) for n in names]


def status_line(snap, run: LiveRun) -> str:
    row = snap.history[-1]
    losses = (f"test −ELBO **{row['test_neg_elbo']:.1f}** nats (reconstruction {row['test_rec_nats']:.1f} + KL "
              f"{row['test_kl_nats']:.1f})" if run.kind == "vae" else f"test reconstruction **{row['test_rec_nats']:.1f}** nats")
    head = (f"**Finished** after {snap.epoch} epochs" if snap.epoch == run.epochs else
            f"**Stopped at the time cap** after {snap.epoch} epochs" if snap.done else
            f"Epoch **{snap.epoch}** of {run.epochs}")
    return (f"{head}, {snap.seconds:.1f} s. {losses}; kNN-5 accuracy of the test codes **{snap.knn5:.2f}** "
            "(how well the classes sit apart on the map).")


def train_updates(data_name: str, n_images: float, latent_dim: float, beta: float, kind: str, epochs: float):
    """Yield [map, curves, samples, status] after each epoch, at most every UPDATE_S and always after the last."""
    if data_name not in DATA:
        raise UserError("Choose a data set from the list.")
    run = LiveRun(kind=kind.lower(), latent_dim=int(latent_dim), beta=float(beta), epochs=int(epochs),
                  train_images=min(int(n_images), MAX_TRAIN_IMAGES), max_seconds=MAX_SECONDS)
    check(run)
    yield [gr.skip(), gr.skip(), gr.skip(), "Starting: building the model and its first epoch…"]
    try:
        yield from redraws(data_name, run)
    except RunFailed as err:
        raise gr.Error(str(err)) from None


def redraws(data_name: str, run: LiveRun):
    """The run's snapshots (from its own process) as the view's outputs, thinned to one redraw per UPDATE_S."""
    shown = -UPDATE_S
    for snap, _ in train_in_process(data_name, run):
        if snap.done or time.perf_counter() - shown >= UPDATE_S:
            shown = time.perf_counter()
            name = "VAE" if run.kind == "vae" else "AE"
            title = f"{name}, β = {run.beta:g}: test codes after epoch {snap.epoch}"
            yield [code_scatter(snap.codes, snap.labels, CLASS_NAMES[data_name], title),
                   loss_curves(snap.history, run.kind), show_grid(snap.samples, ncols=8, scale=3),
                   status_line(snap, run)]


def build() -> None:
    """Lay out the view inside the current gr.Tab and wire its events."""
    gr.Markdown(EXPLAIN)
    choices = data_choices()
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            data = gr.Dropdown(choices, value="digits", label="Data")
            n_images = gr.Slider(1000, MAX_TRAIN_IMAGES, value=10_000, step=1000, visible=False,
                                 label="Training images (a seeded subset)")
            kind = gr.Radio(["VAE", "AE"], value="VAE", label="Model")
            latent = gr.Slider(2, 16, value=2, step=1, label="Latent size (above 2 the map is a PCA of the codes)")
            beta = gr.Slider(0, 8, value=1, step=0.25, label="β: weight of the KL term")
            epochs = gr.Slider(1, 100, value=40, step=1, label="Epochs")
            with gr.Row():
                train = gr.Button("Train", variant="primary", elem_id="train-button")
                stop = gr.Button("Stop", elem_id="stop-button")
            status = gr.Markdown(elem_id="train-status")
        with gr.Column(scale=3):
            with gr.Row():
                code_map = gr.Plot(label="Test codes", elem_id="train-map")
                curves = gr.Plot(label="Losses", elem_id="train-curves")
            samples = gr.Image(label="16 fixed prior draws, decoded", elem_classes=[PIXELATED], height=120,
                               buttons=IMAGE_BUTTONS, alt_text="images decoded from 16 fixed draws from the prior")
    data.change(lambda name: gr.Slider(visible=name != "digits"), data, n_images, api_visibility="private")
    running = train.click(friendly(train_updates), [data, n_images, latent, beta, kind, epochs],
                          [code_map, curves, samples, status], concurrency_limit=TRAIN_SLOTS,
                          concurrency_id="train", show_progress="minimal", show_progress_on=[status],
                          api_name="train_live", api_visibility="undocumented")   # benchmarks drive it by name
    stop.click(lambda: "Stopped. The model was not kept (keeping it is still to come).", None, status,
               cancels=[running], api_visibility="private")
