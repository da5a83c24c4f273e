"""The page itself, compressed: gradio compresses files by their extension (.js, .css, .json...), which leaves the
page's HTML at "/" (about 300 KB, most of it the app's configuration) uncompressed. This gzips it, and nothing else."""
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware


class PageGzip:
    """ASGI middleware: GET requests for a page path ("/" or a path ending in "/") go through Starlette's gzip."""

    def __init__(self, app):
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=1024)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope.get("method") == "GET" and scope.get("path", "").endswith("/"):
            return await self.gzip(scope, receive, send)
        return await self.app(scope, receive, send)


def page_gzip() -> Middleware:
    return Middleware(PageGzip)
