"""The app's private folders: made fresh and 0700, pruned by age without following links; content-named files
trust nothing already in their place."""
import os
import stat
import time

from explorer.app.storage import PrivateStorage
from explorer.write_once import write_once


def test_the_root_is_fresh_and_private(tmp_path):
    a, b = PrivateStorage(str(tmp_path)), PrivateStorage(str(tmp_path))
    assert a.root != b.root
    for folder in (a.root, a.gradio, a.outputs):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    a.use_for_gradio()
    assert os.environ["GRADIO_TEMP_DIR"] == str(a.gradio)


def test_pruning_removes_old_files_and_links_but_never_what_they_point_to(tmp_path):
    s = PrivateStorage(str(tmp_path))
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    old, new = s.new_output_folder(), s.new_output_folder()
    (old / "film.png").write_bytes(b"x" * 1000)
    (new / "film.png").write_bytes(b"y" * 1000)
    (s.gradio / "link.webp").symlink_to(outside)
    (s.gradio / "dirlink").symlink_to(tmp_path)
    past = time.time() - 3600
    for p in (old / "film.png", old):
        os.utime(p, (past, past))
    os.utime(new / "film.png", (time.time(), past))     # written long ago, but used just now: kept
    os.utime(s.gradio / "link.webp", (past, past), follow_symlinks=False)
    removed = s.prune(max_age=600)
    assert not (old / "film.png").exists() and not old.exists()
    assert (new / "film.png").exists() and s.size() == 1000
    assert not (s.gradio / "link.webp").is_symlink() and not (s.gradio / "dirlink").is_symlink()
    assert outside.read_text() == "keep me" and removed == 4
    assert s.gradio.is_dir() and s.outputs.is_dir(), "the folders gradio and the views write into stay"


def test_write_once_replaces_a_planted_link_and_leaves_its_target_alone(tmp_path):
    target = tmp_path / "passwd"
    target.write_text("root:x:0:0")
    planted = tmp_path / "cache" / "abc" / "image.webp"
    planted.parent.mkdir(parents=True)
    planted.symlink_to(target)
    write_once(planted, b"the real image")
    assert not planted.is_symlink() and planted.read_bytes() == b"the real image"
    assert target.read_text() == "root:x:0:0"
    planted.write_bytes(b"tampered")            # same name, other bytes: rewritten too
    write_once(planted, b"the real image")
    assert planted.read_bytes() == b"the real image"
    fifo = tmp_path / "cache" / "fifo.webp"
    os.mkfifo(fifo)                              # never opened for a blocking read
    write_once(fifo, b"data")
    assert fifo.read_bytes() == b"data"


def test_a_file_used_again_is_young_again(tmp_path):
    """A content-named output handed out again must not be pruned from under its new download."""
    path = write_once(tmp_path / "abc" / "image.png", b"png bytes")
    past = time.time() - 3600
    os.utime(path, (past, past))
    write_once(path, b"png bytes")
    info = path.stat()
    assert time.time() - info.st_atime < 60 and info.st_mtime == past, "used now, and not written again"
