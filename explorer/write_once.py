"""Files named by their content, written once and whole, for folders that several requests share."""
import os
import stat
import tempfile
import time
from pathlib import Path


def write_once(path: Path, data: bytes) -> Path:
    """Write `data` to `path` unless the same bytes are already there; `path` must be named by a hash of `data`.

    The bytes go to a temporary name in the same folder and are renamed in, so a reader (a download in flight)
    sees either no file or the whole file, never one half written or rewritten under it. Nothing already at
    `path` is trusted: only a regular file (not a link) holding exactly `data` is kept (and its time refreshed);
    anything else is replaced.
    """
    path = Path(path)
    if _holds(path, data):
        # Used again now: pruning (explorer/app/storage.py) counts a file's age from its last use, its access
        # time; the modification time stays, as nothing was written.
        os.utime(path, ns=(time.time_ns(), path.stat().st_mtime_ns))
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)    # as a plain write would make it (mkstemp makes 0600)
        os.replace(tmp, path)   # replaces a link itself, never the file it points to
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _holds(path: Path, data: bytes) -> bool:
    """Whether `path` is a regular file (not followed through a link) whose bytes are `data`."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:        # missing, a link (ELOOP), or unreadable
        return False
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        return stat.S_ISREG(info.st_mode) and info.st_size == len(data) and f.read(len(data) + 1) == data
