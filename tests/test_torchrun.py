"""Data-parallel training (explorer/distributed.py): a plain run is rank 0 of 1 and untouched; two gloo ranks on
the CPU take the single-process steps (exactly, up to float rounding, where no noise is drawn: the AE) and stop
together on a NaN; `torchrun train_small.py` writes the bundles once, from rank 0."""
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from explorer import distributed
from explorer.bundle import load_bundle
from explorer.models import ModelConfig, build_model
from explorer.training import TrainConfig, TrainingDiverged, train_epochs

ROOT = Path(__file__).resolve().parents[1]
TORCHRUN_ENV = ("WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")


def test_a_plain_run_is_rank_0_of_1(monkeypatch):
    for key in TORCHRUN_ENV:
        monkeypatch.delenv(key, raising=False)
    distributed.init()
    assert not distributed.launched() and not distributed.active()
    assert (distributed.rank(), distributed.world_size(), distributed.is_main()) == (0, 1, True)
    assert distributed.device() == torch.device("cpu")
    batch = torch.arange(10)
    assert distributed.my_share(batch) is batch
    loss = torch.tensor(3.5)
    assert distributed.mean_over_ranks(loss) is loss
    assert isinstance(distributed.loss_parts(build_model(ModelConfig(hidden=[8]))), distributed.LossParts)
    with distributed.local_main_first():
        pass
    distributed.barrier()
    distributed.teardown()


def test_world_size_without_torchrun_is_a_clear_error(monkeypatch):
    for key in TORCHRUN_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(ValueError, match="launch with torchrun"):
        distributed.init()


# --- two gloo ranks in subprocesses ----------------------------------------------------------------------------

N_IMAGES, BATCH = 37, 12   # the last batch holds one image, so rank 1's share of it is empty


def tiny_run(kind: str, nan_at: int | None = None):
    """A small model, random images and a config with uneven global batches; NaN pixels in image `nan_at`."""
    gen = torch.Generator().manual_seed(0)
    x = torch.rand((N_IMAGES, 1, 28, 28), generator=gen)
    if nan_at is not None:
        x[nan_at] = float("nan")
    data = SimpleNamespace(x_train=x, x_test=x[:8])
    torch.manual_seed(0)
    model = build_model(ModelConfig(kind=kind, hidden=[16]))
    return model, data, TrainConfig(arch="mlp", epochs=2, batch_size=BATCH, lr=1e-2, grid_every=0)


def weights(model) -> np.ndarray:
    return torch.cat([p.detach().flatten() for p in model.parameters()]).numpy()


def _rank_main(rank: int, port: int, out: str) -> None:
    """One rank: joins the group the way torchrun's environment makes train_small.py join it."""
    os.environ.update(WORLD_SIZE="2", RANK=str(rank), LOCAL_RANK=str(rank), MASTER_ADDR="127.0.0.1",
                      MASTER_PORT=str(port))
    torch.set_num_threads(1)
    distributed.init()
    try:
        model, data, cfg = tiny_run("ae")
        rows = list(train_epochs(model, data, cfg, progress=False))
        np.save(Path(out) / f"ae_rank{rank}.npy", weights(model), allow_pickle=False)
        model, data, cfg = tiny_run("vae", nan_at=5)
        try:
            list(train_epochs(model, data, cfg, progress=False))
            stopped = None
        except TrainingDiverged as err:
            stopped = str(err)
        result = {"world_size": distributed.world_size(), "train_loss": rows[-1]["train_loss"], "stopped": stopped}
        (Path(out) / f"rank{rank}.json").write_text(json.dumps(result))
    finally:
        distributed.teardown()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_ranks_take_the_single_process_steps_and_stop_together(tmp_path):
    ctx = torch.multiprocessing.start_processes(_rank_main, args=(free_port(), str(tmp_path)), nprocs=2,
                                                join=False, start_method="spawn")
    deadline = time.monotonic() + 180
    while not ctx.join(timeout=1):
        if time.monotonic() > deadline:   # a rank stuck in a collective: the test must fail, not hang
            for p in ctx.processes:
                p.kill()
            pytest.fail("the two ranks did not finish within 3 minutes (a collective one rank never reached?)")
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert [r["world_size"] for r in ranks] == [2, 2]
    # DDP keeps the ranks' weights identical; averaged gradients of their shares make the global batch's step
    w0, w1 = (np.load(tmp_path / f"ae_rank{r}.npy") for r in (0, 1))
    np.testing.assert_array_equal(w0, w1)
    model, data, cfg = tiny_run("ae")
    rows = list(train_epochs(model, data, cfg, progress=False))
    np.testing.assert_allclose(w0, weights(model), rtol=0, atol=1e-5)
    assert ranks[0]["train_loss"] == pytest.approx(rows[-1]["train_loss"], rel=1e-4)
    # the NaN image is in one rank's share only, yet both stop at the same step with the same message
    assert ranks[0]["stopped"] and ranks[0]["stopped"] == ranks[1]["stopped"]


# --- the real command under torchrun -----------------------------------------------------------------------------

ARGS = ["--dataset", "digits", "--arch", "mlp", "--latent-dim", "2", "--epochs", "4", "--maps", "pca",
        "--iwae-k", "5", "--grid-every", "0", "--threads", "1"]


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    for key in TORCHRUN_ENV:   # the single-process run must not look launched
        env.pop(key, None)
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_torchrun_with_two_processes_writes_the_pair_once_and_matches_one_process(tmp_path):
    script = str(ROOT / "train_small.py")
    two = run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--standalone", script,
               *ARGS, "--out", str(tmp_path / "two")], tmp_path)
    assert two.returncode == 0, two.stderr[-2000:]
    one = run([sys.executable, script, *ARGS, "--out", str(tmp_path / "one")], tmp_path)
    assert one.returncode == 0, one.stderr[-2000:]
    assert two.stdout.count("vae: wrote") == 1 and two.stdout.count("digits: ") == 1   # rank 0 alone speaks
    pairs = {n: {k: load_bundle(tmp_path / n / k) for k in ("vae", "ae")} for n in ("one", "two")}
    for n, size in (("one", 1), ("two", 2)):
        assert all(b.config["world_size"] == size for b in pairs[n].values())
    # The AE draws no noise: the two runs differ by float rounding only. The VAE's ranks draw posterior noise of
    # their own, so its run is another draw of the same training: within the spread that seeds give (~2 nats).
    ae_one, ae_two = (pairs[n]["ae"].metrics["test"]["rec_nats"] for n in ("one", "two"))
    assert ae_two == pytest.approx(ae_one, abs=0.05)
    vae_one, vae_two = (pairs[n]["vae"].metrics["test"]["neg_elbo"] for n in ("one", "two"))
    assert abs(vae_two - vae_one) < 3.0, (vae_one, vae_two)
