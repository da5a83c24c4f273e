import os
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from explorer.data import find_idx_dir  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() == "true"
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")


def need_fashion_mnist() -> None:
    """Skip without Fashion-MNIST, except in CI, where its absence is a failure (CI installs it)."""
    if find_idx_dir(FASHION_DIR, "fashion-mnist") is None:
        message = "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.fixture(scope="session")
def tiny_bundles(tmp_path_factory) -> Path:
    """A digits VAE + AE pair trained for a few steps by the real script."""
    import train_small

    out = tmp_path_factory.mktemp("bundles") / "digits-tiny"
    code = train_small.main(["--dataset", "digits", "--epochs", "2", "--max-steps", "15",
                             "--iwae-k", "8", "--out", str(out)])
    assert code == 0
    return out


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    """Where browser tests save screenshots: pytest's temporary folder, so a test run leaves the repository as it
    was; docs/ (the README's pictures) only when asked, with LATENT_EXPLORER_SCREENSHOTS=docs."""
    if os.environ.get("LATENT_EXPLORER_SCREENSHOTS") == "docs":
        return ROOT / "docs"
    return tmp_path_factory.mktemp("screenshots")


# A browser test module's own app on the shipped checkpoints, and one headless Chromium for its pages.
@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    from app_server import running_app

    with running_app(ROOT / "checkpoints", tmp_path_factory.mktemp("app") / "app.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from app_server import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
