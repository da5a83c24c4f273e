"""The live latent map component: a gr.HTML that plotly.js draws in the browser, decoding through server functions.

Place one per map; its value is a small JSON selection (`map_value(key, map_name)`) that a Python handler can
return to switch the bundle or the map. Server functions bypass gradio's queue, which is what makes a drag
live, so they validate every request themselves, cap concurrent decodes, and answer errors as
{"error": sentence} instead of raising. They read shared, read-only bundles and keep no per-user state.
"""
import functools
import json
import logging
import threading
from pathlib import Path

import gradio as gr
import plotly
import torch

from explorer.app.latent_map.assets import ASSETS
from explorer.app.latent_map.browser_export import UnsupportedDecoder, export_decoder, export_inverse
from explorer.app.latent_map.joined_script import join_modules, load_once_js
from explorer.app.latent_map.payload import (PointError, decode_point, history_frames, map_payload, neighbours,
                                             thumbnail)
from explorer.app.rate_limit import Buckets, address_of
from explorer.bundle import Bundle
from explorer.checks import finite_number, read_latent
from explorer.errors import UserError

STATIC = Path(__file__).resolve().parent / "static"
# Served from the installed package (plotly 7.1.0 ships plotly.js 4.1.1): no copy in the repository, no CDN.
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
# Two cores: more simultaneous decodes only queue inside torch, and a flood must not starve the app.
DECODE_SLOTS = threading.BoundedSemaphore(2)
DECODE_WAIT_S = 2.0
# Server functions run on gradio's shared pool of 40 threads, the same pool as queued events: a decode that waits
# for a slot holds one. Beyond this many decodes admitted (running or waiting) the answer is "busy" at once,
# so a flood cannot hold the pool and stall everyone else's events.
DECODE_ADMITTED = threading.BoundedSemaphore(24)
BUSY = "The server is busy decoding; try again in a moment."
# A page asks for a map's files once per map it shows; a script asking in a loop is slowed down to this.
MAP_REQUESTS = {"session": (30, 0.5), "address": (300, 5.0)}     # (burst, per second)
TOO_OFTEN = "Too many map requests from this page; wait a few seconds and try again."
log = logging.getLogger(__name__)

HTML_TEMPLATE = (STATIC / "latent_map.html").read_text()

# 'cursor_release' must appear quoted here: gradio then offers it as an event, html.cursor_release(fn, ...).
# The modules come joined in one script (one request, no chain of imports; the page's head preloads it). plotly.js
# (1.5 MB compressed) is not in the head: the map loads it once the first decode is on screen and the decoder for
# the browser has arrived, so a slow link shows an image first and decodes in the browser sooner.
MOUNT_JS = (".then((m) => m.mount(element, props, server, watch, (data) => trigger('cursor_release', data),"
            " { plotly: new URL(%s, document.baseURI).href }));")


def map_value(key: str | None, map_name: str | None = None, url: str | None = None, note: str | None = None,
              **layers) -> str:
    """The component value that shows bundle `key` on `map_name` (None: its first map; key None: nothing, and
    `note` says why); `url`, where its points are (payload_url), saves the browser asking lm_payload for it.

    Layers over the dots, each replaced when given (None clears it) and kept when not: `overlay`, an input
    image's place (explorer.reconstruction.map_overlay), to which the cursor jumps, decoding its exact code; and
    `marks`, a list of latents other views made (explorer.marks.marks), which a click on the map goes to; and
    `cursor`, [x, y], where the cursor goes when the value arrives (the lesson's steps)."""
    unknown = set(layers) - {"overlay", "marks", "cursor"}
    if unknown:
        raise TypeError(f"map_value takes the layers overlay, marks and cursor, not {sorted(unknown)}")
    return json.dumps({"bundle": key, "map": map_name, **({"url": url} if url else {}),
                       **({"note": note} if note else {}), **layers})


