"""The image inputs views share: an uploaded file, a drawing (draw_pad.py), each read into a model input: MNIST-style
for the 28x28 grey models, framed (explorer/preprocess_frame.py) for picture models, in colour for colour ones.

Bad input raises explorer's UserError (ImageInputError) with one sentence; `display.friendly` shows it.
"""
import base64
import binascii
from dataclasses import dataclass

from explorer.errors import UserError
from explorer.likelihood_check import is_colour
from explorer.preprocess import Preprocessed, open_image, open_upright, preprocess
from explorer.preprocess_frame import preprocess_frame


@dataclass
class Upload(Preprocessed):
    colour: bool = False   # the file was a colour picture, greyed by preprocessing (the model only saw grey)


def read_upload(data: bytes | None, box: int = 20, framed=None) -> Upload:
    """Preprocess an uploaded file's bytes, MNIST-style into `box`, or framed to (C, H, W) `framed` for a picture
    model (Bundle.framed_shape), noting whether a colour picture was greyed.

    Uploads arrive as gr.File bytes, not gr.Image: gr.Image would open them with every format Pillow knows,
    and fail with a traceback, before our own checks could run.
    """
    if data is None:
        raise UserError("Upload an image first (PNG, JPEG, WebP, BMP or GIF).")
    if framed is not None:
        pre = preprocess_frame(open_upright(data), framed)
        return Upload(pre.steps, pre.x, pre.inverted, colour=framed[0] == 1 and is_colour(data))
    pre = preprocess(open_image(data), box=box)
    return Upload(pre.steps, pre.x, pre.inverted, colour=is_colour(data))


DATA_URL = "data:image/png;base64,"
MAX_DRAWING_CHARS = 2**20   # a 280x280 drawing is 2-20 KB as a PNG data URL


def read_drawing(png, box: int = 20, framed=None) -> Preprocessed:
    """Preprocess a drawing pad's picture (draw_pad.py): a PNG data URL of light strokes on black. The page sends it
    as event data, which a caller can forge, so it passes the same checks as an upload."""
    if png is None:
        raise UserError("Draw something on the pad first.")
    if not isinstance(png, str) or not png.startswith(DATA_URL) or len(png) > MAX_DRAWING_CHARS:
        raise UserError("The drawing did not arrive as a PNG picture; clear the pad and draw again.")
    try:
        data = base64.b64decode(png[len(DATA_URL):], validate=True)
    except binascii.Error:
        raise UserError("The drawing arrived damaged; clear the pad and draw again.") from None
    if framed is not None:
        return preprocess_frame(open_upright(data), framed, transparency="background")
    return preprocess(open_image(data), box=box)
