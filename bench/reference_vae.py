"""The classic pytorch/examples VAE recipe, as the yardstick for train_small.py.

MLP 784-400-20, ReLU, sigmoid output, BCE summed + KL, Adam 1e-3, batch 128, and a torchvision dataset
read through a DataLoader with a per-item ToTensor, exactly as in pytorch/examples `vae/main.py`.
"""
import gzip
import shutil
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torchvision import datasets, transforms


class ReferenceVAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        return mu + torch.randn_like(std) * std

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def batch_loss(model, data):
    recon, mu, logvar = model(data)
    return loss_function(recon, data, mu, logvar)


def torchvision_root(idx_dir: Path) -> Path:
    """A torchvision FashionMNIST root made from the IDX files we already have (no download)."""
    root = Path(tempfile.mkdtemp(prefix="fmnist-tv-"))
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for gz in idx_dir.glob("*-ubyte.gz"):
        with gzip.open(gz) as src, open(raw / gz.stem, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return root


def run_reference(idx_dir: Path, epochs: int = 10, seed: int = 1, log=print) -> list[dict]:
    """Train the reference for `epochs`; per epoch the cumulative training seconds and test loss per image."""
    torch.manual_seed(seed)
    root = torchvision_root(idx_dir)
    try:
        train = datasets.FashionMNIST(root, train=True, download=False, transform=transforms.ToTensor())
        test = datasets.FashionMNIST(root, train=False, download=False, transform=transforms.ToTensor())
        train_loader = torch.utils.data.DataLoader(train, batch_size=128, shuffle=True)
        test_loader = torch.utils.data.DataLoader(test, batch_size=128, shuffle=False)
        model = ReferenceVAE()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        history, seconds = [], 0.0
        for epoch in range(1, epochs + 1):
            model.train()
            start = time.perf_counter()
            for data, _ in train_loader:
                opt.zero_grad()
                loss = batch_loss(model, data)
                loss.backward()
                opt.step()
            seconds += time.perf_counter() - start
            model.eval()
            with torch.no_grad():
                test_loss = sum(batch_loss(model, d).item() for d, _ in test_loader) / len(test)
            history.append({"epoch": epoch, "train_seconds": round(seconds, 2), "test_neg_elbo": test_loss})
            log(f"reference epoch {epoch}: test neg ELBO {test_loss:.2f} ({seconds:.1f} s training)")
        return history
    finally:
        shutil.rmtree(root, ignore_errors=True)
