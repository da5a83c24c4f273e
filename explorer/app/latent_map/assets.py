"""Files the page loads for the live map (its JS modules, CSS, plotly.js, decoder weights), held in memory and
served under names that contain their content hash.

Nothing is read from or written to a shared folder at request time, so nothing another user of the machine
plants there can be served; a name that is not in the store is a 404. A content-named file never changes, so
browsers may keep it for good (Cache-Control: immutable).
"""
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


class AssetStore:
    """name -> (bytes, media type); names are "<folder hash>/<file>" or "<hash>-<file>", fixed once added."""

    def __init__(self):
        self._files: dict[str, tuple[bytes, str]] = {}
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
            self._files[name] = (data, media)
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

    def get(self, name: str) -> tuple[bytes, str] | None:
        return self._files.get(name)

    def route(self) -> Route:
        """The Starlette route that serves the store (app.py hands it to gradio's app)."""
        async def serve(request):
            found = self.get(request.path_params["name"])
            if found is None:
                return Response("Not found", status_code=404, media_type="text/plain")
            data, media = found
            etag = f'"{content_hash(data)}"'
            headers = {"Cache-Control": IMMUTABLE, "ETag": etag, "X-Content-Type-Options": "nosniff"}
            if request.headers.get("if-none-match") == etag:
                return Response(status_code=304, headers=headers)
            if not self.downloads.take(address_of(request), len(data)):
                return Response(TOO_MANY, status_code=429, media_type="text/plain", headers={"Retry-After": "60"})
            return Response(data, media_type=media, headers=headers)
        return Route(f"/{PREFIX}/{{name:path}}", serve, methods=["GET", "HEAD"])


ASSETS = AssetStore()    # one per process: the maps of every page share it
