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
from collections.abc import Iterator
from dataclasses import replace

import torch

from explorer.data import load_dataset
from explorer.live_training import LiveRun, Snapshot, train_live

CONTEXT = mp.get_context("forkserver")
# what every run imports, imported once (~5 s), and a tiny run that pays the first calls' costs (live_warm.py)
CONTEXT.set_forkserver_preload(["explorer.live_training", "explorer.data", "sklearn.datasets", "explorer.live_warm"])
STARTUP_S = 60.0        # the child's first message (loading the data included); a child that says nothing is ended
_STARTING = threading.Lock()
IDLE_S = 10.0           # a child whose snapshots nobody asks for this long ends itself


class RunFailed(RuntimeError):
    """The training process failed; the message is its error in one sentence."""


def warm_up() -> None:
    """Start the fork server now (its imports and warm-up epoch take ~5 s), so that the first run does not wait."""
    from multiprocessing import forkserver

    with _main_left_alone():
        forkserver.ensure_running()


def _child(data_name: str, run: LiveRun, out, go) -> None:
    """In the child: train, sending ("snapshot", Snapshot without its model) per epoch, the weights with the last;
    ("error", sentence) on failure. Each epoch waits for a token on `go`: a parent that stops asking (gradio stops
    iterating a page that went away, without closing the iterator) leaves the child idle, then gone."""
    torch.set_num_threads(1)
    try:
        live = train_live(load_dataset(data_name, allow_download=False), run)
        while True:
            try:
                go.get(timeout=IDLE_S)
            except queue.Empty:
                return
            snap = next(live, None)
            if snap is None:
                return
            # numpy, not tensors: torch sends tensors as shared memory that dies with this process
            state = {k: v.numpy().copy() for k, v in snap.model.state_dict().items()} if snap.done else None
            out.put(("snapshot", replace(snap, model=None), state))
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


def train_in_process(data_name: str, run: LiveRun) -> Iterator[tuple[Snapshot, dict | None]]:
    """(snapshot, weights) per epoch from a child process; weights (a state_dict) only with the last snapshot.
    The snapshot's model is None: the weights are what crosses the process boundary."""
    out, go = CONTEXT.Queue(), CONTEXT.Queue()
    child = CONTEXT.Process(target=_child, args=(data_name, run, out, go), daemon=True)
    with _main_left_alone():
        child.start()
    try:
        wait = STARTUP_S
        go.put(True)
        while True:
            try:
                kind, value, state = out.get(timeout=wait)
            except queue.Empty:
                raise RunFailed("The training process stopped answering; try again.") from None
            if kind == "error":
                raise RunFailed(f"Training failed: {value}")
            if value.done:
                yield value, {k: torch.from_numpy(v) for k, v in state.items()}
                return
            go.put(True)   # the next epoch trains while this one is shown
            yield value, None
            wait = max(STARTUP_S, run.max_seconds)   # an epoch never takes longer than the run's whole time cap
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=5)
        out.close()
        go.close()
