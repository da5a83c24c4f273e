"""2-D maps of latents and their inverses, fitted at train time and cheap at run time.

A map is stored as plain arrays (see `LatentMap.to_arrays`):
- "latent": the 2-D latent itself; both directions are the identity.
- "pca":    linear both ways (mean + xy @ components), the classic PCA inverse.
- "umap":   the 2-D embedding of the test latents. Forward (a new latent to the map) is a distance-weighted
            average of the map points of its k nearest test latents; the inverse (a map point to a latent)
            is read by bilinear interpolation from a G x G grid of latents computed at train time from the
            k nearest map points. Neither needs `umap` at run time.
For every projected map a grid of "distance to the nearest data point" marks where the inverse is
unreliable: farther from any data than `far_limit`.
"""
from dataclasses import dataclass
from functools import cached_property

import numpy as np

GRID = 64
K_NEIGHBOURS = 16
ORDER = ("latent", "pca", "umap")   # how a bundle's maps are listed: the latent itself first
PRIOR_VIEW_SIGMAS = 3.2    # a VAE's 2-D map shows the prior's 3-sigma circle
PRIOR_LIMIT_SIGMAS = 4.0   # and lets the cursor reach 4 sigma


@dataclass
class LatentMap:
    name: str                      # "latent" | "pca" | "umap"
    xy: np.ndarray                 # (N, 2) map coordinates of the data latents
    codes: np.ndarray              # (N, D) the data latents the map was fitted on
    mean: np.ndarray | None = None         # pca: (D,)
    components: np.ndarray | None = None   # pca: (2, D)
    extent: np.ndarray | None = None       # grid maps: [x0, x1, y0, y1]
    grid: np.ndarray | None = None         # umap: (G, G, D) latents at grid nodes, [row=y, col=x]
    far: np.ndarray | None = None          # projected: (G, G) distance to nearest data point
    far_limit: float = np.inf
    prior: bool = False            # a VAE's map: the view and limits of a "latent" map also cover N(0, I)

    def to_latent(self, xy) -> tuple[np.ndarray, np.ndarray]:
        """Map points (M, 2) -> latents (M, D) and a reliability flag (M,)."""
        xy = np.atleast_2d(np.asarray(xy, dtype=np.float64))
        if self.name == "latent":  # a 1-D latent is drawn on the x axis
            return xy[:, : self.codes.shape[1]].astype(np.float32), np.ones(len(xy), bool)
        if self.name == "pca":
            z = self.mean + xy @ self.components
        else:
            z = bilinear(self.grid, self.extent, xy)
        reliable = self.inside(xy) & (bilinear(self.far[..., None], self.extent, xy)[:, 0] <= self.far_limit)
        return z.astype(np.float32), reliable

    def to_map(self, z, k: int = 10) -> np.ndarray:
        """Latents (M, D) -> map points (M, 2)."""
        z = np.atleast_2d(np.asarray(z, dtype=np.float64))
        if self.name == "latent":
            return np.pad(z, ((0, 0), (0, 2 - z.shape[1])))
        if self.name == "pca":
            return (z - self.mean) @ self.components.T
        d2 = ((z[:, None, :] - self.codes[None, :, :]) ** 2).sum(-1)      # (M, N)
        idx = np.argpartition(d2, k, axis=1)[:, :k]
        w = 1.0 / (np.take_along_axis(d2, idx, 1) + 1e-9)
        return (w[..., None] * self.xy[idx]).sum(1) / w.sum(1, keepdims=True)

    @cached_property
    def limits(self) -> np.ndarray:
        """[x0, x1, y0, y1]: points are clamped here; three times the data's span, and 4 sigma of a VAE's prior."""
        lo, hi = padded(self.xy, 1.0, min_span=1e-3)
        if self.name == "latent" and self.prior:
            lo, hi = np.minimum(lo, -PRIOR_LIMIT_SIGMAS), np.maximum(hi, PRIOR_LIMIT_SIGMAS)
        return np.array([lo[0], hi[0], lo[1], hi[1]])

    @cached_property
    def view_range(self) -> list[float]:
        """The initial axis ranges: the data with a margin, plus the prior's 3-sigma circle for a 2-D VAE."""
        lo, hi = padded(self.xy, 0.06, min_span=1e-3)
        if self.name == "latent" and self.prior:
            lo, hi = np.minimum(lo, -PRIOR_VIEW_SIGMAS), np.maximum(hi, PRIOR_VIEW_SIGMAS)
        return [float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])]

    def clamp(self, x: float, y: float) -> tuple[float, float, bool]:
        """(x, y) clamped into `limits`, and whether it had to be."""
        x0, x1, y0, y1 = self.limits
        cx, cy = min(max(x, x0), x1), min(max(y, y0), y1)
        return float(cx), float(cy), (cx, cy) != (x, y)

    def inside(self, xy) -> np.ndarray:
        x0, x1, y0, y1 = self.extent
        return (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Flat arrays for an .npz, keys prefixed by the map name."""
        out = {"xy": self.xy, "mean": self.mean, "components": self.components, "extent": self.extent,
               "grid": self.grid, "far": self.far, "far_limit": np.float64(self.far_limit)}
        return {f"{self.name}/{k}": np.asarray(v, dtype=np.float32 if k != "far_limit" else np.float64)
                for k, v in out.items() if v is not None}

    @classmethod
    def from_arrays(cls, name: str, arrays, codes: np.ndarray, prior: bool = False) -> "LatentMap":
        get = {k.split("/", 1)[1]: arrays[k] for k in arrays if k.startswith(name + "/")}
        as64 = {k: np.asarray(v, dtype=np.float64) for k, v in get.items()}
        far_limit = float(as64.pop("far_limit", np.inf))
        return cls(name=name, codes=np.asarray(codes, dtype=np.float64), far_limit=far_limit, prior=prior, **as64)


def map_order(names) -> list[str]:
    """Map names in display order: "latent" for 2-D models, else PCA before UMAP."""
    return sorted(names, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))


def bilinear(grid: np.ndarray, extent, xy: np.ndarray) -> np.ndarray:
    """Bilinear interpolation of a (G, G, C) grid over `extent` at points (M, 2); clamps outside."""
    g = grid.shape[0]
    x0, x1, y0, y1 = extent
    fx = np.clip((xy[:, 0] - x0) / (x1 - x0) * (g - 1), 0, g - 1)
    fy = np.clip((xy[:, 1] - y0) / (y1 - y0) * (g - 1), 0, g - 1)
    ix, iy = np.minimum(fx.astype(int), g - 2), np.minimum(fy.astype(int), g - 2)
    tx, ty = (fx - ix)[:, None], (fy - iy)[:, None]
    top = grid[iy, ix] * (1 - tx) + grid[iy, ix + 1] * tx
    bottom = grid[iy + 1, ix] * (1 - tx) + grid[iy + 1, ix + 1] * tx
    return top * (1 - ty) + bottom * ty


def padded(xy: np.ndarray, fraction: float, min_span: float) -> tuple[np.ndarray, np.ndarray]:
    """The data's bounding box grown by `fraction` of its span on every side: (lo, hi), each (2,)."""
    lo, hi = xy.min(0), xy.max(0)
    pad = fraction * np.maximum(hi - lo, min_span)
    return lo - pad, hi + pad


def padded_extent(xy: np.ndarray, pad: float = 0.08) -> np.ndarray:
    """[x0, x1, y0, y1] of the grids a projected map stores: the data plus a small margin."""
    lo, hi = padded(xy, pad, min_span=1e-6)
    return np.array([lo[0], hi[0], lo[1], hi[1]])


def grid_nodes(extent, g: int = GRID) -> np.ndarray:
    """(g*g, 2) node coordinates, row-major with rows along y."""
    xs, ys = np.linspace(extent[0], extent[1], g), np.linspace(extent[2], extent[3], g)
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], 1)


