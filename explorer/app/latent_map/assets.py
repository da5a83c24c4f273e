"""Files the page loads for the live map (its JS modules, CSS, plotly.js, decoder weights), held in memory and
served under names that contain their content hash.

Nothing is read from or written to a shared folder at request time, so nothing another user of the machine
plants there can be served; a name that is not in the store is a 404. A content-named file never changes, so
browsers may keep it for good (Cache-Control: immutable). Files that gzip well are compressed once, when added,
and sent compressed to browsers that accept it.
"""
import gzip
import hashlib
import json
import mimetypes
import threading

from starlette.responses import Response
from starlette.routing import Route

from explorer.app.rate_limit import Buckets, address_of

PREFIX = "lx-assets"     # URLs are relative ("lx-assets/..."): they work under any path the app is mounted at
IMMUTABLE = "public, max-age=31536000, immutable"
# Bytes one address may download: a classroom behind one address loads ~12 MB per page, 30 pages at once fit
# in the burst; a script pulling the same files in a loop gets at most ~0.5 GB a minute.
DOWNLOAD_BURST = 512 * 2**20
DOWNLOAD_RATE = 8 * 2**20
TOO_MANY = "Too many downloads from this address; please try again in a minute."
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".json": "application/json",
         ".bin": "application/octet-stream"}


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


# Kept compressed when gzip saves at least this fraction (JSON and JS: 60-80 %; float weights: a few %).
MIN_SAVING = 0.1


def compressed(data: bytes) -> bytes | None:
    """`data` gzipped (deterministic: no timestamp), or None when that saves too little to be worth it."""
    packed = gzip.compress(data, compresslevel=9, mtime=0)
    return packed if len(packed) <= (1 - MIN_SAVING) * len(data) else None


class AssetStore:
    """name -> (bytes, media type); names are "<folder hash>/<file>" or "<hash>-<file>", fixed once added."""

    def __init__(self):
        self._files: dict[str, tuple[bytes, str]] = {}
        self._gzipped: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self.downloads = Buckets(DOWNLOAD_BURST, DOWNLOAD_RATE)

    def add(self, name: str, data: bytes) -> str:
        """Store `data` as `name` (a content-named path); returns its URL."""
        suffix = name[name.rfind("."):] if "." in name else ""
        media = TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
        with self._lock:
            known = self._files.get(name)
            if known is not None and known[0] != data:
                raise ValueError(f"asset {name} already holds other bytes")
            if known is not None:
                return f"{PREFIX}/{name}"
        packed = compressed(data)
        with self._lock:
            self._files[name] = (data, media)
            if packed is not None:
                self._gzipped[name] = packed
        return f"{PREFIX}/{name}"

    def add_file(self, filename: str, data: bytes) -> str:
        """Store one file under "<hash>-<filename>"; returns its URL."""
        return self.add(f"{content_hash(data)}-{filename}", data)

    def add_json(self, filename: str, value) -> str:
        """Store a JSON value as one content-named file; returns its URL."""
        return self.add_file(filename, json.dumps(value, separators=(",", ":")).encode())

    def add_folder(self, files: dict[str, bytes]) -> str:
        """Store files that refer to each other by relative name (ES modules) under one folder named by the hash
        of them all; returns the folder's URL."""
        digest = hashlib.sha256()
        for name in sorted(files):
            digest.update(name.encode() + b"\0" + files[name] + b"\0")
        folder = digest.hexdigest()[:16]
        for name, data in files.items():
            self.add(f"{folder}/{name}", data)
        return f"{PREFIX}/{folder}"

    def remove(self, url: str) -> None:
        """Forget the file at `url` (a bundle's files, once the bundle is no longer served)."""
        name = url.removeprefix(f"{PREFIX}/")
        with self._lock:
            self._files.pop(name, None)
            self._gzipped.pop(name, None)

    def get(self, name: str) -> tuple[bytes, str] | None:
        return self._files.get(name)

    def get_gzipped(self, name: str) -> bytes | None:
        """The gzipped bytes of `name`, if it is kept compressed."""
        return self._gzipped.get(name)

    def route(self) -> Route:
        """The Starlette route that serves the store (app.py hands it to gradio's app)."""
        async def serve(request):
            found = self.get(request.path_params["name"])
            if found is None:
                return Response("Not found", status_code=404, media_type="text/plain")
            data, media = found
            etag = f'"{content_hash(data)}"'
            headers = {"Cache-Control": IMMUTABLE, "ETag": etag, "X-Content-Type-Options": "nosniff",
                       "Vary": "Accept-Encoding"}
            if request.headers.get("if-none-match") == etag:
                return Response(status_code=304, headers=headers)
            packed = self.get_gzipped(request.path_params["name"])
            if packed is not None and "gzip" in request.headers.get("accept-encoding", "").lower():
                data, headers["Content-Encoding"] = packed, "gzip"
            if not self.downloads.take(address_of(request), len(data)):
                return Response(TOO_MANY, status_code=429, media_type="text/plain", headers={"Retry-After": "60"})
            return Response(data, media_type=media, headers=headers)
        return Route(f"/{PREFIX}/{{name:path}}", serve, methods=["GET", "HEAD"])


ASSETS = AssetStore()    # one per process: the maps of every page share it
