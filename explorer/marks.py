"""Latents that other views made (prior samples, the manifold grid, traversals, an interpolation path), placed on
a model's map, so that the map shows where they are and its cursor can go to each one and decode it exactly."""
import numpy as np

from explorer.bundle import Bundle


def marks(bundle: Bundle, map_name: str, name: str, z, path: bool = False, labels: list[str] | None = None) -> dict:
    """{"name", "path", "x", "y", "z", "labels"}: latents z (n, D) at their map positions; `path` joins them in
    order (an interpolation, a traversal row)."""
    z = np.atleast_2d(np.asarray(z, dtype=np.float64))
    xy = bundle.maps[map_name].to_map(z)
    return {"name": name, "path": path, "x": xy[:, 0].round(5).tolist(), "y": xy[:, 1].round(5).tolist(),
            "z": z.astype(np.float32).round(6).tolist(), "labels": labels or [f"{name} {i + 1}" for i in range(len(z))]}
