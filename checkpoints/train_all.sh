#!/usr/bin/env bash
# Re-creates every shipped bundle; each bundle's config.json also records its own command.
set -euo pipefail
cd "$(dirname "$0")/.."
# The default pair: small on purpose (its decoder is 0.24 MB in float16), so that a browser on a slow link decodes
# by itself within seconds (BENCHMARKS.md, "Slow link").
python train_small.py --dataset fashion-mnist --arch mlp --latent-dim 2 --hidden 128 128 --epochs 30 --lr 2e-3 --seed 2 --threads 1 \
    --half-weights --out checkpoints/fashion-mnist-mlp-z2
# The default pair's VAE at two more betas (VAE only, each its own folder): the rate-distortion chart's family
for beta in 0.5 4; do
    python train_small.py --dataset fashion-mnist --arch mlp --latent-dim 2 --hidden 128 128 --epochs 30 --lr 2e-3 --seed 2 --threads 1 \
        --half-weights --model vae --beta "$beta" --out "checkpoints/fashion-mnist-mlp-z2-beta$beta"
done
python train_small.py --dataset digits --arch mlp --latent-dim 2 --hidden 256 128 --epochs 300 --batch-size 64 --lr 2e-3 --grid-every 20 --threads 1 --out checkpoints/digits-mlp-z2
# The latent-16 conv pair, 30 epochs each on two threads (about 25 min of training per model on this project's
# 2-core machine), with a 64-wide dense layer so that each decoder is small enough for a slow link. Weights are
# stored as float16; the figures are those of the rounded weights.
for model in vae ae; do
    python train_small.py --dataset fashion-mnist --arch conv --latent-dim 16 --hidden 32 64 64 --epochs 30 \
        --lr 1.5e-3 --threads 2 --grid-every 5 --half-weights --model "$model" --out checkpoints/fashion-mnist-conv-z16
done
# The colour sprites (explorer/sprites.py), 32x32: the pair and the same VAE at beta = 4, each on one thread (they ran
# side by side, about 20 min each on this project's 2-core machine). Seed 2: at seed 0 the beta = 1 VAE collapsed in
# its first epoch (decoding the mean picture, KL near 0) and stayed so for 30 epochs; at seed 1 it was still collapsed
# after 250 steps (BENCHMARKS.md, "The colour sprites").
for model in vae ae; do
    python train_small.py --dataset sprites --arch conv --latent-dim 8 --hidden 16 32 128 --epochs 30 --lr 2e-3 --seed 2 \
        --threads 1 --grid-every 5 --half-weights --model "$model" --beta 1 --out checkpoints/sprites-conv-z8
done
python train_small.py --dataset sprites --arch conv --latent-dim 8 --hidden 16 32 128 --epochs 30 --lr 2e-3 --seed 2 --threads 1 \
    --grid-every 5 --half-weights --model vae --beta 4 --out checkpoints/sprites-conv-z8-beta4
python train_classifier.py --dataset fashion-mnist --threads 1 --out checkpoints/classifiers/fashion-mnist
python train_classifier.py --dataset digits --epochs 8 --threads 1 --out checkpoints/classifiers/digits