@functools.cache
def published() -> dict[str, str]:
    """Put the map's modules, stylesheet and plotly.js in the asset store (once per process); their URLs."""
    modules = {p.name: p.read_bytes() for p in sorted(STATIC.iterdir()) if p.suffix in (".js", ".css")}
    joined = join_modules([STATIC], "latent_map.js", "LatentMapModule").encode()
    return {"modules": ASSETS.add_folder(modules), "script": ASSETS.add_file("latent_map.js", joined),
            "plotly": ASSETS.add_file("plotly.min.js", PLOTLY_JS.read_bytes())}


def payload_url(bundle: Bundle, key: str, name: str) -> str:
    """The URL of the map's points (payload.map_payload) as a content-named file, made once per bundle and map;
    a map with a replay names the file of its frames (payload.history_frames, raw float16) in history.url."""
    def make():
        payload = map_payload(bundle, key, name)
        if payload["history"]:
            payload["history"]["url"] = bundle.memo(("map-frames", key, name), lambda: ASSETS.add_file(
                "history.f16", history_frames(bundle, name).astype("<f2").tobytes()))
        return ASSETS.add_json("map.json", payload)
    return bundle.memo(("map-payload", key, name), make)


def preload_head(bundles: dict[str, Bundle], shown: list[tuple[str, str]]) -> str:
    """<link rel=preload> tags for the page's head: the map's script and the points of the maps shown first
    (bundle key, map name), so that a browser fetches them with gradio's own files instead of after them."""
    urls = [published()["script"]]
    links = [f'<link rel="preload" as="script" href="{urls[0]}">']
    for key, name in shown:
        if key in bundles and name in bundles[key].maps:
            url = payload_url(bundles[key], key, name)
            links.append(f'<link rel="preload" as="fetch" crossorigin="anonymous" href="{url}">')
    return "\n".join(links)


def _selection(request, bundles: dict[str, Bundle]) -> tuple[Bundle, str, str]:
    if not isinstance(request, dict):
        raise PointError("The request must be an object with bundle and map.")
    bundle, key = _bundle(request, bundles)
    name = request.get("map")
    name = bundle.map_names[0] if name is None else name
    if not isinstance(name, str) or name not in bundle.maps:
        raise PointError(f"The bundle {key} has no map {str(name)[:40]!r}; choose one of "
                         f"{', '.join(bundle.map_names)}.")
    return bundle, key, name


def _bundle(request, bundles: dict[str, Bundle]) -> tuple[Bundle, str]:
    key = request.get("bundle") if isinstance(request, dict) else None
    if not isinstance(key, str) or key not in bundles:
        raise PointError(f"Unknown bundle {str(key)[:80]!r}; reload the page.")
    return bundles[key], key


def _answer(fn, request) -> dict:
    """Run fn(request); a UserError becomes its sentence, anything else a short note (logged with traceback)."""
    try:
        return fn(request)
    except UserError as err:
        return {"error": str(err)}
    except Exception:
        log.exception("latent map server function failed")
        return {"error": "The server could not handle this request; see its log."}


def _admitted(fn):
    """Run fn() holding one of the decode slots; PointError(BUSY) when the server is saturated."""
    if not DECODE_ADMITTED.acquire(blocking=False):
        raise PointError(BUSY)
    try:
        if not DECODE_SLOTS.acquire(timeout=DECODE_WAIT_S):
            raise PointError(BUSY)
        try:
            # gradio runs this in a worker thread, where OpenMP ignores the entry point's
            # torch.set_num_threads: re-apply it here, else a 1 ms decode takes 75 ms on a busy CPU.
            torch.set_num_threads(torch.get_num_threads())
            return fn()
        finally:
            DECODE_SLOTS.release()
    finally:
        DECODE_ADMITTED.release()


