"""Imported by the live runs' fork server only (explorer/live_process.py): one tiny run on random images, so that
every run forked from it starts with the first-call costs of torch's training step and scikit-learn's kNN paid
(~2.3 s on this machine, that a fresh process pays on its first epoch). Importing it anywhere else only costs time."""
import torch

from explorer.data import Dataset
from explorer.live_training import LiveRun, train_live

torch.set_num_threads(1)
_rng = torch.Generator().manual_seed(0)
_images = torch.rand((200, 1, 28, 28), generator=_rng)
_labels = torch.arange(200) % 10
for _ in train_live(Dataset("warm-up", _images[:150], _labels[:150], _images[150:], _labels[150:], [str(i) for i in range(10)],
                            "random"), LiveRun(epochs=1, train_images=150)):
    pass
