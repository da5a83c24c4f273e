"""The only folders the app writes: one private folder per process (0700, made fresh), pruned on a schedule.

Gradio keeps uploads and output images under GRADIO_TEMP_DIR; by default that is a folder in the shared /tmp
whose names anyone on the machine can predict, so another user could plant a file (or a symlink to any file) there
for the app to serve. Pointing it at a fresh folder only this process can enter closes that. The app's own files
(the GIF and PNG downloads) go to a sibling folder in the same private root. Nothing in it is kept for long: the
pruner removes files and empty folders older than `max_age` every `period` seconds, so disk use is bounded by what
users make in one period. The latent map's own files never live here (they are served from memory, assets.py),
so pruning never breaks a page.
"""
import atexit
import os
import shutil
import signal
import stat
import tempfile
import threading
import time
import uuid
from pathlib import Path

PERIOD_S = float(os.environ.get("LATENT_EXPLORER_PRUNE_SECONDS", 300))
MAX_AGE_S = float(os.environ.get("LATENT_EXPLORER_KEEP_SECONDS", 900))


class PrivateStorage:
    """root/gradio (gradio's cache and uploads) and root/outputs (files the views write), under a fresh 0700 root."""

    def __init__(self, parent: str | None = None):
        self.root = Path(tempfile.mkdtemp(prefix="latent-explorer-", dir=parent))   # mkdtemp makes it 0700
        self.gradio = self.root / "gradio"
        self.outputs = self.root / "outputs"
        for folder in (self.gradio, self.outputs):
            folder.mkdir(mode=0o700)
        self._thread: threading.Thread | None = None

    def use_for_gradio(self) -> None:
        """Make gradio keep its uploads and cached outputs in root/gradio (read when gr.Blocks and the server are
        made, so call this before building the page)."""
        os.environ["GRADIO_TEMP_DIR"] = str(self.gradio)

    def new_output_folder(self) -> Path:
        """A fresh folder for the files of one result (a filmstrip and its GIF)."""
        folder = self.outputs / uuid.uuid4().hex
        folder.mkdir(mode=0o700)
        return folder

    def prune(self, max_age: float = MAX_AGE_S, now: float | None = None) -> int:
        """Remove files (and links) not written or used for `max_age` seconds (their newer of modification and
        access time), then the empty folders; links are removed, never followed. Returns how many entries went."""
        now = time.time() if now is None else now
        removed = 0
        emptied = set()    # folders this pass took files from: gone with them once empty, whatever their mtime
        keep = {str(self.gradio), str(self.outputs)}
        for folder, dirs, files in os.walk(self.root, topdown=False):
            for name in files:
                path = os.path.join(folder, name)
                try:
                    info = os.lstat(path)
                    # a link is never the app's own (it writes none): gone at once, whatever its age
                    if stat.S_ISLNK(info.st_mode) or now - max(info.st_mtime, info.st_atime) > max_age:
                        os.unlink(path)
                        removed += 1
                        emptied.add(folder)
                except FileNotFoundError:
                    pass
            for name in dirs:
                path = os.path.join(folder, name)
                try:
                    info = os.lstat(path)
                    if stat.S_ISLNK(info.st_mode):
                        os.unlink(path)
                        removed += 1
                        continue
                    if path in keep:
                        continue
                    if (path in emptied or now - info.st_mtime > max_age) and not os.listdir(path):
                        os.rmdir(path)
                        removed += 1
                except (FileNotFoundError, OSError):
                    pass
        return removed

    def start_pruning(self, period: float = PERIOD_S, max_age: float = MAX_AGE_S) -> None:
        """Prune every `period` seconds in a daemon thread (once per process)."""
        if self._thread is not None:
            return

        def loop():
            while True:
                time.sleep(period)
                self.prune(max_age)

        self._thread = threading.Thread(target=loop, name="prune-private-storage", daemon=True)
        self._thread.start()

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def remove_at_exit(self) -> None:
        """Remove the folder when the process ends, on SIGTERM too: its default action skips atexit, so it is
        turned into the Ctrl-C that gradio's launch() already answers by closing the server."""
        atexit.register(self.remove)

        def interrupt(*_):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, interrupt)

    def size(self) -> int:
        """Bytes of regular files under the root."""
        total = 0
        for folder, _, files in os.walk(self.root):
            for name in files:
                try:
                    info = os.lstat(os.path.join(folder, name))
                except FileNotFoundError:
                    continue
                total += info.st_size if stat.S_ISREG(info.st_mode) else 0
        return total
