"""node's own tests of the latent map's browser modules (tests/js/*.test.mjs): the decode source against a fake
server, the pointer controller against a fake plot. Each test file is one pytest case, so a failure names it."""
import subprocess
from pathlib import Path

import pytest

from node import need_node

JS_TESTS = sorted((Path(__file__).resolve().parent / "js").glob("*.test.mjs"))


@pytest.mark.parametrize("path", JS_TESTS, ids=[p.name for p in JS_TESTS])
def test_js_module(path):
    out = subprocess.run([need_node(), "--test", str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]

