#!/usr/bin/env bash
# Re-creates every shipped bundle; each bundle's config.json also records its own command.
set -euo pipefail
cd "$(dirname "$0")/.."
python train_small.py --dataset fashion-mnist --arch mlp --latent-dim 2 --epochs 30 --lr 2e-3 --threads 1 --out checkpoints/fashion-mnist-mlp-z2
python train_small.py --dataset digits --arch mlp --latent-dim 2 --hidden 256 128 --epochs 300 --batch-size 64 --lr 2e-3 --grid-every 20 --threads 1 --out checkpoints/digits-mlp-z2
# The latent-16 conv pair, one model at a time: the VAE 100 epochs on two threads (59 min of training on this
# project's 2-core machine), its AE twin the 50 epochs it was shipped with, on one thread.
conv="--dataset fashion-mnist --arch conv --latent-dim 16 --hidden 48 96 512 --lr 1.5e-3 --out checkpoints/fashion-mnist-conv-z16"
python train_small.py --model vae $conv --epochs 100 --threads 2 --grid-every 5
python train_small.py --model ae $conv --epochs 50 --threads 1
python train_classifier.py --dataset fashion-mnist --threads 1 --out checkpoints/classifiers/fashion-mnist
python train_classifier.py --dataset digits --epochs 8 --threads 1 --out checkpoints/classifiers/digits