def server_functions(bundles: dict[str, Bundle]) -> list:
    """The server functions of a map over `bundles`; each takes ONE argument, a dict from the browser (gradio adds
    the gr.Request of the ones that ask for it)."""
    limits = {kind: Buckets(*rate) for kind, rate in MAP_REQUESTS.items()}

    def within_limits(http: gr.Request | None) -> None:
        session = getattr(http, "session_hash", None) or "?"
        if not (limits["session"].take(session) and limits["address"].take(address_of(http))):
            raise PointError(TOO_OFTEN)

    def lm_payload(request, http: gr.Request = None) -> dict:
        """Where the map's points are: {"url"} of a content-named JSON file (payload.map_payload), which browsers
        keep for good."""
        def build(req):
            bundle, key, name = _selection(req, bundles)
            within_limits(http)
            return {"bundle": key, "map": name, "url": payload_url(bundle, key, name)}
        return _answer(build, request)

    def lm_decode(request) -> dict:
        """The decode at map point {x, y}: of the map's inverse there, or of the exact latent {z} when given."""
        def run(req):
            bundle, key, name = _selection(req, bundles)
            x, y = finite_number(req.get("x"), "x"), finite_number(req.get("y"), "y")
            z = None if req.get("z") is None else read_latent(req["z"], bundle.latent_dim)
            return _admitted(lambda: decode_point(bundle, key, name, x, y, z))
        return _answer(run, request)

    def lm_neighbours(request) -> dict:
        """The test images nearest to the latent {z}."""
        def run(req):
            bundle, key = _bundle(req, bundles)
            return neighbours(bundle, key, read_latent(req.get("z"), bundle.latent_dim))
        return _answer(run, request)

    def lm_thumb(request) -> dict:
        def run(req):
            bundle, _ = _bundle(req, bundles)
            index, n = req.get("index"), len(bundle.codes)
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
                raise PointError(f"index must be an integer from 0 to {n - 1}.")
            return thumbnail(bundle, index)
        return _answer(run, request)

    def lm_model(request, http: gr.Request = None) -> dict:
        """Where the map's inverse and the decoder's weights are (content-named files), so the browser can decode
        by itself; "decoder" is None (and "note" says why) for a decoder the browser cannot run."""
        def build(req):
            bundle, key, name = _selection(req, bundles)
            within_limits(http)
            decoder = browser_decoder(bundle)
            inverse = bundle.memo(("browser-inverse", name),
                                  lambda: ASSETS.add_json("inverse.json", export_inverse(bundle, name)))
            return {"bundle": key, "map": name, "inverse": inverse,
                    "decoder": None if "unsupported" in decoder else decoder, "note": decoder.get("unsupported")}
        return _answer(build, request)

    return [lm_payload, lm_decode, lm_neighbours, lm_thumb, lm_model]


def browser_decoder(bundle: Bundle) -> dict:
    """{"ops", "latent_dim", "dtype", "parity", "url" of the weights, "bytes"} or {"unsupported": why}; the
    weights are put in the asset store on first use."""
    def make():
        try:
            info, weights = export_decoder(bundle)
        except UnsupportedDecoder as err:
            log.info("decoding %s on the server: %s", bundle.path.name, err)
            return {"unsupported": f"{err}; the server decodes this model"}
        return {**info, "url": ASSETS.add_file("decoder.bin", weights), "bytes": len(weights)}
    return bundle.memo("browser-decoder", make)


def forget(bundle: Bundle) -> None:
    """Remove the files this component put in the asset store for `bundle` (its maps' points and replay frames,
    inverses, decoder weights): for a bundle dropped while the app runs (the Train view's), whose files would
    otherwise stay in memory for good."""
    for key, value in list(bundle._memo.items()):
        if isinstance(key, tuple) and key[0] in ("map-payload", "map-frames", "browser-inverse"):   # asset URLs
            ASSETS.remove(value)
        elif key == "browser-decoder" and "url" in value:
            ASSETS.remove(value["url"])


def latent_map(bundles: dict[str, Bundle], value: str | None = None, **html_kwargs) -> gr.HTML:
    """A live latent map over `bundles`, showing `value` = map_value(key, map_name); return a new one to switch."""
    urls = published()
    return gr.HTML(
        value=value or map_value(None), html_template=HTML_TEMPLATE,
        css_template=(STATIC / "latent_map.css").read_text(), js_on_load=load_once_js(urls["script"], "LatentMapModule") + MOUNT_JS % json.dumps(urls["plotly"]),
        server_functions=server_functions(bundles), apply_default_css=False, **html_kwargs)


def routes() -> list:
    """The routes the page needs beside gradio's own (app.py passes them to launch)."""
    return [ASSETS.route()]
