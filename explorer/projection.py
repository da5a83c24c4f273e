"""2-D maps of latents and their inverses: cheap at run time, faithful at the data (fitted in map_fit.py).

A map is stored as plain arrays (see `LatentMap.to_arrays`):
- "latent": the 2-D latent itself; both directions are the identity.
- "pca":    forward mean + z @ components.T; its base inverse is linear, mean + xy @ components.
- "umap":   the 2-D embedding of the test latents. Forward (a new latent to the map) is a distance-weighted
            average of the map points of its k nearest test latents; the base inverse is read by bilinear
            interpolation from a G x G grid of latents computed at train time from the nearest map points.
A projection keeps only part of a latent (the 2-D PCA of a 16-D VAE keeps about a third of its variance), so a
base inverse alone, at a test image's own dot, gives a latent that can decode as another class. The inverse is
therefore anchored at the data: to the base it adds the test codes' own residuals (code - base inverse at its dot),
blended from the K_ANCHORS nearest dots by inverse squared distance. At a dot that gives the image's code itself;
between dots a blend of their codes; beyond the data's usual gap (`far_limit`) the residual fades and the base
inverse, a guess, takes over: the map says so ("far from the data"). The same rule, distance to the nearest dot
against the gap below which 99% of dots have a neighbour (holes.hole_threshold), greys the far region on every
map, 2-D latents included, and counts the Compare view's holes.
"""
from dataclasses import dataclass
from functools import cached_property

import numpy as np

GRID = 64
K_ANCHORS = 8
ORDER = ("latent", "pca", "umap")   # how a bundle's maps are listed: the latent itself first
PRIOR_VIEW_SIGMAS = 3.2    # a VAE's 2-D map shows the prior's 3-sigma circle
PRIOR_LIMIT_SIGMAS = 4.0   # and lets the cursor reach 4 sigma


