"""Cached output images are written whole and renamed in, never rewritten in place under a download."""
import os
import threading

import numpy as np
import pytest
from gradio import image_utils, processing_utils
from PIL import Image

from explorer.app import gradio_cache


@pytest.fixture
def installed(monkeypatch):
    monkeypatch.setattr(processing_utils, "save_pil_to_cache", processing_utils.save_pil_to_cache)  # undone after
    gradio_cache.install()


def image(seed: int = 0) -> Image.Image:
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (56, 56), dtype=np.uint8))


def test_same_path_and_bytes_as_gradio(tmp_path):
    ours = gradio_cache.save_pil_to_cache(image(), str(tmp_path / "a"), format="png")
    theirs = processing_utils.save_pil_to_cache(image(), str(tmp_path / "b"), format="png")
    assert os.path.relpath(ours, tmp_path / "a") == os.path.relpath(theirs, tmp_path / "b")
    assert open(ours, "rb").read() == open(theirs, "rb").read()
    assert not [p for p in os.listdir(os.path.dirname(ours)) if p.startswith(".")], "no temporary file left"


@pytest.mark.parametrize("value", ["pil", "array"])
def test_a_file_being_downloaded_is_never_rewritten_in_place(installed, tmp_path, value):
    """What gr.Image does with an output, twice with the same image: the second save must not touch the inode
    a download of the first may still be reading (gradio 6.31's own save truncates and rewrites it)."""
    out = image() if value == "pil" else np.asarray(image())
    first = image_utils.save_image(out, str(tmp_path), format="png")
    with open(first, "rb") as download:           # a download in flight, sent the length, not yet the bytes
        size = os.fstat(download.fileno()).st_size
        before = os.fstat(download.fileno())
        second = image_utils.save_image(out, str(tmp_path), format="png")
        assert second == first
        after = os.fstat(download.fileno())
        assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size), "rewritten in place"
        assert len(download.read()) == size
    assert open(second, "rb").read() == open(first, "rb").read()


def test_many_threads_saving_the_same_image_never_expose_a_partial_file(installed, tmp_path):
    path = processing_utils.save_pil_to_cache(image(1), str(tmp_path), format="png")
    full = open(path, "rb").read()
    stop, short_reads = threading.Event(), []

    def writer():
        while not stop.is_set():
            processing_utils.save_pil_to_cache(image(1), str(tmp_path), format="png")

    def reader():
        for _ in range(400):
            with open(path, "rb") as f:
                if f.read() != full:
                    short_reads.append(1)

    writers = [threading.Thread(target=writer) for _ in range(3)]
    [t.start() for t in writers]
    try:
        reader()
    finally:
        stop.set()
        [t.join() for t in writers]
    assert not short_reads
