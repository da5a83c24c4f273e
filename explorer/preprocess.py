"""Any user image -> a 28x28 model input, MNIST-style, keeping every step so the UI can show them.

Rules for what `open_image` accepts (each refusal is an `ImageInputError` with one sentence):
- formats: PNG, JPEG, WebP, BMP and GIF only (first frame of an animation); nothing else is even tried;
- size: at most MAX_PIXELS (4096 x 4096) by the header, checked before any pixel is decoded;
- shape: each side at least MIN_SIDE (8) pixels, so an 8x8 scikit-learn digit passes, and the long side
  at most MAX_ASPECT (50) times the short one: thinner strips cannot hold a figure;
- the whole file must decode: truncated files are refused, not padded with grey.
The MNIST recipe in `preprocess`: ink made light on dark, cropped to its bounding box, the longer side
fitted to 20 px with antialiasing, then pasted into 28x28 with its centre of mass at the centre.
"""
import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from explorer.errors import UserError

FORMATS = ["PNG", "JPEG", "WEBP", "BMP", "GIF"]
MAX_PIXELS = 4096 * 4096
MIN_SIDE = 8
MAX_ASPECT = 50
WORK_SIDE = 1024     # larger inputs are shrunk first: the result is 20 px, and the steps stay light
BOX, FRAME = 20, 28
INK_LEVEL = 0.1      # share of the ink range below which a pixel is paper, for cropping
MIN_CONTRAST = 24    # grey levels between paper and the darkest ink below which nothing was drawn
EMPTY = "The image is empty: draw or upload a figure."


class ImageInputError(UserError):
    """An image a user supplied that cannot be used; the message says what to do."""


@dataclass
class Preprocessed:
    steps: list[tuple[str, np.ndarray]]   # (name, uint8 H x W) in order, the last one 28 x 28
    x: np.ndarray                         # (28, 28) float32 in [0, 1], light ink on black, as in MNIST
    inverted: bool                        # True when the input was dark ink on light paper


def open_image(data: bytes, transparency: str = "white") -> Image.Image:
    """Decode uploaded bytes into an upright 8-bit grey ("L") image, or raise ImageInputError.

    transparency="white" lays transparent pixels on white paper (uploads); "background" treats them as
    the background and opacity as the ink, whatever the stroke colour (sketchpad drawings).
    """
    return to_grey(open_upright(data), transparency)


def open_upright(data: bytes) -> Image.Image:
    """Decode uploaded bytes as they are (any mode), turned upright by their EXIF tag, or raise ImageInputError."""
    if not data:
        raise ImageInputError("The file is empty: upload a PNG, JPEG, WebP, BMP or GIF image.")
    img = _open_checked(data)
    try:
        img = ImageOps.exif_transpose(img)
    except Exception:  # a broken EXIF block should not cost the picture; keep it as stored
        pass
    return img


def _open_checked(data: bytes) -> Image.Image:
    """Open with the allowed formats only, check the header size, then decode the first frame fully."""
    # Pillow warns on very large images; as an error it cannot be missed. Our own limit below is lower,
    # so this is a second fence (catch_warnings is process-wide, which is why it is not the only one).
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data), formats=FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageInputError(f"The image is larger than {_megapixels(MAX_PIXELS)}: "
                                  "shrink it and upload it again.") from None
        except Exception:
            raise ImageInputError("The file is not a PNG, JPEG, WebP, BMP or GIF image: "
                                  "upload one of those.") from None
    check_size(*img.size)
    if img.format == "JPEG":  # decode big JPEGs at a reduced scale: much less work, same 20 px result
        img.draft(img.mode, (WORK_SIDE, WORK_SIDE))
    try:
        img.load()  # only the first frame of an animation is decoded
    except Exception:  # Pillow's decoders raise OSError, SyntaxError, ValueError, EOFError, ...
        raise ImageInputError(f"The {img.format} file is damaged or cut short: "
                              "save it again and re-upload it.") from None
    return img


def _megapixels(n: int) -> str:
    return f"{n / 1e6:.1f} megapixels"


def check_size(width: int, height: int) -> None:
    """Refuse sizes that are too large, too small or too thin to hold a figure (rules above)."""
    if width * height > MAX_PIXELS:
        raise ImageInputError(f"The image is {width}x{height} pixels, over the {_megapixels(MAX_PIXELS)} "
                              "limit: shrink it and upload it again.")
    if min(width, height) < MIN_SIDE:
        raise ImageInputError(f"The image is {width}x{height} pixels; each side needs at least "
                              f"{MIN_SIDE} pixels to hold a figure.")
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise ImageInputError(f"The image is {width}x{height} pixels, a strip too thin to hold a figure: "
                              f"crop it to within {MAX_ASPECT}:1.")


def to_grey(img: Image.Image, transparency: str = "white") -> Image.Image:
    """Any Pillow mode -> 8-bit grey "L"; alpha handled as `open_image` describes."""
    if transparency not in ("white", "background"):
        raise ValueError(f"Unknown transparency {transparency!r}; use 'white' or 'background'.")
    if img.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        return Image.fromarray(_wide_to_uint8(np.asarray(img)), mode="L")
    has_alpha = img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info
    if not has_alpha:
        return img.convert("L") if img.mode in ("L", "1", "P", "RGB") else _via_rgb(img)
    rgba = img.convert("RGBA")
    alpha = np.asarray(rgba)[..., 3]
    if transparency == "background" and alpha.min() < 255:
        return Image.fromarray(255 - alpha, mode="L")  # opacity is the ink, drawn dark on white paper
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("L")


