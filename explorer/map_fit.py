"""Fitting the 2-D maps of a model's test codes, at train time (scikit-learn and umap-learn are imported here only).

Every map gets the far-from-data field: the distance from each node of a G x G grid over the map's limits to the
nearest dot, and the limit beyond which a point is "far": the gap below which 99 % of dots have a neighbour, the
rule the Compare view's holes use (holes.hole_threshold).
"""
import numpy as np

from explorer.holes import hole_threshold
from explorer.projection import GRID, LatentMap, grid_nodes, padded_extent, pca_axes

K_NEIGHBOURS = 16
FAR_GRID = 128


def with_far_field(m: LatentMap, g: int = FAR_GRID) -> LatentMap:
    """Fill in far_limit, far_extent (the map's limits) and the far grid of `m`."""
    from sklearn.neighbors import NearestNeighbors

    m.far_limit = hole_threshold(m.xy, 0.99)
    m.far_extent = np.asarray(m.limits, dtype=np.float64)
    nn = NearestNeighbors(n_neighbors=1).fit(m.xy)
    m.far = nn.kneighbors(grid_nodes(m.far_extent, g))[0][:, 0].reshape(g, g)
    return m


def fit_identity(codes: np.ndarray, prior: bool = False) -> LatentMap:
    xy = np.pad(codes, ((0, 0), (0, 2 - codes.shape[1]))).astype(np.float64)
    return with_far_field(LatentMap("latent", xy=xy, codes=codes, prior=prior))


def fit_pca(codes: np.ndarray) -> LatentMap:
    """PCA to 2-D (projection.pca_axes)."""
    mean, components = pca_axes(codes)
    xy = (codes - mean) @ components.T
    return with_far_field(LatentMap("pca", xy=xy, codes=codes, mean=mean, components=components))


def fit_umap(codes: np.ndarray, seed: int) -> LatentMap:
    """UMAP to 2-D (train time only), with its grid inverse."""
    import warnings

    import umap  # slow to import (numba): only ever at train time

    with warnings.catch_warnings():  # "n_jobs overridden by random_state": that is the point of the seed
        warnings.simplefilter("ignore", UserWarning)
        xy = umap.UMAP(n_components=2, n_neighbors=15, min_dist=0.1, random_state=seed).fit_transform(codes)
    return with_far_field(umap_grid(LatentMap("umap", xy=xy.astype(np.float64), codes=codes)))


def umap_grid(m: LatentMap, k: int = K_NEIGHBOURS) -> LatentMap:
    """The base inverse of an embedding: at each node of a grid over the data, the latent averaged from the k
    nearest dots (inverse squared distance)."""
    from sklearn.neighbors import NearestNeighbors

    m.extent = padded_extent(m.xy)
    dist, idx = NearestNeighbors(n_neighbors=k).fit(m.xy).kneighbors(grid_nodes(m.extent))
    w = 1.0 / (dist + 1e-6) ** 2
    m.grid = ((w[..., None] * m.codes[idx]).sum(1) / w.sum(1, keepdims=True)).reshape(GRID, GRID, -1)
    return m


def refit(maps: dict[str, LatentMap], codes: np.ndarray, prior: bool) -> dict[str, LatentMap]:
    """`maps` fitted again on new codes (the same test images, or the first len(codes) of them): the identity and
    PCA refitted (deterministic), a UMAP embedding kept (refitting would move every dot) with its inverse grid
    rebuilt on the new codes; every far-from-data field recomputed."""
    codes = np.asarray(codes, dtype=np.float64)
    fitters = {"latent": lambda m: fit_identity(codes, prior), "pca": lambda m: fit_pca(codes),
               "umap": lambda m: with_far_field(umap_grid(LatentMap("umap", xy=m.xy[:len(codes)], codes=codes)))}
    return {name: fitters[name](m) for name, m in maps.items()}


def fit_maps(codes: np.ndarray, seed: int, names: list[str], prior: bool = False) -> dict[str, LatentMap]:
    """All requested maps for the codes: the identity for 2-D latents, else PCA and/or UMAP. `prior`: the codes
    are a VAE's, whose 2-D map also spans its prior."""
    if codes.shape[1] <= 2:
        return {"latent": fit_identity(codes, prior)}
    fitters = {"pca": lambda: fit_pca(codes), "umap": lambda: fit_umap(codes, seed)}
    return {name: fitters[name]() for name in names}
