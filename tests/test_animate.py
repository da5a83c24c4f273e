import io

import numpy as np
import pytest
from PIL import Image, ImageSequence

from explorer.animate import filmstrip_png, gif_bytes


def ramp(n: int) -> np.ndarray:
    """n distinct frames: a bar that moves right."""
    a = np.zeros((n, 28, 28), np.float32)
    for i in range(n):
        a[i, 5:20, 2 + i: 5 + i] = 1.0
    return a


@pytest.mark.parametrize("n, pingpong, frames", [(5, False, 5), (5, True, 8), (2, True, 2), (1, False, 1)])
def test_gif_has_one_frame_per_image(n, pingpong, frames):
    gif = Image.open(io.BytesIO(gif_bytes(ramp(n), frame_ms=70, scale=3, pingpong=pingpong)))
    assert gif.format == "GIF" and gif.n_frames == frames and gif.size == (84, 84)
    assert gif.info.get("loop") == 0 or n == 1
    decoded = [np.asarray(f.convert("L")) for f in ImageSequence.Iterator(gif)]
    expected = ramp(n) if not pingpong or n <= 2 else np.concatenate([ramp(n), ramp(n)[-2:0:-1]])
    for got, want in zip(decoded, expected):
        np.testing.assert_array_equal(got[::3, ::3], (want * 255).astype(np.uint8))
    if n > 1:
        assert gif.info["duration"] == 70


@pytest.mark.parametrize("n, scale, pad", [(4, 2, 2), (1, 1, 0)])
def test_filmstrip_png(n, scale, pad):
    img = Image.open(io.BytesIO(filmstrip_png(ramp(n), scale=scale, pad=pad)))
    assert img.format == "PNG"
    assert img.size == ((n * (28 + pad) + pad) * scale, (28 + 2 * pad) * scale)
    a = np.asarray(img)
    first = slice(pad * scale, (pad + 28) * scale, scale)
    np.testing.assert_array_equal(a[first, first], (ramp(n)[0] * 255).astype(np.uint8))


@pytest.mark.parametrize("bad", [np.zeros((0, 28, 28)), np.zeros((28, 28))])
def test_animate_rejects_non_stacks(bad):
    with pytest.raises(ValueError, match="stack of images"):
        gif_bytes(bad)
