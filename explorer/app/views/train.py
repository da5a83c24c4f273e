"""The Train view: train a small VAE (or AE) in front of the class and watch its latent space organise itself,
epoch by epoch: the test codes, the loss curves and prior samples, redrawn as it learns (explorer.live_training).

One run at a time on the whole server (TRAIN_SLOTS; later presses wait in gradio's queue, which shows their place),
each capped in time (MAX_SECONDS) and in data (live_training's caps), in a process of its own with one torch
thread (live_process.py), so that the other users' maps keep decoding on the second core. Stop ends a run after
the epoch in progress, keeping its model; closing the page ends it at once. A finished or stopped run's model joins
the pair picker of the session that trained it and can be downloaded as a bundle (trained_models.py).
"""
import time
from dataclasses import replace

import gradio as gr

from explorer.app.display import IMAGE_BUTTONS, PIXELATED, friendly, show_grid
from explorer.app.live_figure import live_figure
from explorer.data import CLASS_NAMES, DEBIAN_DIRS, find_idx_dir
from explorer.errors import UserError
from explorer.figures import code_scatter, loss_curves
from explorer.app.trained_models import TrainedModels
from explorer.gpu import on_gpu, zero_gpu
from explorer.live_process import RunFailed, train_here, train_in_process
from explorer.live_training import MAX_TRAIN_IMAGES, LiveRun, check

TRAIN_SLOTS = 1        # runs at once on the whole server (two cores: one trains, one serves everybody else)
MAX_SECONDS = 120.0    # a run's hard cap; it stops after the epoch that crosses it
UPDATE_S = 0.5      # at most two redraws a second (BENCHMARKS.md, "The Train view in a page": with gr.Plot, which
                    # rebuilds each figure, a headless page here fell seconds behind at this rate; live figures do not)
# Where runs train: a process of their own; on Hugging Face ZeroGPU, this one, inside a spaces.GPU function
# (explorer/gpu.py) that holds the GPU for at most the run's time cap and a little for its bundle.
RUN = on_gpu(MAX_SECONDS + 30)(train_here) if zero_gpu() else train_in_process
STOPS: set[str] = set()   # sessions whose run is asked to stop (Stop), until their run ends
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


KINDS = {"VAE": ["vae"], "AE": ["ae"], "VAE and AE": ["vae", "ae"]}   # the model choice -> the models trained
# the handler's outputs, in order (tests read them by name)
OUTPUTS = ("map", "twin_map", "curves", "samples", "twin_samples", "status", "picker", "download", "mine")


def losses_text(snap, run: LiveRun) -> str:
    row = snap.history[-1]
    if run.kind == "vae":
        return (f"test −ELBO **{row['test_neg_elbo']:.1f}** nats (reconstruction {row['test_rec_nats']:.1f} + KL "
                f"{row['test_kl_nats']:.1f})")
    return f"test reconstruction **{row['test_rec_nats']:.1f}** nats"


def status_line(snaps: list, runs: list[LiveRun]) -> str:
    snap, run = snaps[0], runs[0]
    head = (f"**Finished** after {snap.epoch} epochs" if snap.done and snap.epoch == run.epochs else
            f"**Stopped at the time cap** after {snap.epoch} epochs" if snap.done and snap.seconds >= run.max_seconds else
            f"**Stopped** after {snap.epoch} epochs" if snap.done else
            f"Epoch **{snap.epoch}** of {run.epochs}")
    if len(runs) == 1:
        return (f"{head}, {snap.seconds:.1f} s. {losses_text(snap, run)}; kNN-5 accuracy of the test codes "
                f"**{snap.knn5:.2f}** (how well the classes sit apart on the map).")
    parts = [f"{r.kind.upper()}: {losses_text(s, r)}, kNN-5 **{s.knn5:.2f}**" for s, r in zip(snaps, runs)]
    return (f"{head}, {max(s.seconds for s in snaps):.1f} s. " + "; ".join(parts)
            + " (kNN-5: how well the classes sit apart on each map).")


def kept_line(pair: str) -> str:
    return (f"\n\n**Kept as `{pair}`**: choose *Trained here* in the model list at the top to drag on its map, "
            "or download it below (for this session only; the server keeps the last few trained models).")


def train_updates(trained: TrainedModels, mine: list[str], data_name: str, n_images: float, latent_dim: float,
                  beta: float, kind: str, epochs: float, likelihood: str, request: gr.Request):
    """Yield the OUTPUTS after each epoch, at most every UPDATE_S and always after the last, which also brings the
    kept model(s) to the picker and their zip to the download button."""
    if data_name not in DATA:
        raise UserError("Choose a data set from the list.")
    if kind not in KINDS:
        raise UserError(f"Choose the model: {', '.join(KINDS)}.")
    base = LiveRun(latent_dim=int(latent_dim), beta=float(beta), epochs=int(epochs),
                   train_images=min(int(n_images), MAX_TRAIN_IMAGES), max_seconds=MAX_SECONDS,
                   likelihood=str(likelihood).lower())
    runs = [replace(base, kind=k) for k in KINDS[kind]]
    for run in runs:
        check(run)
    session = request.session_hash or "?"
    STOPS.discard(session)
    yield [gr.skip()] * 5 + ["Starting: building the model and its first epoch…"] + [gr.skip()] * 3
    pair, folder = trained.new_folder(data_name)
    shown = -float("inf")
    try:
        for snaps, bundles in RUN(data_name, runs, folder, stop=lambda: session in STOPS):
            if bundles is not None:
                archive = trained.keep(pair, bundles)
                mine = [*mine, pair]
                yield [*redraw(data_name, runs, snaps, kept_line(pair)), gr.Dropdown(choices=trained.choices(mine)),
                       gr.DownloadButton(f"Download {pair}.zip", value=str(archive), visible=True), mine]
            elif snaps[0].done or time.perf_counter() - shown >= UPDATE_S:
                shown = time.perf_counter()
                yield [*redraw(data_name, runs, snaps), *[gr.skip()] * 3]
    except RunFailed as err:
        raise gr.Error(str(err)) from None
    finally:
        STOPS.discard(session)


