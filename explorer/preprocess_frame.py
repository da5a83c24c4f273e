"""Any user image -> the input of a model trained on whole pictures (colour sprites, an image folder): the centre
square, resized to the model's frame, in colour or grey as the model takes it. The MNIST-style recipe
(explorer/preprocess.py) is for the 28x28 grey models, whose figures are cut out and centred; a picture model saw
its training images framed this way (explorer/image_folder.py), so an upload is framed the same way.
"""
import numpy as np
from PIL import Image

from explorer.preprocess import Preprocessed, to_grey


def to_rgb(img: Image.Image) -> Image.Image:
    """Any Pillow mode -> "RGB"; transparent pixels become black, the background the shipped colour models know."""
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, (0, 0, 0, 255)), rgba).convert("RGB")
    if img.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        return to_grey(img).convert("RGB")
    return img.convert("RGB")


def centre_square(img: Image.Image) -> Image.Image:
    side = min(img.size)
    left, top = (img.width - side) // 2, (img.height - side) // 2
    return img.crop((left, top, left + side, top + side))


def framed(img: Image.Image, image_shape) -> Image.Image:
    """The picture as a model of `image_shape` (C, H, W) takes it: colour or grey, its centre square at H x W. The
    one framing a picture model's training images (explorer/image_folder.py) and its uploads both get."""
    c, h, w = image_shape
    img = to_rgb(img) if c == 3 else to_grey(img)
    return centre_square(img).resize((w, h), Image.Resampling.LANCZOS, reducing_gap=3.0)


def preprocess_frame(img: Image.Image, image_shape, transparency: str = "white") -> Preprocessed:
    """Steps from any image to a (H, W) or (H, W, 3) input in [0, 1] for a model of `image_shape` (C, H, W)."""
    c, h, w = image_shape
    img = to_rgb(img) if c == 3 else to_grey(img, transparency)
    steps = [("in colour" if c == 3 else "greyscale", np.asarray(img))]
    if img.width != img.height:
        img = centre_square(img)
        steps.append(("cropped to its centre square", np.asarray(img)))
    if img.size != (w, h):
        img = img.resize((w, h), Image.Resampling.LANCZOS, reducing_gap=3.0)
        steps.append((f"resized to {w}x{h}", np.asarray(img)))
    else:
        steps.append((f"already {w}x{h}: used as is", np.asarray(img)))
    a = np.asarray(img, dtype=np.uint8)
    return Preprocessed(steps, (a / 255.0).astype(np.float32), False)
