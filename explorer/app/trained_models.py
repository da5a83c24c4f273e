"""The models people train in the Train view, served while the app runs: each one a pair of its own in the registry
(its name unguessable, listed only in the picker of the session that trained it) and a zip to download. None is
ever written into the checkpoints folder: its files live in the app's private storage, pruned like any download
(storage.py), and the server keeps at most MAX_KEPT of them in memory, the oldest going first.
"""
import secrets
import threading
from collections import deque
from pathlib import Path

from explorer.app.latent_map.component import forget
from explorer.bundle import load_bundle
from explorer.live_bundle import zip_bundle
from explorer.registry import Registry

MAX_KEPT = 8    # trained models served at once on the whole server (a small MLP bundle: ~3 MB in memory)


class TrainedModels:
    def __init__(self, registry: Registry, storage):
        self.registry, self.storage = registry, storage
        self._order: deque[str] = deque()
        self._lock = threading.Lock()

    def new_folder(self, dataset: str) -> tuple[str, Path]:
        """A fresh pair name ("digits-live-3fa2c1") and the folder its bundles are to be written to (one
        subfolder per model: vae/, ae/)."""
        pair = f"{dataset}-live-{secrets.token_hex(3)}"
        return pair, self.storage.new_output_folder() / pair

    def keep(self, pair: str, folders: list[Path]) -> Path:
        """Load the bundles written to `folders` (checked like any bundle), serve them as `pair`, and zip the
        pair's folder for download; the zip's path. The oldest trained pair is dropped beyond MAX_KEPT."""
        bundles = [load_bundle(folder) for folder in folders]
        pair_folder = folders[0].parent
        archive = zip_bundle(pair_folder, pair_folder.parent / f"{pair}.zip")
        with self._lock:
            self.registry.add(pair, bundles)
            self._order.append(pair)
            while len(self._order) > MAX_KEPT:
                for old in self.registry.drop(self._order.popleft()):
                    forget(old)   # its map files in the page's asset store
        return archive

    def choices(self, mine: list[str]) -> list[tuple[str, str]]:
        """The picker's choices for a session: the shipped pairs, then the session's trained ones still served."""
        served = self.registry.pairs
        return [(self.registry.label(p), p) for p in self.registry.shipped + [p for p in mine if p in served]]
