"""Start app.py in its own process group on a free port, for the tests and the benchmarks (bench/ imports it)."""
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app_process(checkpoints: Path, log=subprocess.DEVNULL, timeout: float = 180.0, argv=("app.py",)):
    """app.py on `checkpoints`; yields (url, pid) once it serves a page; the process group is always killed.

    Raises RuntimeError if it exits or does not serve within `timeout`; `log` receives its output. `argv` is what
    follows the interpreter: a benchmark may start the app through a wrapper (`-c "..."`) to switch something off.
    """
    port = free_port()
    env = {**os.environ, "LATENT_EXPLORER_CHECKPOINTS": str(checkpoints), "GRADIO_SERVER_PORT": str(port),
           "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen([sys.executable, *argv], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("app.py did not start") from None
                time.sleep(0.3)
        yield url, proc.pid
    finally:
        with contextlib.suppress(ProcessLookupError):   # it may have died on its own
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
