"""Test-set metrics for a trained VAE or AE: ELBO parts, IWAE estimate, codes, active units, kNN accuracy."""
import numpy as np
import torch

from explorer.losses import elbo_parts, iwae_bound


@torch.no_grad()
def encode_all(model, x: torch.Tensor, batch: int = 1000) -> tuple[np.ndarray, np.ndarray | None]:
    """Codes for all of `x`: (mu, logvar) for a VAE, (z, None) for an AE, as float32 arrays."""
    mus, logvars = [], []
    for i in range(0, len(x), batch):
        mu, logvar = model.encode(x[i:i + batch])
        mus.append(mu)
        logvars.append(logvar)
    mu = torch.cat(mus).cpu().numpy()
    return mu, (None if logvars[0] is None else torch.cat(logvars).cpu().numpy())


@torch.no_grad()
def elbo_means(model, x: torch.Tensor, generator=None, batch: int = 1000) -> dict[str, float]:
    """Test-set means of reconstruction nats, KL nats and negative ELBO (one z sample per image)."""
    sums = {"rec_nats": 0.0, "kl_nats": 0.0, "neg_elbo": 0.0, "mse_per_pixel": 0.0}
    kl_dims = 0.0
    for i in range(0, len(x), batch):
        xb = x[i:i + batch]
        parts = elbo_parts(model, xb, generator)
        for key in ("rec_nats", "kl_nats", "neg_elbo"):
            sums[key] += parts[key].sum().item()
        kl_dims = kl_dims + parts["kl_per_dim"].sum(0)
        recon = torch.sigmoid(model.decode(parts["mu"]))      # the mean image at z = mu (or z = f(x))
        sums["mse_per_pixel"] += (recon - xb).pow(2).mean((1, 2, 3)).sum().item()
    out = {k: v / len(x) for k, v in sums.items()}
    out["kl_per_dim"] = (kl_dims / len(x)).tolist()
    return out


def active_units(codes: np.ndarray, threshold: float = 0.01) -> int:
    """Dimensions whose mean code varies across the data: Var_x E[z|x] > threshold (Burda et al.)."""
    return int((codes.var(0) > threshold).sum())


def knn_accuracy(train_codes, train_labels, test_codes, test_labels, k: int = 5) -> float:
    """Accuracy of a k-nearest-neighbour classifier on codes: how well classes separate in latent space."""
    from sklearn.neighbors import KNeighborsClassifier

    clf = KNeighborsClassifier(n_neighbors=k).fit(train_codes, train_labels)
    return float(clf.score(test_codes, test_labels))


@torch.no_grad()
def iwae_nll(model, x: torch.Tensor, k: int, generator=None, batch: int = 100) -> float:
    """Mean importance-weighted estimate of -log p(x) in nats (an upper bound on the true NLL)."""
    bounds = [iwae_bound(model, x[i:i + batch], k=k, generator=generator) for i in range(0, len(x), batch)]
    return -torch.cat(bounds).mean().item()


def evaluate(model, data, generator=None, iwae_k: int = 100, iwae_n: int = 1000, test_codes=None) -> dict:
    """All test metrics of the bundle's metrics.json. `test_codes`: encode_all's codes of data.x_test, when the
    caller has them already."""
    model.eval()
    kind = model.config.kind
    metrics = {"test": elbo_means(model, data.x_test, generator)}
    train_codes, _ = encode_all(model, data.x_train)
    if test_codes is None:
        test_codes, _ = encode_all(model, data.x_test)
    metrics["test"]["active_units"] = active_units(test_codes)
    metrics["test"]["knn5_accuracy"] = knn_accuracy(train_codes, data.y_train.numpy(),
                                                    test_codes, data.y_test.numpy())
    if kind == "vae":
        n = min(iwae_n, len(data.x_test))
        metrics["iwae"] = {"k": iwae_k, "n_images": n,
                           "nll": iwae_nll(model, data.x_test[:n], iwae_k, generator),
                           "neg_elbo_same_images": elbo_means(model, data.x_test[:n], generator)["neg_elbo"]}
    else:
        for key in ("kl_nats", "neg_elbo", "kl_per_dim"):   # no posterior, no ELBO
            metrics["test"].pop(key)
    return metrics
