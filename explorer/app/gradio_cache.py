"""Make gradio's image cache safe for many users at once: write each cached image whole, then rename it in.

Gradio 6.31 names a cached output image by the hash of its bytes and writes it with `Path.write_bytes`, in place,
every time. When two users get the same image at once (a class clicking the same test image, or the load
benchmark's uploaders), one request truncates and rewrites the file while the server is sending it to the other,
whose download then ends early ("peer closed connection without sending complete message body"). Gradio's own
`save_file_to_cache` already writes to a temporary name and renames; this does the same for PIL images, and
skips the write when the hash-named file is already there.
"""
from pathlib import Path

from gradio import processing_utils
from PIL import Image

from explorer.write_once import write_once


def save_pil_to_cache(img: Image.Image, cache_dir: str, name: str = "image", format: str = "webp") -> str:
    """gradio.processing_utils.save_pil_to_cache, but a reader never sees the file half written."""
    data = processing_utils.encode_pil_to_bytes(img, format)
    path = (Path(cache_dir) / processing_utils.hash_bytes(data) / f"{name}.{format}").resolve()
    return str(write_once(path, data))


def install() -> None:
    """Route every gradio image output (gr.Image, gr.Gallery, ...) through `save_pil_to_cache` above.

    Gradio's components call `processing_utils.save_pil_to_cache` (directly or via `save_img_array_to_cache`)
    through the module at call time, so replacing the module's attribute reaches all of them.
    """
    processing_utils.save_pil_to_cache = save_pil_to_cache
