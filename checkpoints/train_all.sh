#!/usr/bin/env bash
# Re-creates every shipped bundle (each config.json also records its own command). About 30 min on 2 CPU cores.
set -euo pipefail
cd "$(dirname "$0")/.."
python train_small.py --dataset fashion-mnist --arch conv --latent-dim 16 --epochs 40 --lr 2e-3 --out checkpoints/fashion-mnist-conv-z16
python train_small.py --dataset fashion-mnist --arch mlp --latent-dim 2 --epochs 30 --lr 2e-3 --out checkpoints/fashion-mnist-mlp-z2
python train_small.py --dataset digits --arch mlp --latent-dim 2 --hidden 256 128 --epochs 300 --batch-size 64 --lr 2e-3 --grid-every 20 --out checkpoints/digits-mlp-z2