@dataclass(eq=False)
class LatentMap:
    name: str                      # "latent" | "pca" | "umap"
    xy: np.ndarray                 # (N, 2) map coordinates of the data latents
    codes: np.ndarray              # (N, D) the data latents the map was fitted on
    mean: np.ndarray | None = None         # pca: (D,)
    components: np.ndarray | None = None   # pca: (2, D)
    extent: np.ndarray | None = None       # umap: [x0, x1, y0, y1] of its inverse grid
    grid: np.ndarray | None = None         # umap: (G, G, D) latents at grid nodes, [row=y, col=x]
    far: np.ndarray | None = None          # (G, G) distance to the nearest dot over `far_extent`
    far_extent: np.ndarray | None = None   # [x0, x1, y0, y1]: the map's limits
    far_limit: float = np.inf
    prior: bool = False            # a VAE's map: the view and limits of a "latent" map also cover N(0, I)

    def base_latent(self, xy: np.ndarray) -> np.ndarray:
        """The projection's own inverse at map points (M, 2): (M, D), float64."""
        if self.name == "latent":    # a 1-D latent is drawn on the x axis
            return xy[:, : self.codes.shape[1]]
        if self.name == "pca":
            return self.mean + xy @ self.components
        return bilinear(self.grid, self.extent, xy)

    @cached_property
    def residuals(self) -> np.ndarray:
        """(N, D) what each test code adds to the base inverse at its own dot."""
        return self.codes - self.base_latent(self.xy)

    def nearest_dots(self, xy: np.ndarray, k: int = K_ANCHORS) -> tuple[np.ndarray, np.ndarray]:
        """Distances (M, k) and indices (M, k) of the k dots nearest each map point, nearest first."""
        k = min(k, len(self.xy))
        d2 = ((xy[:, None, :] - self.xy[None, :, :]) ** 2).sum(-1)           # (M, N)
        idx = np.argpartition(d2, k - 1, axis=1)[:, :k]
        part = np.take_along_axis(d2, idx, 1)
        order = np.argsort(part, axis=1, kind="stable")
        return np.sqrt(np.take_along_axis(part, order, 1)), np.take_along_axis(idx, order, 1)

    def to_latent(self, xy) -> tuple[np.ndarray, np.ndarray]:
        """Map points (M, 2) -> latents (M, D) and whether data are near (M,)."""
        xy = np.atleast_2d(np.asarray(xy, dtype=np.float64))
        z = np.empty((len(xy), self.codes.shape[1]))
        near = np.empty(len(xy), bool)
        for start in range(0, len(xy), 256):    # (chunk, N) distances at a time
            part = xy[start:start + 256]
            dist, idx = self.nearest_dots(part)
            z[start:start + 256] = self.base_latent(part)
            if self.name != "latent":           # a 2-D latent is its own inverse: exact everywhere
                z[start:start + 256] += anchored_residual(dist, self.residuals[idx], self.far_limit)
            near[start:start + 256] = dist[:, 0] <= self.far_limit
        return z.astype(np.float32), near

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

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Flat arrays for an .npz, keys prefixed by the map name."""
        out = {"xy": self.xy, "mean": self.mean, "components": self.components, "extent": self.extent,
               "grid": self.grid, "far": self.far, "far_extent": self.far_extent,
               "far_limit": np.float64(self.far_limit)}
        return {f"{self.name}/{k}": np.asarray(v, dtype=np.float32 if k != "far_limit" else np.float64)
                for k, v in out.items() if v is not None}

    @classmethod
    def from_arrays(cls, name: str, arrays, codes: np.ndarray, prior: bool = False) -> "LatentMap":
        get = {k.split("/", 1)[1]: arrays[k] for k in arrays if k.startswith(name + "/")}
        as64 = {k: np.asarray(v, dtype=np.float64) for k, v in get.items()}
        far_limit = float(as64.pop("far_limit", np.inf))
        return cls(name=name, codes=np.asarray(codes, dtype=np.float64), far_limit=far_limit, prior=prior, **as64)


def anchored_residual(dist: np.ndarray, residuals: np.ndarray, far_limit: float) -> np.ndarray:
    """The residual at map points from their nearest dots: distances (M, K), those dots' residuals (M, K, D).

    Inverse squared distance weights, so at a dot its own residual is all (up to 1e-12 of the data's gap); faded
    by exp(-(d / far_limit)^2) with d the distance to the nearest dot, so far from the data the base inverse is
    left alone. static/inverse.js computes the same, in the same order.
    """
    scale = far_limit if np.isfinite(far_limit) and far_limit > 0 else 1.0
    w = 1.0 / (dist ** 2 + (1e-6 * scale) ** 2)                          # (M, K)
    blend = (w[..., None] * residuals).sum(1) / w.sum(1, keepdims=True)  # (M, D)
    fade = np.exp(-((dist[:, 0] / scale) ** 2))
    return fade[:, None] * blend


def pca_axes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The codes' mean (D,) and first two principal axes (2, D), by SVD of the centred codes, each axis signed so
    that its largest-magnitude loading is positive (deterministic; and a map redrawn as a model trains does not
    flip only because an eigenvector's sign did)."""
    mean = codes.mean(0)
    _, _, vt = np.linalg.svd(codes - mean, full_matrices=False)
    axes = vt[:2]
    return mean, axes * np.sign(axes[np.arange(2), np.abs(axes).argmax(1)])[:, None]


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
    """[x0, x1, y0, y1] of the UMAP inverse grid: the data plus a small margin."""
    lo, hi = padded(xy, pad, min_span=1e-6)
    return np.array([lo[0], hi[0], lo[1], hi[1]])


def grid_nodes(extent, g: int = GRID) -> np.ndarray:
    """(g*g, 2) node coordinates, row-major with rows along y."""
    xs, ys = np.linspace(extent[0], extent[1], g), np.linspace(extent[2], extent[3], g)
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], 1)
