"""What every view shows the same way: crisp upscaled images, and errors as one sentence."""
import contextlib
import functools
import inspect
import logging

import numpy as np
from PIL import Image

import gradio as gr

from explorer.errors import UserError
from explorer.images import grid, to_uint8, upscale

BIG = 10        # 28 px -> 280 px: one decode, large on a projector (a larger image, less: scale_for)
SMALL = 4       # grids of many images

PIXELATED = "pixelated"   # CSS class: nearest-neighbour scaling in the browser too, never blurred
# An output image's toolbar: gradio's "share" posts to Hugging Face discussions, and a third button covers the label.
IMAGE_BUTTONS = ["download", "fullscreen"]
FAILED = "Something went wrong on the server (the details are in its log); please try again."
log = logging.getLogger(__name__)


def friendly(fn):
    """An event handler whose errors reach the user as one sentence: a UserError's own (bad input), and for
    anything unexpected FAILED, with the traceback only in the log.

    app.py launches with show_error=True so that gradio's own refusals (a server path sent as an image, a file
    over the size limit) are shown as the sentences they are; every handler goes through this, so no other
    exception's text reaches the page. gr.Error passes through unchanged.
    """
    @contextlib.contextmanager
    def sentences():
        try:
            yield
        except gr.Error:
            raise
        except UserError as err:
            raise gr.Error(str(err)) from None
        except Exception:
            log.exception("event handler %s failed", getattr(fn, "__name__", fn))
            raise gr.Error(FAILED) from None

    if inspect.isgeneratorfunction(fn):   # a streaming handler (gradio tells them apart by this): errors while it runs
        @functools.wraps(fn)
        def streaming(*args, **kwargs):
            with sentences():
                yield from fn(*args, **kwargs)
        return streaming

    @functools.wraps(fn)
    def handler(*args, **kwargs):
        with sentences():
            return fn(*args, **kwargs)
    return handler


def scale_for(side: int, scale: int) -> int:
    """`scale` is for 28 px images: a larger image gets a smaller factor, so it shows about as big (64 px: 4, not 10)."""
    return max(1, round(scale * 28 / side))


def show(image, scale: int | None = None) -> Image.Image:
    """A (H, W) grey or (H, W, 3) colour image, float or uint8, as a crisp PIL image `scale` times larger (by
    default about 280 px a side, whatever the model's image size)."""
    a = np.asarray(image)
    scale = scale_for(a.shape[0], BIG) if scale is None else scale
    return Image.fromarray(upscale(a if a.dtype == np.uint8 else to_uint8(a), scale))


def show_grid(images, ncols: int, scale: int = SMALL) -> Image.Image:
    """(N, H, W[, 3]) images tiled into one crisp PIL image."""
    a = to_uint8(images)
    return Image.fromarray(upscale(grid(a, ncols=ncols, value=128), scale_for(a.shape[1], scale)))
