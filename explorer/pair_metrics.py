"""The Compare view's table: test metrics from each bundle, plus prior-sample figures computed on demand."""
import numpy as np
import torch

from explorer.bundle import Bundle
from explorer.classifier import sample_quality
from explorer.disentanglement import followed_factors, mig, normalised_information
from explorer.generate import decode_latents
from explorer.holes import holes_fraction
from explorer.image_layout import as_batch

N_PRIOR = 1000


def prior_figures(bundle: Bundle, classifier, seed: int = 0) -> dict[str, float]:
    """Holes (share of N(0, I) draws far from every test code) and the classifier score of their decodes.

    A VAE's test codes are one draw from each image's q(z|x), not its mean: in a dimension the VAE does not use,
    every mean sits at 0 while q(z|x) and the prior both spread as N(0, 1), so means alone would put almost every
    prior draw in a "hole" that the decoder does not even look at.
    """
    z = np.random.default_rng(seed).standard_normal((N_PRIOR, bundle.codes.shape[1]))
    holes, _ = holes_fraction(z, bundle.posterior_draws(per_code=1, seed=seed + 1))
    out = {"holes": holes}
    if classifier is not None:
        images = as_batch(decode_latents(bundle.model, z), bundle.image_shape)
        out.update(sample_quality(classifier, images))
    return out


def real_data_score(bundle: Bundle, classifier) -> float | None:
    """The classifier score of the test images themselves: the ceiling for decoded samples."""
    if classifier is None:
        return None
    images = as_batch(bundle.test_image(slice(0, N_PRIOR)), bundle.image_shape)
    return sample_quality(classifier, images)["classifier_score"]


def table_rows(vae: Bundle | None, ae: Bundle | None, figures: dict[str, dict]) -> list[list[str]]:
    """[metric, VAE, AE] rows; `figures` maps "vae"/"ae" to `prior_figures` results."""
    def test(b, key, fmt="{:.2f}"):
        value = None if b is None else b.metrics["test"].get(key)
        return "–" if value is None else fmt.format(value)

    def fig(kind, key, fmt):
        value = figures.get(kind, {}).get(key)
        return "–" if value is None else fmt.format(value)

    def units(b):
        return "–" if b is None else f"{b.metrics['test']['active_units']} of {b.codes.shape[1]}"

    return [
        ["Reconstruction error (MSE per pixel, at the code)", test(vae, "mse_per_pixel", "{:.4f}"),
         test(ae, "mse_per_pixel", "{:.4f}")],
        ["Reconstruction (nats per image)", test(vae, "rec_nats"), test(ae, "rec_nats")],
        ["Negative ELBO (nats per image)", test(vae, "neg_elbo"), "no ELBO"],
        ["kNN-5 accuracy on codes", test(vae, "knn5_accuracy", "{:.3f}"), test(ae, "knn5_accuracy", "{:.3f}")],
        ["Active units (Var E[z] > 0.01)", units(vae), units(ae)],
        ["Holes: prior draws far from all data", fig("vae", "holes", "{:.1%}"), fig("ae", "holes", "{:.1%}")],
        ["Sample quality: classifier score (1–10)", fig("vae", "classifier_score", "{:.2f}"),
         fig("ae", "classifier_score", "{:.2f}")],
        ["Sample quality: classifier confidence", fig("vae", "confidence", "{:.1%}"),
         fig("ae", "confidence", "{:.1%}")],
        *([["Disentanglement: MIG (0–1, known factors)", disentanglement(vae), disentanglement(ae)]]
          if any(b is not None and b.factors for b in (vae, ae)) else []),
    ]


def factor_information(bundle: Bundle) -> np.ndarray | None:
    """(D, F) the share of each true factor's entropy each code dimension knows, for data with known factors."""
    if bundle.factors is None:
        return None
    return bundle.memo("factor_information", lambda: normalised_information(bundle.codes, bundle.factors[1]))


def factor_labels(bundle: Bundle) -> list[str | None] | None:
    """Per latent dimension, the known factor it follows (or None); None for data without known factors."""
    info = factor_information(bundle)
    return None if info is None else followed_factors(info, bundle.factors[0])


def disentanglement(bundle: Bundle | None) -> str:
    info = None if bundle is None else factor_information(bundle)
    return "–" if info is None else f"{mig(info):.3f}"


def rate_point(bundle: Bundle, name: str) -> dict:
    """A VAE's place on the rate-distortion chart (figures.rate_distortion): its test KL and reconstruction nats,
    β, and how many latent dimensions it uses."""
    test = bundle.metrics["test"]
    return {"name": name, "rate": test["kl_nats"], "distortion": test["rec_nats"],
            "beta": bundle.config.get("training", {}).get("beta", 1.0), "latent_dim": bundle.latent_dim,
            "active": f"{test['active_units']}/{bundle.latent_dim} units"}
