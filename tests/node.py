"""Run the latent map's ES modules (explorer/app/latent_map/static) in node, for tests that compare them with
Python; node's own tests of the modules are in tests/js/."""
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[1] / "explorer" / "app" / "latent_map" / "static"


def need_node() -> str:
    """The node executable; skip without it, except in CI, where its absence is a failure (.ci/run installs it)."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is missing: .ci/run should have installed nodejs")
        pytest.skip("node is not installed")
    return node


def run_node(body: str, data=None, modules: dict[str, str] | None = None, timeout: float = 120):
    """Run `body` as an ES module with `data` (JSON) and each module of `modules` (name -> file in static/)
    imported as that name; the script prints one JSON value, which is returned."""
    node = need_node()
    imports = "".join(f"import * as {name} from {json.dumps((STATIC / file).as_uri())};\n"
                      for name, file in (modules or {}).items())
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "data.json").write_text(json.dumps(data))
        script = (f"{imports}import {{ readFileSync }} from 'node:fs';\n"
                  f"const data = JSON.parse(readFileSync({json.dumps(str(Path(tmp) / 'data.json'))}, 'utf8'));\n"
                  f"{body}\n")
        (Path(tmp) / "main.mjs").write_text(script)
        out = subprocess.run([node, str(Path(tmp) / "main.mjs")], capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)
