#!/usr/bin/env bash
# Re-creates every shipped bundle; each bundle's config.json also records its own command.
# The two conv models train side by side, one CPU thread each (about 50 min on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
python train_small.py --dataset fashion-mnist --arch mlp --latent-dim 2 --epochs 30 --lr 2e-3 --threads 1 --out checkpoints/fashion-mnist-mlp-z2
python train_small.py --dataset digits --arch mlp --latent-dim 2 --hidden 256 128 --epochs 300 --batch-size 64 --lr 2e-3 --grid-every 20 --threads 1 --out checkpoints/digits-mlp-z2
conv="--dataset fashion-mnist --arch conv --latent-dim 16 --hidden 48 96 512 --epochs 50 --lr 1.5e-3 --threads 1 --out checkpoints/fashion-mnist-conv-z16"
python train_small.py --model vae $conv &
python train_small.py --model ae $conv &
wait
python train_classifier.py --dataset fashion-mnist --threads 1 --out checkpoints/classifiers/fashion-mnist
python train_classifier.py --dataset digits --epochs 8 --threads 1 --out checkpoints/classifiers/digits