def _via_rgb(img: Image.Image) -> Image.Image:
    """CMYK, YCbCr, LAB, HSV and the like: through RGB when Pillow can, else their lightness band."""
    try:
        return img.convert("RGB").convert("L")
    except ValueError:
        if img.mode in ("LAB", "HSV"):  # L of Lab and V of HSV are lightness-like, in 0..255
            return img.getchannel(0 if img.mode == "LAB" else 2)
        raise ImageInputError(f"Images in Pillow's {img.mode} mode are not supported: "
                              "save it as an RGB or greyscale PNG.") from None


def _wide_to_uint8(a: np.ndarray) -> np.ndarray:
    """16-bit, 32-bit integer or float grey to 0..255, scaled by the range its type implies."""
    is_float = a.dtype.kind == "f"
    a = a.astype(np.float64)
    if a.size and is_float and a.min() >= 0 and a.max() <= 1.0:
        a = a * 255.0                      # float images in [0, 1]
    elif a.size and a.min() >= 0 and a.max() <= 255:
        pass                               # already 8-bit values in a wide type
    elif a.size and a.min() >= 0 and a.max() <= 65535:
        a = a / 257.0                      # 16-bit: 65535 -> 255 exactly
    elif a.size:
        a = (a - a.min()) / max(a.max() - a.min(), 1e-12) * 255.0
    return np.clip(np.rint(a), 0, 255).astype(np.uint8)


def preprocess(img: Image.Image, transparency: str = "white", box: int = BOX) -> Preprocessed:
    """MNIST-style steps from any image to a (28, 28) input in [0, 1]; ImageInputError if nothing is drawn.

    `box` is the square the content is fitted into: 20 for MNIST-style digits, 28 for Fashion-MNIST, whose
    items fill the frame. A 28x28 light-on-dark image is already a model input and is used as it is.
    """
    grey = _shrink(to_grey(img, transparency))
    a = np.asarray(grey, dtype=np.uint8)
    steps = [("greyscale", a)]
    paper = float(np.median(border(a)))
    inverted = paper > 127  # dark ink on light paper: MNIST wants light ink on black
    if a.shape == (FRAME, FRAME) and not inverted and a.max() > MIN_CONTRAST:
        steps.append(("already 28x28, light on dark: used as is", a))
        return Preprocessed(steps, (a / 255.0).astype(np.float32), False)
    if inverted:
        a, paper = 255 - a, 255 - paper
        steps.append(("inverted", a))
    ink = _remove_background(a, paper)
    if ink is not a:
        steps.append(("background removed", ink))
    ink = crop_to_content(ink)
    steps.append(("cropped to content", ink))
    fitted = fit_to_box(ink, box)
    steps.append((f"fitted to {box}x{box}", fitted))
    out = centre_by_mass(fitted, FRAME)
    steps.append((f"centred by mass in {FRAME}x{FRAME}", out))
    return Preprocessed(steps, (out / 255.0).astype(np.float32), inverted)


def _shrink(img: Image.Image) -> Image.Image:
    if max(img.size) <= WORK_SIDE:
        return img
    scale = WORK_SIDE / max(img.size)
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def border(a: np.ndarray) -> np.ndarray:
    """The outer ring of an image, about 5% of the shorter side wide (at least 1 px), flattened."""
    w = max(1, min(a.shape) // 20)
    mask = np.ones(a.shape, bool)
    mask[w:-w, w:-w] = False
    return a[mask]


def _remove_background(a: np.ndarray, paper: float) -> np.ndarray:
    """Stretch levels so the paper is 0 and the brightest ink 255; `a` itself when already so."""
    top = float(a.max())
    if top - paper < MIN_CONTRAST:
        raise ImageInputError(EMPTY)
    if paper <= 0 and top >= 255:
        return a
    return np.clip(np.rint((a - paper) / (top - paper) * 255.0), 0, 255).astype(np.uint8)


def crop_to_content(a: np.ndarray) -> np.ndarray:
    """The bounding box of the pixels brighter than INK_LEVEL of the brightest."""
    rows, cols = np.nonzero(a > INK_LEVEL * float(a.max()))
    if rows.size == 0:
        raise ImageInputError(EMPTY)
    return a[rows.min(): rows.max() + 1, cols.min(): cols.max() + 1]


def fit_to_box(a: np.ndarray, box: int) -> np.ndarray:
    """Resize so the longer side is `box` px, keeping the aspect ratio, with antialiasing."""
    h, w = a.shape
    scale = box / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(Image.fromarray(a, mode="L").resize(size, Image.Resampling.LANCZOS))


def centre_by_mass(a: np.ndarray, frame: int) -> np.ndarray:
    """Paste into a frame x frame black image, shifted by whole pixels so the centre of mass is central.

    The shift is clamped so nothing leaves the frame; a very lopsided figure then sits off centre.
    """
    h, w = a.shape
    cy, cx = centre_of_mass(a)
    centre = (frame - 1) / 2
    top = int(np.clip(np.rint(centre - cy), 0, frame - h))
    left = int(np.clip(np.rint(centre - cx), 0, frame - w))
    out = np.zeros((frame, frame), np.uint8)
    out[top: top + h, left: left + w] = a
    return out


def centre_of_mass(a: np.ndarray) -> tuple[float, float]:
    """(row, col) intensity-weighted centre of a 2-D image; the geometric centre if it is all black."""
    total = float(a.sum())
    if total == 0:
        return (a.shape[0] - 1) / 2, (a.shape[1] - 1) / 2
    rows, cols = np.indices(a.shape)
    return float((rows * a).sum() / total), float((cols * a).sum() / total)
