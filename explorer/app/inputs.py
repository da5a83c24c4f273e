"""The image inputs views share: an uploaded file, a sketchpad drawing, each read into a 28x28 model input.

Bad input raises explorer's UserError (ImageInputError) with one sentence; `display.friendly` shows it.
"""
from pathlib import Path

import gradio as gr

from explorer.errors import UserError
from explorer.preprocess import Preprocessed, open_image, preprocess


def read_upload(data: bytes | None, box: int = 20) -> Preprocessed:
    """Preprocess an uploaded file's bytes.

    Uploads arrive as gr.File bytes, not gr.Image: gr.Image would open them with every format Pillow knows,
    and fail with a traceback, before our own checks could run.
    """
    if data is None:
        raise UserError("Upload an image first (PNG, JPEG, WebP, BMP or GIF).")
    return preprocess(open_image(data), box=box)


def read_sketch(editor, box: int = 20) -> Preprocessed:
    """Preprocess a sketchpad drawing; transparent canvas is background, strokes are ink."""
    image = (editor or {}).get("composite") if isinstance(editor, dict) else None
    if image is None:
        raise UserError("Draw something on the sketchpad first.")
    return preprocess(image.convert("RGBA"), transparency="background", box=box)


def has_drawing(editor) -> bool:
    """Whether a sketchpad value holds any stroke."""
    return isinstance(editor, dict) and bool(editor.get("layers"))


def checked_sketchpad(**kwargs) -> gr.Sketchpad:
    """A gr.Sketchpad whose files pass `open_image`'s checks (our formats only, size limits) before gradio opens
    them: gradio's own preprocessing opens any format Pillow knows at any size, and an API caller can send any
    file as a drawing. A refused file is one gr.Error sentence. (Wrapped, not subclassed: gradio writes a .pyi
    stub beside the module of every component subclass.)"""
    pad = gr.Sketchpad(**kwargs)
    convert = pad.convert_and_format_image

    def convert_checked(file, flatten_on_white: bool = False):
        if file is not None:
            data = bytes(file) if isinstance(file, (bytes, bytearray, memoryview)) else Path(file.path).read_bytes()
            try:
                open_image(data)
            except UserError as err:
                raise gr.Error(str(err)) from None
        return convert(file, flatten_on_white)

    pad.convert_and_format_image = convert_checked
    return pad
