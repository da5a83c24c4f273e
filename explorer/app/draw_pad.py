"""A drawing input: a canvas the browser draws on (static/pad.js), light strokes on black as the data are.

Each finished stroke sends the whole drawing to the server in one event, `stroke`, whose data is {"png": a data
URL}; `clear` says the pad was wiped. A handler reads the drawing with `inputs.read_drawing(evt.png)`.

It replaces gr.Sketchpad, whose editor took ~1.1 s per stroke before the server heard of it (exporting and
uploading its layers, twice), started on a tool that draws nothing, and had a toolbar that covered its label.
"""
import functools
import html
from pathlib import Path

import gradio as gr

from explorer.app.latent_map.assets import ASSETS
from explorer.app.latent_map.joined_script import join_modules, load_once_js

STATIC = Path(__file__).resolve().parent / "static"
SIDE = 280   # canvas pixels; shown at up to this many CSS px, less on a narrow screen

CSS = f"""
.dp {{ display: flex; flex-direction: column; gap: 6px; }}
.dp-head {{ display: flex; align-items: center; justify-content: space-between; gap: 8px; }}
.dp-label {{ font-size: var(--block-label-text-size); color: var(--block-label-text-color); }}
.dp-area {{ position: relative; width: min({SIDE}px, 100%); }}
.dp-hint {{ position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; color: #d4d4d8;
  font-size: var(--text-lg); pointer-events: none; }}
.dp-drawn .dp-hint {{ display: none; }}
.dp-canvas {{ display: block; width: 100%; aspect-ratio: 1; background: #000; touch-action: none; cursor: crosshair;
  border-radius: var(--radius-sm); }}
.dp-clear {{ font: inherit; font-size: var(--text-sm); padding: 2px 10px; border-radius: var(--radius-sm);
  border: 1px solid var(--border-color-primary); background: var(--button-secondary-background-fill);
  color: var(--button-secondary-text-color); cursor: pointer; }}
"""

# Once the pad's script is in (latent_map's joined_script.load_once_js: the first pad loads it, the others wait for it).
ATTACH_JS = (".then((m) => { const canvas = element.querySelector('canvas'); const box = element.querySelector('.dp');"
             " const pad = m.attachPad(canvas, { onStroke: () => { box.classList.add('dp-drawn');"
             " trigger('stroke', { png: canvas.toDataURL('image/png') }); } });"
             " element.querySelector('.dp-clear').addEventListener('click', () => { pad.clear();"
             " box.classList.remove('dp-drawn'); trigger('clear'); }); });")


@functools.cache
def script_url() -> str:
    """pad.js as one classic script in the asset store (once per process); its URL."""
    return ASSETS.add_file("pad.js", join_modules([STATIC], "pad.js", "DrawPadModule").encode())


def draw_pad(label: str, elem_id: str) -> gr.HTML:
    """A drawing pad with `label` above it and a Clear button; its events are `stroke` and `clear`."""
    template = (f'<div class="dp"><div class="dp-head"><span class="dp-label">{html.escape(label)}</span>'
                '<button type="button" class="dp-clear">Clear</button></div>'
                f'<div class="dp-area"><canvas class="dp-canvas" width="{SIDE}" height="{SIDE}" role="img" '
                f'aria-label="{html.escape(label)}: draw here with the mouse, a pen or a finger"></canvas>'
                '<span class="dp-hint" aria-hidden="true">Draw here with the mouse or a finger</span></div></div>')
    return gr.HTML("", html_template=template, css_template=CSS, elem_id=elem_id, apply_default_css=False,
                   js_on_load=load_once_js(script_url(), "DrawPadModule") + ATTACH_JS)


def drawing_of(evt: gr.EventData) -> str | None:
    """The drawing a `stroke` event carries (a PNG data URL, which read_drawing checks when it is used)."""
    return getattr(evt, "png", None)
