import io
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import GifImagePlugin, Image

from explorer.preprocess import (EMPTY, MAX_PIXELS, ImageInputError, centre_of_mass, open_image,
                                 preprocess, to_grey)


def encode(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose IHDR declares width x height (valid CRCs) with no pixel data behind it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)   # 8-bit grey, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def digit(h: int = 60, w: int = 50, ink: int = 0, paper: int = 255) -> np.ndarray:
    """A blocky '7': a top bar and a slanted stem, ink on paper."""
    a = np.full((h, w), paper, np.uint8)
    a[h // 5: h // 5 + h // 10, w // 5: 4 * w // 5] = ink
    for r in range(h // 5, 4 * h // 5):
        c = 4 * w // 5 - (r - h // 5) * (3 * w // 5) // (3 * h // 5)
        a[r, max(c - w // 12, 0): c] = ink
    return a


def noise_image(mode: str = "RGB", size: int = 64) -> Image.Image:
    rng = np.random.default_rng(0)
    shape = (size, size, 3) if mode == "RGB" else (size, size)
    return Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8))


@pytest.mark.parametrize("data, match", [
    (b"", "empty"),
    (np.random.default_rng(1).bytes(2000), "not a PNG, JPEG"),
    (b"<html><body><img src='x.png'></body></html>", "not a PNG, JPEG"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle r="9"/></svg>', "not a PNG, JPEG"),
    (encode(noise_image(), "TIFF"), "not a PNG, JPEG"),             # a real image, but not an allowed format
    (encode(noise_image())[:900], "damaged or cut short"),
    (encode(noise_image(), "JPEG", quality=95)[:1500], "damaged or cut short"),
    (png_header_only(20000, 20000), "larger than 16.8 megapixels"),  # Pillow's own bomb error
    (png_header_only(12000, 12000), "larger than 16.8 megapixels"),  # Pillow's bomb warning, made an error
    (png_header_only(5000, 5000), "5000x5000 pixels, over"),         # below Pillow's limits: ours
    (png_header_only(4096, 4096), "damaged or cut short"),           # at the limit: decoding is attempted
    (encode(Image.new("L", (1, 1))), "at least 8 pixels"),
    (encode(Image.new("L", (1, 10000))), "at least 8 pixels"),
    (encode(Image.new("L", (10, 600))), "within 50:1"),
])
def test_open_image_rejects(data, match):
    with pytest.raises(ImageInputError, match=match) as err:
        open_image(data)
    assert str(err.value).count(". ") == 0 and str(err.value).endswith(".")   # one sentence


def test_bomb_is_refused_without_allocating_pixels():
    start = time.perf_counter()
    with pytest.raises(ImageInputError):
        open_image(png_header_only(20000, 20000))
    assert time.perf_counter() - start < 0.5
    assert MAX_PIXELS == 4096 * 4096


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "BMP", "GIF"])
def test_allowed_formats_decode(fmt):
    img = open_image(encode(Image.fromarray(digit()), fmt))
    assert img.mode == "L" and img.size == (50, 60)
    assert np.asarray(img)[0, 0] > 200 and np.asarray(img)[60 // 5 + 2, 25] < 60


def test_8x8_passes():
    assert open_image(encode(Image.new("L", (8, 8), 255))).size == (8, 8)


def rgba_drawing(rgb=(0, 0, 0), background=(0, 0, 0, 0)) -> Image.Image:
    """Strokes of colour `rgb`, fully opaque, on a transparent (or given) background."""
    a = np.zeros((40, 40, 4), np.uint8)
    a[...] = background
    a[10:30, 18:22] = (*rgb, 255)
    a[10:30, 17] = (*rgb, 128)          # an antialiased edge
    return Image.fromarray(a, mode="RGBA")


@pytest.mark.parametrize("rgb, transparency, expect_ink", [
    ((0, 0, 0), "white", 0),            # upload: transparent -> white paper, black strokes stay black
    ((0, 0, 0), "background", 0),
    ((255, 255, 255), "background", 0),  # white strokes on a sketchpad are still ink
    ((40, 90, 250), "background", 0),
])
def test_rgba_alpha_handling(rgb, transparency, expect_ink):
    g = np.asarray(open_image(encode(rgba_drawing(rgb)), transparency))
    assert g[0, 0] == 255                       # transparent is the (white) paper
    assert g[20, 20] == expect_ink
    assert 100 < g[20, 17] < 160                # half-transparent edge is half ink


def test_white_strokes_vanish_on_white_for_uploads_but_not_on_sketchpad():
    data = encode(rgba_drawing((255, 255, 255)))
    with pytest.raises(ImageInputError, match="empty"):
        preprocess(open_image(data, "white"))
    assert preprocess(open_image(data, "background")).x.max() > 0.9


@pytest.mark.parametrize("transparency", ["white", "background"])
def test_all_transparent_is_empty(transparency):
    img = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    with pytest.raises(ImageInputError, match="^" + EMPTY + "$"):
        preprocess(open_image(encode(img), transparency))


def test_palette_with_transparency_composited_on_white():
    a = np.zeros((40, 40), np.uint8)
    a[10:30, 15:25] = 1
    img = Image.fromarray(a, mode="P")
    img.putpalette([0, 0, 0, 0, 0, 0] + [0] * (254 * 3))   # index 0 is black but transparent
    g = np.asarray(open_image(encode(img, transparency=0)))
    assert g[0, 0] == 255 and g[20, 20] == 0


def test_16_bit_grey_is_scaled_not_clipped():
    a = np.zeros((20, 20), np.uint16)
    a[5:10] = 65535
    a[10:15] = 128 * 257
    img = Image.open(io.BytesIO(encode(Image.fromarray(a))))
    assert img.mode.startswith("I")
    g = np.asarray(open_image(encode(Image.fromarray(a))))
    assert g[0, 0] == 0 and g[7, 0] == 255 and g[12, 0] == 128


@pytest.mark.parametrize("mode, scale", [("I", 1), ("I", 257), ("F", 1 / 255)])
def test_wide_modes_in_memory(mode, scale):
    a = (np.arange(0, 256, 16, dtype=np.float64)[None, :].repeat(8, 0) * scale)
    g = np.asarray(to_grey(Image.fromarray(a.astype(np.int32 if mode == "I" else np.float32), mode=mode)))
    np.testing.assert_array_equal(g[0], np.arange(0, 256, 16))


def test_cmyk_jpeg():
    img = Image.new("CMYK", (40, 40), (0, 0, 0, 0))             # white paper
    img.paste((0, 0, 0, 255), (10, 10, 30, 30))                  # black ink
    g = np.asarray(open_image(encode(img, "JPEG", quality=95)))
    assert g[2, 2] > 240 and g[20, 20] < 15


def test_animated_gif_first_frame_only(monkeypatch):
    frames = []
    for i in range(300):
        a = np.zeros((64, 64), np.uint8)
        a[10:50, 5 + i % 50: 10 + i % 50] = 255 if i == 0 else 200 - i % 100
        frames.append(Image.fromarray(a))
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=20, loop=0)
    assert Image.open(io.BytesIO(data)).n_frames == 300
    sought = []
    real_seek = GifImagePlugin.GifImageFile.seek
    monkeypatch.setattr(GifImagePlugin.GifImageFile, "seek",
                        lambda self, frame: (sought.append(frame), real_seek(self, frame))[1])
    start = time.perf_counter()
    g = np.asarray(open_image(data))
    assert time.perf_counter() - start < 0.2
    assert all(f == 0 for f in sought)
    np.testing.assert_array_equal(g, np.asarray(frames[0]))


def test_exif_orientation_is_applied():
    a = np.full((20, 40), 255, np.uint8)      # stored landscape, a dark block at the stored top-left
    a[:8, :8] = 0
    exif = Image.Exif()
    exif[0x0112] = 6                          # "rotate 90 degrees clockwise to display"
    g = np.asarray(open_image(encode(Image.fromarray(a), "JPEG", quality=95, exif=exif.tobytes())))
    assert g.shape == (40, 20)                # displayed portrait
    assert g[:8, -8:].mean() < 40             # top-left went to the top-right
    assert g[:8, :8].mean() > 215


@pytest.mark.parametrize("ink, paper, inverted", [(0, 255, True), (255, 0, False), (30, 200, True),
                                                  (220, 60, False)])
def test_polarity(ink, paper, inverted):
    p = preprocess(Image.fromarray(digit(ink=ink, paper=paper)))
    assert p.inverted is inverted
    second = "inverted" if inverted else ("background removed" if paper > 0 else "cropped to content")
    assert [name for name, _ in p.steps][:2] == ["greyscale", second]
    assert p.x[0, 0] == 0 and p.x.max() == 1.0     # paper is black, the ink full white, as in MNIST


def shapes() -> dict[str, np.ndarray]:
    rows, cols = np.indices((120, 90))
    ring = ((rows - 60) ** 2 + (cols - 45) ** 2 < 30 ** 2) & ((rows - 60) ** 2 + (cols - 45) ** 2 > 20 ** 2)
    ell = np.zeros((120, 90), bool)
    ell[20:100, 20:30] = True
    ell[90:100, 20:70] = True
    blob = np.zeros((600, 800), bool)
    blob[50:90, 650:700] = True
    return {"seven": digit() < 128, "ring": ring, "L": ell, "vertical bar": np.pad(np.ones((50, 4), bool), 20),
            "horizontal bar": np.pad(np.ones((4, 50), bool), 20), "small blob far off": blob}


@pytest.mark.parametrize("name", list(shapes()))
def test_output_is_mnist_like(name):
    a = np.where(shapes()[name], 0, 255).astype(np.uint8)
    p = preprocess(Image.fromarray(a))
    assert p.x.shape == (28, 28) and p.x.dtype == np.float32 and 0 <= p.x.min() and p.x.max() <= 1
    cy, cx = centre_of_mass(p.x)
    assert abs(cy - 13.5) <= 1 and abs(cx - 13.5) <= 1
    rows, cols = np.nonzero(p.x)
    assert np.ptp(rows) + 1 <= 20 and np.ptp(cols) + 1 <= 20
    assert max(np.ptp(rows), np.ptp(cols)) + 1 >= 19       # the longer side was fitted to 20 px
    names = [n for n, _ in p.steps]
    assert names[-3:] == ["cropped to content", "fitted to 20x20", "centred by mass in 28x28"]
    assert all(s.dtype == np.uint8 and s.ndim == 2 for _, s in p.steps)
    np.testing.assert_array_equal(p.steps[-1][1], np.rint(p.x * 255).astype(np.uint8))


def test_lopsided_figure_is_clamped_not_cut():
    a = np.zeros((20, 20), np.uint8)
    a[:, 0] = 255
    a[0, :] = 255
    a[:3, :3] = 255                       # mass piled into the top-left corner
    p = preprocess(Image.fromarray(np.pad(a, 10)))
    assert p.steps[-1][1].sum() == p.steps[-2][1].sum()   # nothing left the frame


def test_grey_paper_photo_background_removed():
    a = digit(ink=70, paper=180)
    a = np.clip(a.astype(int) + np.random.default_rng(0).integers(-6, 7, a.shape), 0, 255).astype(np.uint8)
    p = preprocess(Image.fromarray(a))
    assert "background removed" in [n for n, _ in p.steps]
    assert (p.x > 0).sum() < 0.5 * 28 * 28 and p.x.max() == 1.0


@pytest.mark.parametrize("value", [0, 128, 255])
def test_blank_images_are_empty(value):
    with pytest.raises(ImageInputError, match="^" + EMPTY + "$"):
        preprocess(Image.new("L", (50, 50), value))


def test_large_upload_is_processed_quickly():
    a = np.full((3000, 4000), 255, np.uint8)
    a[1000:2000, 1800:2000] = 0
    data = encode(Image.fromarray(a), "JPEG", quality=90)
    start = time.perf_counter()
    p = preprocess(open_image(data))
    assert time.perf_counter() - start < 1.5
    assert max(s.shape[0] * s.shape[1] for _, s in p.steps) <= 1024 * 1024
