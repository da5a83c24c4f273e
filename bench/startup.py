"""Start-up: from `python app.py` to the first page served, against a bare Gradio app, side by side.

    python bench/startup.py --repeats 5

Each repeat starts both apps in turn (order alternating) and polls GET / until it answers 200.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.app_process import free_port  # noqa: E402


def time_to_first_page(script: Path, timeout: float = 120.0) -> float:
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_ANALYTICS_ENABLED": "False"}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < timeout:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"{script.name} did not serve a page within {timeout} s")
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=5)
    a = p.parse_args()
    scripts = {"app.py": ROOT / "app.py", "bare": ROOT / "bench" / "bare_app.py"}
    times = {k: [] for k in scripts}
    time_to_first_page(scripts["app.py"])     # warm the file cache once; not counted
    for r in range(a.repeats):
        for name in (["app.py", "bare"] if r % 2 == 0 else ["bare", "app.py"]):
            times[name].append(time_to_first_page(scripts[name]))
        print({k: round(v[-1], 2) for k, v in times.items()}, flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    ratios = [x / y for x, y in zip(times["app.py"], times["bare"])]
    print(f"median to first page: app.py {med['app.py']:.2f} s, bare Gradio + torch {med['bare']:.2f} s; "
          f"ratio median {statistics.median(ratios):.2f} (per-repeat ratios {', '.join(f'{r:.2f}' for r in ratios)})")


if __name__ == "__main__":
    main()
