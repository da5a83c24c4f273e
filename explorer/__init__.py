"""Latent Explorer: the library the app, the training script and the benchmarks share."""
