"""Images as people see them and as models take them: the one place the two layouts meet.

Arrays the views, the API and the bundle hold are (..., H, W) for grey and (..., H, W, 3) for colour, as PIL
and a canvas have them; a model takes and gives (B, C, H, W) tensors.
"""
import numpy as np
import torch


def as_batch(x, image_shape) -> torch.Tensor:
    """Images (H, W[, 3]) or (N, H, W[, 3]) in [0, 1] -> float32 (B, C, H, W) for a model of `image_shape` (C, H, W)."""
    c, h, w = image_shape
    t = torch.as_tensor(np.asarray(x, dtype=np.float32))
    one = display_shape(image_shape)
    if tuple(t.shape[-len(one):]) != one or t.ndim not in (len(one), len(one) + 1):
        raise ValueError(f"Images of shape {tuple(t.shape)} do not fit a model of {w}x{h} "
                         f"{'colour' if c == 3 else 'grey'} images {one}.")
    if c == 1:
        return t.reshape(-1, 1, h, w)
    return t.reshape(-1, h, w, c).permute(0, 3, 1, 2).contiguous()


def as_images(t: torch.Tensor) -> np.ndarray:
    """A model's (B, C, H, W) output -> numpy (B, H, W) for grey, (B, H, W, 3) for colour."""
    a = t.detach().cpu().numpy()
    return a[:, 0] if a.shape[1] == 1 else a.transpose(0, 2, 3, 1)


def display_shape(image_shape) -> tuple[int, ...]:
    """(H, W) or (H, W, 3): one image's shape as `as_images` gives it."""
    c, h, w = image_shape
    return (h, w) if c == 1 else (h, w, c)
