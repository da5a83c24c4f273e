"""Image sequences as files for the browser: a PNG filmstrip and a looping animated GIF."""
import io

import numpy as np
from PIL import Image

from explorer.images import grid, png_bytes, to_uint8, upscale


def filmstrip_png(images, scale: int = 2, pad: int = 2) -> bytes:
    """Images (n, H, W[, 3]) in [0, 1] (or uint8) side by side in one row, upscaled crisply, as PNG bytes."""
    a = _as_uint8(images)
    return png_bytes(upscale(grid(a, ncols=len(a), pad=pad), scale))


def gif_bytes(images, frame_ms: int = 100, scale: int = 4, pingpong: bool = False) -> bytes:
    """An animated GIF, one frame per image, nearest-neighbour upscaled, looping forever.

    pingpong plays the frames back in reverse without repeating the ends, for a seamless back-and-forth.
    Pillow merges identical consecutive frames into one longer frame, so a still sequence has fewer frames.
    """
    a = _as_uint8(images)
    if pingpong and len(a) > 2:
        a = np.concatenate([a, a[-2:0:-1]])
    frames = [Image.fromarray(upscale(f, scale), mode="L" if f.ndim == 2 else "RGB") for f in a]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=int(frame_ms),
                   loop=0, optimize=False)
    return buf.getvalue()


def _as_uint8(images) -> np.ndarray:
    a = np.asarray(images)
    if not (a.ndim == 3 or a.ndim == 4 and a.shape[-1] == 3) or len(a) == 0:
        raise ValueError(f"Expected a non-empty stack of images (n, H, W) or (n, H, W, 3), got shape {a.shape}.")
    return a if a.dtype == np.uint8 else to_uint8(a)
