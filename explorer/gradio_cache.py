"""Make gradio's image cache safe for many users at once: write each cached image whole, then rename it in.

Gradio 6.31 names a cached output image by the hash of its bytes and writes it with `Path.write_bytes`, in place,
every time. When two users get the same image at once (a class clicking the same test image, or the load
benchmark's uploaders), one request truncates and rewrites the file while the server is sending it to the other,
whose download then ends early ("peer closed connection without sending complete message body"). Gradio's own
`save_file_to_cache` already writes to a temporary name and renames; this does the same for PIL images.
"""
import os
import tempfile
from pathlib import Path

from gradio import processing_utils
from PIL import Image


def save_pil_to_cache(img: Image.Image, cache_dir: str, name: str = "image", format: str = "webp") -> str:
    """gradio.processing_utils.save_pil_to_cache, but a reader never sees the file half written."""
    data = processing_utils.encode_pil_to_bytes(img, format)
    folder = Path(cache_dir) / processing_utils.hash_bytes(data)
    folder.mkdir(exist_ok=True, parents=True)
    path = (folder / f"{name}.{format}").resolve()
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)        # as write_bytes would have made it (mkstemp makes 0600)
        os.replace(tmp, path)       # a download in flight keeps reading the old, complete file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return str(path)


def install() -> None:
    """Route every gradio image output (gr.Image, gr.Gallery, ...) through `save_pil_to_cache` above.

    Gradio's components call `processing_utils.save_pil_to_cache` (directly or via `save_img_array_to_cache`)
    through the module at call time, so replacing the module's attribute reaches all of them.
    """
    processing_utils.save_pil_to_cache = save_pil_to_cache