def redraw(data_name: str, runs: list[LiveRun], snaps: list, kept: str = "") -> list:
    """The maps, the curves, the samples and the status line of one epoch's snapshots (the twin's: gr.skip() for
    a single model)."""
    def code_map(run, snap):
        title = f"{run.kind.upper()}, β = {run.beta:g}: test codes after epoch {snap.epoch}"
        return code_scatter(snap.codes, snap.labels, CLASS_NAMES[data_name], title).to_json()

    twin = len(runs) > 1
    return [code_map(runs[0], snaps[0]), code_map(runs[1], snaps[1]) if twin else gr.skip(),
            loss_curves(snaps[0].history, runs[0].kind, snaps[1].history if twin else None).to_json(),
            show_grid(snaps[0].samples, ncols=8, scale=3),
            show_grid(snaps[1].samples, ncols=8, scale=3) if twin else gr.skip(),
            status_line(snaps, runs) + kept]


def build(top, trained: TrainedModels, mine) -> None:
    """Lay out the view inside the current gr.Tab and wire its events; `top` is the page's header (its picker
    gets the models trained here), `mine` the session's trained pairs (a gr.State the Compare view reads too)."""
    gr.Markdown(EXPLAIN)
    choices = data_choices()
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            data = gr.Dropdown(choices, value="digits", label="Data")
            n_images = gr.Slider(1000, MAX_TRAIN_IMAGES, value=10_000, step=1000, visible=False,
                                 label="Training images (a seeded subset)")
            kind = gr.Radio(list(KINDS), value="VAE", label="Model (both: a VAE and its AE twin, in turn)")
            latent = gr.Slider(2, 16, value=2, step=1, label="Latent size (above 2 the map is a PCA of the codes)")
            beta = gr.Slider(0, 8, value=1, step=0.25, label="β: weight of the KL term")
            epochs = gr.Slider(1, 100, value=40, step=1, label="Epochs")
            likelihood = gr.Radio(["Bernoulli", "Gaussian"], value="Bernoulli",
                                  label="Likelihood: a pixel as ink or not, or as a noisy grey level (σ = 0.1)")
            with gr.Row():
                train = gr.Button("Train", variant="primary", elem_id="train-button")
                stop = gr.Button("Stop", elem_id="stop-button")
            status = gr.Markdown(elem_id="train-status")
            download = gr.DownloadButton("Download the model", visible=False, elem_id="train-download")
        with gr.Column(scale=3):
            with gr.Row():   # side by side where there is room, one above the other on a phone
                with gr.Column(min_width=340):
                    code_map = live_figure("Press Train: the test images' codes appear here after the first "
                                           "epoch, then move as the model learns.", animate=True, elem_id="train-map")
                with gr.Column(min_width=340, visible=False) as twin_column:
                    twin_map = live_figure("The plain autoencoder's codes, beside the VAE's.", animate=True,
                                           elem_id="train-twin-map")
                with gr.Column(min_width=340):
                    curves = live_figure("The losses, epoch by epoch.", elem_id="train-curves")
            with gr.Row():
                samples = gr.Image(label="16 fixed prior draws, decoded", elem_classes=[PIXELATED], height=120,
                                   buttons=IMAGE_BUTTONS, alt_text="images decoded from 16 fixed draws from the prior")
                twin_samples = gr.Image(label="The AE's decodes of the same 16 draws", elem_classes=[PIXELATED],
                                        height=120, buttons=IMAGE_BUTTONS, visible=False,
                                        alt_text="the autoencoder's decodes of the same 16 prior draws")
    data.change(lambda name: gr.Slider(visible=name != "digits"), data, n_images, api_visibility="private")
    def show_twin(k):
        both = len(KINDS.get(k, [])) > 1
        return [gr.Column(visible=both), gr.Image(visible=both)]

    kind.change(show_twin, kind, [twin_column, twin_samples], api_visibility="private")

    def updates(mine, data_name, n_images, latent_dim, beta, kind, epochs, likelihood, request: gr.Request):
        yield from train_updates(trained, mine, data_name, n_images, latent_dim, beta, kind, epochs, likelihood,
                                 request)

    train.click(friendly(updates), [mine, data, n_images, latent, beta, kind, epochs, likelihood],
                [code_map, twin_map, curves, samples, twin_samples, status, top.pair_box, download, mine],
                concurrency_limit=TRAIN_SLOTS,
                concurrency_id="train", show_progress="minimal", show_progress_on=[status],
                api_name="train_live", api_visibility="undocumented")   # benchmarks drive it by name
    stop.click(stop_run, None, None, api_visibility="private")


def stop_run(request: gr.Request) -> None:
    """Ask this session's run to stop after the epoch in progress (its model is kept)."""
    STOPS.add(request.session_hash or "?")
