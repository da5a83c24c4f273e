"""The shipped 2-D maps replay how they formed: an epoch slider and a play button under each map move its dots
through the codes after every training epoch (the bundle's code history) and come back to the final map."""
import numpy as np
import pytest

from app_server import need_chromium, open_page
from conftest import ROOT
from explorer.bundle import load_bundle

pytestmark = pytest.mark.browser

need_chromium()

# The first dot of the first class trace: its test-set index and where it is drawn; the replay's state.
DOT_JS = """(sel) => { const root = document.querySelector(sel + ' .lm'); const m = root.latentMap;
  const gd = root.querySelector('.lm-plot'); const c = m.state.traceIdx.findIndex((t) => t);
  return { index: m.state.traceIdx[c][0], x: gd.data[c].x[0], y: gd.data[c].y[0], epoch: m.replay.epoch(),
    playing: m.replay.playing(), shown: !root.querySelector('.lm-replay').hidden,
    slider: Number(root.querySelector('.lm-epoch').value), text: root.querySelector('.lm-epoch-text').textContent }; }"""


@pytest.mark.parametrize("sel, kind", [("#map-vae", "vae"), ("#map-ae", "ae")])
def test_play_animates_the_shipped_map_through_its_epochs_and_ends_on_the_final_map(app_url, browser, shots, sel,
                                                                                   kind):
    bundle = load_bundle(ROOT / "checkpoints" / "fashion-mnist-mlp-z2" / kind)
    epochs = len(bundle.code_history)
    page, errors = open_page(browser, app_url)
    start = page.evaluate(DOT_JS, sel)
    assert start["shown"] and start["slider"] == epochs and start["text"].startswith(f"epoch {epochs} of {epochs}")
    page.locator(f"{sel} .lm-play").click()
    seen, shot = [], kind != "vae"
    for _ in range(100):
        now = page.evaluate(DOT_JS, sel)
        seen.append((now["epoch"], now["x"], now["y"]))
        if not shot and 4 <= now["epoch"] <= epochs // 2:   # the README's picture: a map still forming
            page.locator(sel).screenshot(path=str(shots / "replay.png"))
            shot = True
        if len(seen) > 3 and not now["playing"]:
            break
        page.wait_for_timeout(100)
    epochs_seen = [e for e, _, _ in seen]
    assert len(set(epochs_seen)) >= 5 and min(epochs_seen) < epochs / 2, epochs_seen
    assert len({(x, y) for _, x, y in seen}) >= 5, "the dot did not move while the replay played"
    page.wait_for_function(f"() => !document.querySelector('{sel} .lm').latentMap.replay.playing()", timeout=30_000)
    end = page.evaluate(DOT_JS, sel)
    assert end["epoch"] == epochs and (end["x"], end["y"]) == (start["x"], start["y"])   # the final map, exactly
    # the slider shows one epoch: the first epoch's codes, as the bundle holds them
    page.locator(f"{sel} .lm-epoch").fill("1")
    page.wait_for_function(f"() => document.querySelector('{sel} .lm').latentMap.replay.epoch() === 1")
    first = page.evaluate(DOT_JS, sel)
    np.testing.assert_allclose([first["x"], first["y"]], bundle.code_history[0, first["index"]].astype(np.float32),
                               rtol=1e-3, atol=1e-3)
    assert first["text"] == f"epoch 1 of {epochs}"
    page.close()
    assert not errors, errors
