"""Image grids and PNG bytes from arrays in [0, 1]; no torch, no gradio."""
import io

import numpy as np
from PIL import Image


def to_uint8(images) -> np.ndarray:
    """Float images in [0, 1] of shape (..., H, W), (..., H, W, 3) or a model's (N, C, H, W) to uint8 (..., H, W)
    or (..., H, W, 3)."""
    a = np.asarray(images, dtype=np.float32)
    if a.ndim >= 4 and a.shape[-3] == 1:   # a channel axis; a (1, 28, 28) stack of one image stays as it is
        a = a[..., 0, :, :]
    elif a.ndim >= 4 and a.shape[-3] == 3 and a.shape[-1] != 3:   # a model's colour output, channels first
        a = np.moveaxis(a, -3, -1)
    return (np.clip(a, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def grid(images, ncols: int, pad: int = 2, value: int = 255) -> np.ndarray:
    """Tile (N, H, W) or (N, H, W, 3) uint8 images into one (rows*(H+pad)+pad, cols*(W+pad)+pad[, 3]) array."""
    a = to_uint8(images) if np.asarray(images).dtype != np.uint8 else np.asarray(images)
    n, h, w = a.shape[:3]
    rows = -(-n // ncols)
    out = np.full((rows * (h + pad) + pad, ncols * (w + pad) + pad, *a.shape[3:]), value, dtype=np.uint8)
    for i in range(n):
        r, c = divmod(i, ncols)
        out[pad + r * (h + pad): pad + r * (h + pad) + h, pad + c * (w + pad): pad + c * (w + pad) + w] = a[i]
    return out


def upscale(a: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour upscaling: every pixel becomes a factor x factor block (crisp on a projector)."""
    return np.repeat(np.repeat(a, factor, axis=0), factor, axis=1)


def png_bytes(a: np.ndarray) -> bytes:
    """Encode a (H, W) grey or (H, W, 3) colour uint8 array as PNG."""
    buf = io.BytesIO()
    Image.fromarray(a, mode="L" if a.ndim == 2 else "RGB").save(buf, format="PNG")
    return buf.getvalue()
