"""A live training run in a process of its own: the server's decodes then share neither a core's time slices in
one interpreter nor its lock with the training loop (measured beside a drag: BENCHMARKS.md, "Training you can
watch"). The child trains with explorer.live_training on one thread and sends each snapshot back; closing the
iterator (Stop) ends the child at once, and one whose snapshots nobody asks for (a page that went away) idles, then
ends itself.

Children are forked from a server process that has imported torch, scikit-learn and the training code and run one
tiny epoch (multiprocessing's forkserver, live_warm.py), so a digits run's first snapshot comes ~0.4 s after the
call; a fresh child took 2.4-2.9 s.
"""
import contextlib
import multiprocessing as mp
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from explorer.data import load_dataset
from explorer.live_bundle import write_live_bundle
from explorer.live_training import MAX_TEST_IMAGES, LiveRun, Snapshot, subset, train_live

CONTEXT = mp.get_context("forkserver")
# what every run imports, imported once (~5 s), and a tiny run that pays the first calls' costs (live_warm.py)
CONTEXT.set_forkserver_preload(["explorer.live_training", "explorer.live_bundle", "explorer.data", "sklearn.datasets",
                                "explorer.live_warm"])
STARTUP_S = 60.0        # the child's first message (loading the data included); a child that says nothing is ended
_STARTING = threading.Lock()
IDLE_S = 10.0           # a child whose snapshots nobody asks for this long ends itself
NEXT, FINISH = "next", "finish"    # what the parent asks of the child after each snapshot


class RunFailed(RuntimeError):
    """The training process failed; the message is its error in one sentence."""


def warm_up() -> None:
    """Start the fork server now (its imports and warm-up epoch take ~5 s), so that the first run does not wait."""
    from multiprocessing import forkserver

    with _main_left_alone():
        forkserver.ensure_running()


class RunsInTurn:
    """One live run, or a VAE and its AE twin trained in turn on the same data: their epochs side by side, their test
    codes after each epoch kept for the replay, and their bundles once done. The child process and train_here both
    drive one."""

    def __init__(self, data_name: str, runs: list[LiveRun]):
        first = runs[0]
        self.runs = runs
        self.data = subset(load_dataset(data_name, allow_download=False), first.train_images, MAX_TEST_IMAGES,
                           first.seed)
        self.lives = [train_live(self.data, run) for run in runs]
        self.codes = [[] for _ in runs]

    def next_epoch(self) -> list[Snapshot] | None:
        """Every run's next snapshot (models included), or None once a run has ended."""
        snaps = [next(live, None) for live in self.lives]
        if any(snap is None for snap in snaps):
            return None
        for kept, snap in zip(self.codes, snaps):
            kept.append(snap.codes.astype(np.float16))
        return snaps

    def report(self, snaps: list[Snapshot], done: bool,
               folder: Path | None) -> tuple[list[Snapshot], list[Path] | None]:
        """The snapshots as sent (marked `done`, without their models) and, when done and given a folder, the runs'
        bundles written to folder/<kind> (live_bundle.py)."""
        bundles = ([write_live_bundle(folder / run.kind, snap.model, self.data, run, snap.history, kept)
                    for run, snap, kept in zip(self.runs, snaps, self.codes)] if done and folder is not None else None)
        return [replace(snap, done=done, model=None) for snap in snaps], bundles


def _child(data_name: str, runs: list[LiveRun], out, go, folder: Path | None) -> None:
    """In the child: train `runs` (RunsInTurn) epoch by epoch, sending ("snapshot", [Snapshot without its model,
    ...], None) per epoch; with the last, the bundles written to folder/<kind> in place of None; ("error", sentence,
    None) on failure.

    Each epoch waits for a token on `go`: NEXT trains one more, FINISH ends the run with the models as they are
    (Stop). A parent that stops asking (gradio stops iterating a page that went away, without closing the
    iterator) leaves the child idle, then gone."""
    torch.set_num_threads(1)
    try:
        turns, last = RunsInTurn(data_name, runs), None
        while True:
            try:
                token = go.get(timeout=IDLE_S)
            except queue.Empty:
                return
            if token == FINISH and last is None:   # stopped before the first epoch ended: nothing to keep
                return
            snaps = last if token == FINISH else turns.next_epoch()
            if snaps is None:
                return
            done = token == FINISH or any(snap.done for snap in snaps)   # one model's time cap ends both
            out.put(("snapshot", *turns.report(snaps, done, folder)))
            if done:
                return
            last = snaps
    except Exception as err:   # the parent shows it as one sentence; the traceback stays in the child's stderr
        out.put(("error", f"{type(err).__name__}: {err}"[:300], None))
        raise


@contextlib.contextmanager
def _main_left_alone():
    """multiprocessing re-runs the parent's main script in every child it does not fork itself (for app.py: ~7 s of
    building the whole page before a run starts), unless that script has no __file__. The child needs nothing from
    it, so the name is hidden while a child starts."""
    main = sys.modules["__main__"]
    with _STARTING:
        path = main.__dict__.pop("__file__", None)
        try:
            yield
        finally:
            if path is not None:
                main.__file__ = path


def train_in_process(data_name: str, runs: list[LiveRun], folder: Path | None = None,
                     stop: Callable[[], bool] = lambda: False) -> Iterator[tuple[list[Snapshot], list[Path] | None]]:
    """Per epoch, one snapshot per run (a model, or a VAE and its AE twin trained in turn on the same data) from a
    child process; with the last, the runs' bundles (written to folder/<kind> when `folder` is given), else None.
    The snapshots' models are None: the bundles are what cross the process boundary. `stop()` is asked after each
    epoch: True ends the run with the models as they are (one more epoch may have begun: its result is the last)."""
    out, go = CONTEXT.Queue(), CONTEXT.Queue()
    child = CONTEXT.Process(target=_child, args=(data_name, list(runs), out, go, folder), daemon=True)
    with _main_left_alone():
        child.start()
    try:
        wait = STARTUP_S
        go.put(NEXT)
        while True:
            try:
                kind, snaps, bundles = out.get(timeout=wait)
            except queue.Empty:
                raise RunFailed("The training process stopped answering; try again.") from None
            if kind == "error":
                raise RunFailed(f"Training failed: {snaps}")
            if snaps[0].done:
                yield snaps, bundles
                return
            # the next epoch trains while this one is shown, unless a stop was asked: then this epoch's models are kept
            go.put(FINISH if stop() else NEXT)
            yield snaps, None
            wait = max(STARTUP_S, runs[0].max_seconds)   # an epoch never takes longer than the run's whole time cap
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=5)
        out.close()
        go.close()


def train_here(data_name: str, runs: list[LiveRun], folder: Path | None = None,
               stop: Callable[[], bool] = lambda: False) -> Iterator[tuple[list[Snapshot], list[Path] | None]]:
    """train_in_process's snapshots and bundles, trained in this process: for Hugging Face ZeroGPU, where the GPU is
    held only inside a spaces.GPU function (the Train view decorates this with gpu.on_gpu there) and a Space runs
    one user's run at a time anyway. `stop()` is asked after each epoch."""
    turns = RunsInTurn(data_name, runs)
    while True:
        snaps = turns.next_epoch()
        if snaps is None:
            return
        done = stop() or any(snap.done for snap in snaps)
        yield turns.report(snaps, done, folder)
        if done:
            return
