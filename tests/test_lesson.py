"""The guided lesson's steps (explorer/lesson.py) on the shipped bundles: every step shows a shipped pair, and its
cursors stand where it says: on a real image of the class, in a hole among the data."""
import numpy as np
import pytest

from explorer.app.lesson import parse_step, step_text
from explorer.lesson import LESSON, class_point, cursor_point, hole_point
from explorer.registry import load_registry
from app_process import ROOT


@pytest.fixture(scope="module")
def registry():
    return load_registry(ROOT / "checkpoints")


def test_every_step_shows_a_shipped_pair_on_a_map_it_has_and_a_known_tab(registry):
    assert 6 <= len(LESSON) <= 8
    for s in LESSON:
        assert s.pair in registry.pairs, s.pair
        assert s.map is None or s.map in registry.shared_maps(s.pair)
        assert s.tab in ("reconstruct", "generate", "compare")
        assert s.question.endswith("?") and len(s.text.split(". ")) <= 4


def test_a_class_cursor_stands_on_a_dot_of_that_class(registry):
    for s in LESSON:
        if s.cursor[0] != "class":
            continue
        for key in registry.pairs[s.pair].values():
            b = registry.bundles[key]
            name = s.map or b.map_names[0]
            x, y = cursor_point(s, b, name)
            i = int(np.argmin(((b.maps[name].xy - [x, y]) ** 2).sum(1)))
            assert np.allclose(b.maps[name].xy[i], [x, y]) and b.latents["labels"][i] == s.cursor[1]


def test_the_hole_is_far_from_every_dot_yet_among_them(registry):
    step = next(s for s in LESSON if s.cursor == ("hole",))
    ae = registry.bundles[registry.pairs[step.pair]["ae"]]
    m = ae.maps["latent"]
    point = np.array(cursor_point(step, ae, "latent"))
    nearest = np.sqrt(((m.xy - point) ** 2).sum(1)).min()
    assert nearest > m.far_limit, "a hole is farther from every dot than the map's far limit"
    lo, hi = np.percentile(m.xy, 5, axis=0), np.percentile(m.xy, 95, axis=0)
    assert np.all(point > lo) and np.all(point < hi), "among the data, not the empty space around it"


def test_hole_point_is_none_without_a_far_region_and_class_point_falls_back(registry):
    b = registry.bundles[registry.pairs[LESSON[0].pair]["vae"]]
    m = b.maps["latent"]
    from dataclasses import replace
    assert hole_point(replace(m, far=None)) is None
    assert hole_point(replace(m, far_limit=float(m.far.max()) + 1)) is None
    assert class_point(m, np.asarray(b.latents["labels"]), 99) in m.xy.tolist()   # no such class: some real dot


def test_lesson_url_numbers_and_step_text():
    assert parse_step("1") == 0 and parse_step(f"{len(LESSON)}") == len(LESSON) - 1
    for bad in (None, "", "0", "x", "2.5", str(len(LESSON) + 1), "-1"):
        assert parse_step(bad) is None, bad
    text = step_text(2)
    assert f"step 3 of {len(LESSON)}" in text and LESSON[2].question in text
