"""How far each latent dimension follows one known factor of the data: mutual information and MIG.

For data drawn from known factors (explorer/sprites.py), the mutual information between every code dimension and
every factor, both binned, says which factor a dimension follows. The Mutual Information Gap (Chen et al., 2018,
"Isolating Sources of Disentanglement in VAEs") scores a whole model: for each factor, the gap between the two
dimensions that know most about it, over the factor's entropy, averaged over factors. 1: every factor has a
dimension of its own; 0: none stands out.
"""
import numpy as np

BINS = 20           # equal-width bins per code dimension, as in Locatello et al. (2019)
FOLLOWS = 0.3       # a dimension "follows" a factor when it knows this share of the factor's entropy


def binned(codes: np.ndarray, bins: int = BINS) -> np.ndarray:
    """(N, D) codes -> (N, D) bin indices 0..bins-1, each dimension over its own range."""
    lo, hi = codes.min(0), codes.max(0)
    scaled = (codes - lo) / np.where(hi > lo, hi - lo, 1.0)
    return np.minimum((scaled * bins).astype(np.int64), bins - 1)


def entropy(values: np.ndarray) -> float:
    """Entropy in nats of a column of discrete values."""
    p = np.unique(values, return_counts=True)[1] / len(values)
    return float(-(p * np.log(p)).sum())


def mutual_information(a: np.ndarray, b: np.ndarray) -> float:
    """I(a; b) in nats of two columns of discrete values."""
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    joint = np.zeros((ai.max() + 1, bi.max() + 1))
    np.add.at(joint, (ai, bi), 1)
    joint /= len(a)
    outer = joint.sum(1, keepdims=True) @ joint.sum(0, keepdims=True)
    nz = joint > 0
    return float((joint[nz] * np.log(joint[nz] / outer[nz])).sum())


def normalised_information(codes: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """(D, F): I(z_d; factor_f) / H(factor_f), the share of each factor's entropy each dimension knows."""
    z = binned(np.asarray(codes, dtype=np.float64))
    h = np.array([entropy(factors[:, f]) for f in range(factors.shape[1])])
    mi = np.array([[mutual_information(z[:, d], factors[:, f]) for f in range(factors.shape[1])]
                   for d in range(z.shape[1])])
    return mi / np.maximum(h, 1e-12)


def mig(info: np.ndarray) -> float:
    """The Mutual Information Gap from `normalised_information`'s (D, F) matrix."""
    if info.shape[0] < 2:
        return float(info.max(0).mean())
    top = np.sort(info, axis=0)[::-1]
    return float((top[0] - top[1]).mean())


def followed_factors(info: np.ndarray, names: list[str]) -> list[str | None]:
    """Per dimension, the factor it knows most about, or None when it knows under FOLLOWS of any."""
    best = info.argmax(1)
    return [names[f] if info[d, f] >= FOLLOWS else None for d, f in enumerate(best)]
