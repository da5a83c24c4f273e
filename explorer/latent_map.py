"""The live latent map component: a gr.HTML that plotly.js draws in the browser, decoding through server functions.

Place one per map; its value is a small JSON selection (`map_value(key, map_name)`) that a Python handler can
return to switch the bundle or the map. Server functions bypass gradio's queue, which is what makes a drag
live, so they validate every request themselves, cap concurrent decodes, and answer errors as
{"error": sentence} instead of raising. They read shared, read-only bundles and keep no per-user state.
"""
import functools
import hashlib
import json
import logging
import tempfile
import threading
from pathlib import Path

import gradio as gr
import plotly
import torch

from explorer.bundle import Bundle
from explorer.browser_model import UnsupportedDecoder, export_inverse, write_decoder
from explorer.map_payload import PointError, decode_point, finite_number, map_names, map_payload, thumbnail

STATIC = Path(__file__).resolve().parent / "static"
# Served straight from the installed package (plotly 7.1.0 ships plotly.js 4.1.1): no copy, no CDN.
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
SCRIPTS = (PLOTLY_JS, STATIC / "latent_map_geom.js", STATIC / "latent_map_figure.js", STATIC / "latent_decoder.js",
           STATIC / "latent_map.js")
# Two cores: more simultaneous decodes only queue inside torch, and a flood must not starve the app.
DECODE_SLOTS = threading.BoundedSemaphore(2)
DECODE_WAIT_S = 2.0
# Server functions run on gradio's shared pool of 40 threads, the same pool as queued events: a decode that waits
# for a slot holds one. Beyond this many decodes admitted (running or waiting) the answer is "busy" at once,
# so a flood cannot hold the pool and stall everyone else's events.
DECODE_ADMITTED = threading.BoundedSemaphore(24)
BUSY = "The server is busy decoding; try again in a moment."
# Decoder weights for the browser, served as static files (streamed, cacheable: their names are content hashes).
DECODER_DIR = Path(tempfile.gettempdir()) / "latent-explorer-decoders"
log = logging.getLogger(__name__)

HTML_TEMPLATE = """
<div class="lm">
  <div class="lm-head"><span class="lm-title">Latent map</span><span class="lm-error" hidden></span></div>
  <div class="lm-body">
    <div class="lm-mapwrap">
      <div class="lm-plot"></div>
      <div class="lm-clip" hidden><div class="lm-cursor"></div></div>
      <div class="lm-badge" hidden>⚠ far from the data: decode unreliable</div>
      <div class="lm-tip" hidden><img alt="test image"><span></span></div>
    </div>
    <div class="lm-side">
      <div class="lm-decodewrap"><canvas class="lm-decode" width="28" height="28" role="img"
        aria-label="decoded image at the cursor"></canvas>
        <div class="lm-warn" hidden>Extrapolation: no training data near this point.</div></div>
      <div class="lm-coords">&nbsp;</div>
      <div class="lm-summary"></div>
      <div class="lm-nn-title">5 nearest test images (in latent space)</div>
      <div class="lm-nn">
        <figure><img alt=""><figcaption></figcaption></figure><figure><img alt=""><figcaption></figcaption></figure>
        <figure><img alt=""><figcaption></figcaption></figure><figure><img alt=""><figcaption></figcaption></figure>
        <figure><img alt=""><figcaption></figcaption></figure>
      </div>
      <div class="lm-help">Drag the ringed cursor or click anywhere to decode. Drag elsewhere to pan,
        scroll to zoom, double-click to reset.</div>
    </div>
  </div>
</div>
"""

# 'cursor_release' must appear quoted here: gradio then offers it as an event, html.cursor_release(fn, ...).
JS_ON_LOAD = "LatentMapUI.mount(element, props, server, watch, (data) => trigger('cursor_release', data));"


def map_value(key: str | None, map_name: str | None = None, overlay: dict | None = None) -> str:
    """The component value that shows bundle `key` on `map_name` (None: its first map; key None: nothing),
    optionally with an input image's overlay (explorer.reconstruction.map_overlay): the cursor jumps to it."""
    return json.dumps({"bundle": key, "map": map_name, "overlay": overlay})


def default_map(bundle: Bundle, preferred: str | None = None) -> str:
    """`preferred` if the bundle has that map, else its first map ("latent", then "pca", then "umap")."""
    names = map_names(bundle)
    return preferred if preferred in names else names[0]


@functools.cache
def _script_tags() -> str:
    """<script> tags for the served files; a content hash in the URL so browsers never run a stale copy."""
    tags = []
    for path in SCRIPTS:
        version = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        tags.append(f'<script src="/gradio_api/file={path}?v={version}"></script>')
    return "".join(tags)


@functools.cache
def _serve_static() -> None:
    """Let gradio serve exactly our scripts (nothing else of plotly's folder); once per process, before launch."""
    gr.set_static_paths(list(SCRIPTS))