def far_rule(xy: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, float]:
    """Distance from each node to the nearest data point, and the limit beyond which it is 'far'.

    The limit is three times the 95th percentile of the data's own distance to its 5th neighbour:
    a gap clearly wider than the gaps inside the data.
    """
    from sklearn.neighbors import NearestNeighbors

    nn = NearestNeighbors(n_neighbors=6).fit(xy)
    spacing = nn.kneighbors(xy)[0][:, 5]
    return nn.kneighbors(nodes, n_neighbors=1)[0][:, 0], 3.0 * float(np.percentile(spacing, 95))


def fit_identity(codes: np.ndarray) -> LatentMap:
    xy = np.pad(codes, ((0, 0), (0, 2 - codes.shape[1]))).astype(np.float64)
    return LatentMap("latent", xy=xy, codes=codes)


def fit_pca(codes: np.ndarray) -> LatentMap:
    """PCA to 2-D by SVD of the centred codes, with the far-from-data grid."""
    mean = codes.mean(0)
    _, _, vt = np.linalg.svd(codes - mean, full_matrices=False)
    components = vt[:2]
    # A deterministic sign: the largest-magnitude loading of each component is positive.
    signs = np.sign(components[np.arange(2), np.abs(components).argmax(1)])
    components = components * signs[:, None]
    xy = (codes - mean) @ components.T
    return _with_far(LatentMap("pca", xy=xy, codes=codes, mean=mean, components=components))


def fit_umap(codes: np.ndarray, seed: int, k: int = K_NEIGHBOURS) -> LatentMap:
    """UMAP to 2-D (train time only), plus the grid inverse from the k nearest map points."""
    import warnings

    import umap  # slow to import (numba): only ever at train time
    from sklearn.neighbors import NearestNeighbors

    with warnings.catch_warnings():  # "n_jobs overridden by random_state": that is the point of the seed
        warnings.simplefilter("ignore", UserWarning)
        xy = umap.UMAP(n_components=2, n_neighbors=15, min_dist=0.1, random_state=seed).fit_transform(codes)
    xy = xy.astype(np.float64)
    m = _with_far(LatentMap("umap", xy=xy, codes=codes))
    dist, idx = NearestNeighbors(n_neighbors=k).fit(xy).kneighbors(grid_nodes(m.extent))
    w = 1.0 / (dist + 1e-6) ** 2
    latents = (w[..., None] * codes[idx]).sum(1) / w.sum(1, keepdims=True)
    m.grid = latents.reshape(GRID, GRID, -1)
    return m


def _with_far(m: LatentMap) -> LatentMap:
    m.extent = padded_extent(m.xy)
    far, m.far_limit = far_rule(m.xy, grid_nodes(m.extent))
    m.far = far.reshape(GRID, GRID)
    return m


def fit_maps(codes: np.ndarray, seed: int, names: list[str]) -> dict[str, LatentMap]:
    """All requested maps for the codes: the identity for 2-D latents, else PCA and/or UMAP."""
    if codes.shape[1] <= 2:
        return {"latent": fit_identity(codes)}
    fitters = {"pca": lambda: fit_pca(codes), "umap": lambda: fit_umap(codes, seed)}
    return {name: fitters[name]() for name in names}
