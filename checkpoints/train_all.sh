#!/usr/bin/env bash
# Re-creates every shipped bundle; each bundle's config.json also records its own command.
set -euo pipefail
cd "$(dirname "$0")/.."
python train_small.py --dataset fashion-mnist --arch mlp --latent-dim 2 --epochs 30 --lr 2e-3 --threads 1 --out checkpoints/fashion-mnist-mlp-z2
python train_small.py --dataset digits --arch mlp --latent-dim 2 --hidden 256 128 --epochs 300 --batch-size 64 --lr 2e-3 --grid-every 20 --threads 1 --out checkpoints/digits-mlp-z2
# The latent-16 conv pair, 80 epochs each on two threads (about 30 min of training per model on this
# project's 2-core machine). Its weights are stored as float16 so that each model.safetensors stays under 10 MB
# (a Hugging Face Space repo needs LFS beyond that); the figures are those of the rounded weights.
python train_small.py --dataset fashion-mnist --arch conv --latent-dim 16 --hidden 32 64 512 --epochs 80 \
    --lr 1.5e-3 --threads 2 --grid-every 5 --half-weights --out checkpoints/fashion-mnist-conv-z16
python train_classifier.py --dataset fashion-mnist --threads 1 --out checkpoints/classifiers/fashion-mnist
python train_classifier.py --dataset digits --epochs 8 --threads 1 --out checkpoints/classifiers/digits