def _selection(request, bundles: dict[str, Bundle]) -> tuple[Bundle, str, str]:
    if not isinstance(request, dict):
        raise PointError("The request must be an object with bundle and map.")
    key, name = request.get("bundle"), request.get("map")
    if not isinstance(key, str) or key not in bundles:
        raise PointError(f"Unknown bundle {key!r}; reload the page.")
    name = default_map(bundles[key]) if name is None else name
    if not isinstance(name, str) or name not in bundles[key].maps:
        raise PointError(f"The bundle {key} has no map {name!r}; choose one of {', '.join(map_names(bundles[key]))}.")
    return bundles[key], key, name


def _answer(fn, request) -> dict:
    """Run fn(request); a PointError becomes its sentence, anything else a short note (logged with traceback)."""
    try:
        return fn(request)
    except PointError as err:
        return {"error": str(err)}
    except Exception:
        log.exception("latent map server function failed")
        return {"error": "The server could not handle this request; see its log."}


def server_functions(bundles: dict[str, Bundle]) -> list:
    """The server functions of a map over `bundles`; each takes ONE argument, a dict from the browser."""
    payload_cache: dict[tuple[str, str], dict] = {}   # read-only after the first build; same for every user

    def lm_payload(request) -> dict:
        def build(req):
            bundle, key, name = _selection(req, bundles)
            if (key, name) not in payload_cache:
                payload_cache[(key, name)] = map_payload(bundle, key, name)
            return payload_cache[(key, name)]
        return _answer(build, request)

    def lm_decode(request) -> dict:
        def run(req):
            bundle, key, name = _selection(req, bundles)
            x, y = finite_number(req.get("x"), "x"), finite_number(req.get("y"), "y")
            with_image = req.get("image", True)   # False: the browser decoded it already
            if not isinstance(with_image, bool):
                raise PointError("image must be true or false.")
            if not DECODE_ADMITTED.acquire(blocking=False):
                raise PointError(BUSY)
            try:
                if not DECODE_SLOTS.acquire(timeout=DECODE_WAIT_S):
                    raise PointError(BUSY)
                try:
                    # gradio runs this in a worker thread, where OpenMP ignores the entry point's
                    # torch.set_num_threads: re-apply it here, else a 1 ms decode takes 75 ms on a busy CPU.
                    torch.set_num_threads(torch.get_num_threads())
                    return decode_point(bundle, key, name, x, y, with_image)
                finally:
                    DECODE_SLOTS.release()
            finally:
                DECODE_ADMITTED.release()
        return _answer(run, request)

    def lm_thumb(request) -> dict:
        def run(req):
            if not isinstance(req, dict):
                raise PointError("The request must be an object with bundle and index.")
            key, index = req.get("bundle"), req.get("index")
            if not isinstance(key, str) or key not in bundles:
                raise PointError(f"Unknown bundle {key!r}; reload the page.")
            n = len(bundles[key].codes)
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
                raise PointError(f"index must be an integer from 0 to {n - 1}.")
            return thumbnail(bundles[key], index)
        return _answer(run, request)

    def lm_model(request) -> dict:
        """The map's inverse and where the decoder's weights are, so the browser can decode by itself;
        "decoder" is None (and "note" says why) for a decoder the browser cannot run."""
        def build(req):
            bundle, key, name = _selection(req, bundles)
            decoder = browser_decoder(bundle)
            return {"bundle": key, "map": name, "inverse": browser_inverse(bundle, name),
                    "decoder": None if "unsupported" in decoder else decoder, "note": decoder.get("unsupported")}
        return _answer(build, request)

    return [lm_payload, lm_decode, lm_thumb, lm_model]


# What lm_model sends, per bundle (and map): read-only data shared by every user and both maps of a page.
_BROWSER: dict[tuple, dict] = {}
_BROWSER_LOCK = threading.Lock()


def browser_decoder(bundle: Bundle) -> dict:
    """{"ops", "latent_dim", "url" of the weights, "bytes"} or {"unsupported": why}; the weights file is
    written and registered with gradio's static files on first use."""
    with _BROWSER_LOCK:
        if (id(bundle),) not in _BROWSER:
            try:
                info, path = write_decoder(bundle, DECODER_DIR)
                gr.set_static_paths([path])   # exactly this file; gradio checks static paths per request
                info.update(url=f"/gradio_api/file={path}", bytes=path.stat().st_size)
            except UnsupportedDecoder as err:
                log.info("decoding %s on the server: %s", bundle.path, err)
                info = {"unsupported": f"{err}; the server decodes this model"}
            _BROWSER[(id(bundle),)] = info
        return _BROWSER[(id(bundle),)]


def browser_inverse(bundle: Bundle, map_name: str) -> dict:
    with _BROWSER_LOCK:
        if (id(bundle), map_name) not in _BROWSER:
            _BROWSER[(id(bundle), map_name)] = export_inverse(bundle, map_name)
        return _BROWSER[(id(bundle), map_name)]


def latent_map(bundles: dict[str, Bundle], value: str | None = None, **html_kwargs) -> gr.HTML:
    """A live latent map over `bundles`, showing `value` = map_value(key, map_name); return a new one to switch."""
    _serve_static()
    return gr.HTML(
        value=value or map_value(None), html_template=HTML_TEMPLATE,
        css_template=(STATIC / "latent_map.css").read_text(), js_on_load=JS_ON_LOAD, head=_script_tags(),
        server_functions=server_functions(bundles), apply_default_css=False, **html_kwargs)
