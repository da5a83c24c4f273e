"""The image inputs views share: an uploaded file, a sketchpad drawing, each read into a 28x28 model input.

Bad input raises explorer's UserError (ImageInputError) with one sentence; `display.friendly` shows it.
"""
import json
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from explorer.errors import UserError
from explorer.likelihood_check import is_colour
from explorer.preprocess import Preprocessed, open_image, preprocess


@dataclass
class Upload(Preprocessed):
    colour: bool = False   # the file was a colour picture, greyed by preprocessing (the models only saw grey)


def read_upload(data: bytes | None, box: int = 20) -> Upload:
    """Preprocess an uploaded file's bytes, noting whether it was in colour.

    Uploads arrive as gr.File bytes, not gr.Image: gr.Image would open them with every format Pillow knows,
    and fail with a traceback, before our own checks could run.
    """
    if data is None:
        raise UserError("Upload an image first (PNG, JPEG, WebP, BMP or GIF).")
    pre = preprocess(open_image(data), box=box)
    return Upload(pre.steps, pre.x, pre.inverted, colour=is_colour(data))


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


# gradio 6.31's ImageEditor falls back to its "image" tool whenever its value is empty (at start, and again after
# Clear: an effect in its Svelte source resets the tool), and a sketchpad then draws nothing until the brush is
# picked: "select the draw tool to start". No parameter picks a tool (gr.Brush has none; `layers`, `sources` and
# `transforms` do not change it), so this script clicks the brush whenever that prompt (`.empty.wrap`) shows. The
# brush is the toolbar's first button: the image tool's button only exists with `sources` or a background image,
# neither of which a sketchpad has. The pad is looked up again every half second: gradio mounts a tab's components
# only when the tab is first shown.
BRUSH_FIRST_JS = """
const id = %s;
let watched = null;
const pick = (pad) => {
  if (!pad.querySelector('.empty.wrap') || !pad.querySelector('canvas')) return;
  const brush = pad.querySelector('.toolbar-wrap button');
  if (brush) brush.click();
};
const attach = () => {
  const pad = document.getElementById(id);
  if (!pad || pad === watched) return;
  watched = pad;
  new MutationObserver(() => pick(pad)).observe(pad, { childList: true, subtree: true });
  pick(pad);
};
attach();
setInterval(attach, 500);
"""


def brush_first(elem_id: str, css: str = "") -> gr.HTML:
    """A hidden gr.HTML whose script keeps the brush picked on the sketchpad with `elem_id`, so a first stroke
    draws; `css` (optional) is added to the page's head with it."""
    return gr.HTML("", js_on_load=BRUSH_FIRST_JS % json.dumps(elem_id), head=f"<style>{css}</style>" if css else None,
                   apply_default_css=False, container=False, padding=False, visible="hidden")
