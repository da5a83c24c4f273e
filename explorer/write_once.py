"""Files named by their content, written once and whole, for folders that several requests or processes share."""
import os
import tempfile
from pathlib import Path


def write_once(path: Path, data: bytes) -> Path:
    """Write `data` to `path` unless it is already there; `path` must be named by a hash of `data`.

    The bytes go to a temporary name in the same folder and are renamed in, so a reader (a download in flight,
    another process) sees either no file or the whole file, never one half written or rewritten under it.
    """
    path = Path(path)
    if path.exists():    # same name, same bytes
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)    # as a plain write would make it (mkstemp makes 0600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
