"""Why the conv backbone has a 3x3 layer in each stage: test ELBO and browser decode time, with and without.

    python bench/conv_depth.py --epochs 12
    python bench/conv_depth.py --epochs 80 --cases shallow-32     # the shipped pair's epochs, one case

Trains the latent-16 VAE on Fashion-MNIST for the same epochs, seed and learning rate with the conv backbone as
shipped (explorer.models) and with the earlier one (one stride-2 conv per stage, defined here), one after the
other, and times each decoder in node running explorer/app/latent_map/static/decoder.js, as the page does.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

os.environ.setdefault("TQDM_DISABLE", "1")   # no per-step bars between the table's rows; read when tqdm is imported
import torch  # noqa: E402  (imports tqdm)
from torch import nn  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from explorer import models  # noqa: E402
from explorer.app.latent_map.browser_export import decoder_layers  # noqa: E402
from explorer.data import load_dataset  # noqa: E402
from explorer.training import TrainConfig, fit  # noqa: E402

DECODER_JS = ROOT / "explorer" / "app" / "latent_map" / "static" / "decoder.js"
CASES = {   # name -> (what it is, channels, shallow)
    "shallow-48": ("one conv per stage", [48, 96, 512], True),
    "shallow-32": ("one conv per stage", [32, 64, 512], True),
    "deep-32": ("conv + 3x3 per stage (shipped)", [32, 64, 512], False),
}


def shallow_encoder(channels: list[int], image_shape=(1, 28, 28)) -> nn.Module:
    """The backbone before the 3x3 layers: one 4x4 stride-2 conv per stage."""
    c1, c2, dense = channels
    return nn.Sequential(nn.Conv2d(1, c1, 4, stride=2, padding=1), nn.ReLU(),
                         nn.Conv2d(c1, c2, 4, stride=2, padding=1), nn.ReLU(),
                         nn.Flatten(), nn.Linear(c2 * 7 * 7, dense), nn.ReLU())


def shallow_decoder(latent_dim: int, channels: list[int], image_shape=(1, 28, 28)) -> nn.Module:
    c1, c2, dense = channels
    return nn.Sequential(nn.Linear(latent_dim, dense), nn.ReLU(),
                         nn.Linear(dense, c2 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (c2, 7, 7)),
                         nn.ConvTranspose2d(c2, c1, 4, stride=2, padding=1), nn.ReLU(),
                         nn.ConvTranspose2d(c1, 1, 4, stride=2, padding=1))


def browser_decode_ms(decoder: nn.Module, latent_dim: int, n: int = 300) -> float:
    """Median ms per decode of the exported decoder in node (the page's decoder, without the canvas)."""
    ops, blob = decoder_layers(decoder)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "w.f32").write_bytes(blob.tobytes())
        (Path(tmp) / "m.json").write_text(json.dumps({"ops": ops, "latent_dim": latent_dim}))
        script = f"""
import * as D from {json.dumps(DECODER_JS.as_uri())}; import * as fs from 'node:fs';
const buf = fs.readFileSync({json.dumps(tmp + '/w.f32')});
const m = D.loadDecoder(JSON.parse(fs.readFileSync({json.dumps(tmp + '/m.json')}, 'utf8')),
                        new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4));
const t = [];
for (let i = 0; i < {n}; i += 1) {{
  const z = Array.from({{ length: {latent_dim} }}, (_, j) => Math.sin(7 * i + j));
  const t0 = performance.now(); D.decode(m, z); t.push(performance.now() - t0);
}}
console.log(JSON.stringify(t.slice(20)));"""
        (Path(tmp) / "time.mjs").write_text(script)
        out = subprocess.run(["node", str(Path(tmp) / "time.mjs")], capture_output=True, text=True, check=True)
    return statistics.median(json.loads(out.stdout))


def run(name: str, hidden: list[int], shallow: bool, data, a) -> dict:
    with ExitStack() as stack:
        if shallow:   # build_model calls the module's conv_encoder/conv_decoder: swap in the earlier backbone
            stack.enter_context(mock.patch.object(models, "conv_encoder", shallow_encoder))
            stack.enter_context(mock.patch.object(models, "conv_decoder", shallow_decoder))
        torch.manual_seed(a.seed)
        model = models.build_model(models.ModelConfig(kind="vae", arch="conv", latent_dim=16, hidden=hidden))
    cfg = TrainConfig(arch="conv", latent_dim=16, epochs=a.epochs, lr=a.lr, seed=a.seed, hidden=hidden,
                      grid_every=10**6)
    history = fit(model, data, cfg, log=lambda s: None)["history"]
    model.eval()
    return {"backbone": name, "hidden": hidden, "test_neg_elbo": history[-1]["test_neg_elbo"],
            "train_s": history[-1]["train_seconds"], "browser_decode_ms": round(browser_decode_ms(model.decoder, 16), 2),
            "decoder_params": sum(p.numel() for p in model.decoder.parameters())}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--lr", type=float, default=1.5e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_flush_denormal(True)
    data = load_dataset("fashion-mnist", allow_download=False)
    print(f"latent-16 VAE, Fashion-MNIST, {a.epochs} epochs, lr {a.lr}, seed {a.seed}, {a.threads} threads\n")
    print("| backbone | channels | test −ELBO (nats) | training s | browser decode ms (median) | decoder params |")
    print("|---|---|---|---|---|---|")
    for name, hidden, shallow in (CASES[c] for c in a.cases):
        r = run(name, hidden, shallow, data, a)
        print(f"| {r['backbone']} | {' '.join(map(str, hidden))} | {r['test_neg_elbo']:.2f} | {r['train_s']:.0f} | "
              f"{r['browser_decode_ms']:.2f} | {r['decoder_params']:,} |", flush=True)


if __name__ == "__main__":
    main()
