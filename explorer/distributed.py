"""Data-parallel training under torchrun: one process per GPU (or per CPU share), gradients averaged by DDP.

`torchrun --nproc_per_node N train_small.py ...` sets WORLD_SIZE, RANK and LOCAL_RANK in each process's
environment; `init()` then joins the process group (NCCL when there are GPUs, each process on the GPU its
LOCAL_RANK names; gloo on CPUs). A plain `python train_small.py` run sets none of them: `init()` does nothing and
every helper here is the identity (rank 0 of 1), so a single-process run is exactly what it was without this module.
"""
import os
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta

import torch
import torch.distributed as dist
from torch import nn

from explorer.losses import elbo_parts

# Rank 0 evaluates a model and fits its maps (UMAP: minutes on a large set) while the other ranks wait for it at
# the next collective; the default 10-30 minutes could cut a long run off there.
TIMEOUT = timedelta(hours=2)


def launched() -> bool:
    """True in a process that torchrun started with more than one process in all."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def joined() -> bool:
    """True once this process is in a process group (torch builds without torch.distributed never are)."""
    return dist.is_available() and dist.is_initialized()


def init() -> None:
    """Join the process group when torchrun launched this process; nothing otherwise."""
    if not launched() or joined():
        return
    missing = [k for k in ("RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT") if k not in os.environ]
    if missing:
        raise ValueError(f"WORLD_SIZE is set but {missing[0]} is not: launch with torchrun, or unset WORLD_SIZE.")
    if torch.cuda.is_available():
        if local_rank() >= torch.cuda.device_count():
            raise ValueError(f"This machine has {torch.cuda.device_count()} GPU(s) but torchrun started more processes "
                             "on it: make --nproc_per_node at most the number of GPUs.")
        torch.cuda.set_device(local_rank())   # before the group, so NCCL and "cuda" both mean this process's GPU
    dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo", timeout=TIMEOUT)


def teardown() -> None:
    """Leave the process group, if this process joined one."""
    if joined():
        dist.destroy_process_group()


def active() -> bool:
    """True when this process trains together with others (a joined group of more than one)."""
    return joined() and dist.get_world_size() > 1


def rank() -> int:
    """This process's number among all of the run's processes, 0 to world_size() - 1."""
    return dist.get_rank() if joined() else 0


def world_size() -> int:
    """How many processes train together: 1 in a single-process run."""
    return dist.get_world_size() if joined() else 1


def local_rank() -> int:
    """This process's number on its own machine (which GPU it takes)."""
    return int(os.environ.get("LOCAL_RANK", "0"))


def is_main() -> bool:
    """True on rank 0, the one that prints, evaluates and writes; always True in a single-process run."""
    return rank() == 0


def device() -> torch.device:
    """Where this process trains: its own GPU in a torchrun group with NCCL, else the CPU (a single-process run
    stays on the CPU, as it always has)."""
    if active() and dist.get_backend() == "nccl":
        return torch.device("cuda", local_rank())
    return torch.device("cpu")


def on_device(data):
    """`data` (an explorer.data.Dataset) with its images on device(): a copy on this rank's GPU under NCCL, else
    `data` itself. Labels stay on the CPU for scikit-learn."""
    dev = device()
    if dev.type == "cpu":
        return data
    return replace(data, x_train=data.x_train.to(dev), x_test=data.x_test.to(dev))


def barrier() -> None:
    """Wait until every rank gets here; nothing in a single-process run."""
    if active():
        dist.barrier(device_ids=[local_rank()] if dist.get_backend() == "nccl" else None)


@contextmanager
def local_main_first():
    """Run the block on each machine's local rank 0 first and on its other ranks after it (a download into the
    machine's cache must not be written by several processes at once). Plain in a single-process run."""
    first = local_rank() == 0
    if not first:
        barrier()
    try:
        yield
    finally:
        if first:
            barrier()   # even after an error: the others then try for themselves and say why they failed


def my_share(batch: torch.Tensor) -> torch.Tensor:
    """This rank's slice of a global batch of indices: contiguous, sizes differing by at most one (a short last
    batch may leave a rank none). The whole batch in a single-process run."""
    return batch.tensor_split(world_size())[rank()] if active() else batch


def mean_over_ranks(value: torch.Tensor) -> torch.Tensor:
    """The mean of a scalar over all ranks, the same on each (detached); `value` itself in a single-process run."""
    if not active():
        return value
    total = value.detach().clone()
    dist.all_reduce(total)
    return total / world_size()


class LossParts(nn.Module):
    """elbo_parts(model, x, generator) as a module's forward: DDP syncs gradients only through the forward of the
    module it wraps, and elbo_parts needs the model itself (its config), not a DDP wrapper around it."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor, generator=None) -> dict[str, torch.Tensor]:
        return elbo_parts(self.model, x, generator)


def loss_parts(model: nn.Module) -> nn.Module:
    """A callable (x, generator) -> elbo_parts of `model`: wrapped in DistributedDataParallel when this process
    trains with others (its parameters are then broadcast from rank 0 and its gradients averaged over ranks)."""
    module = LossParts(model)
    if not active():
        return module
    on_gpu = next(model.parameters()).is_cuda
    return nn.parallel.DistributedDataParallel(module, device_ids=[local_rank()] if on_gpu else None)
