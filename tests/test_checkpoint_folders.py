"""Where the app's bundles come from: --checkpoints with one or more folders, else the environment variable, else
the default; several folders served together, a pair name from an earlier folder winning, said in one sentence."""
import os
import shutil
from pathlib import Path

from explorer.app.settings import ENV, checkpoint_folders
from explorer.registry import load_registry
from map_fixtures import write_test_bundle

DEFAULT = Path("checkpoints")


def test_the_command_line_wins_over_the_environment_and_the_default():
    env = {ENV: os.pathsep.join(["/e1", "/e2"])}
    assert checkpoint_folders(["--checkpoints", "a", "b", "--other"], env, DEFAULT) == [Path("a"), Path("b")]
    assert checkpoint_folders(["--other"], env, DEFAULT) == [Path("/e1"), Path("/e2")]
    assert checkpoint_folders([], {}, DEFAULT) == [DEFAULT] == checkpoint_folders([], {ENV: ""}, DEFAULT)


def test_several_folders_are_served_together_and_an_earlier_pair_name_wins(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    write_test_bundle(first / "shared" / "vae", "vae", 2, n=50)
    write_test_bundle(second / "shared" / "vae", "vae", 2, n=60)      # the same pair name: skipped
    write_test_bundle(second / "own" / "ae", "ae", 2, n=70)
    registry = load_registry([first, second])
    assert sorted(registry.pairs) == ["own", "shared"]
    assert len(registry.model("shared/vae").codes) == 50                 # the first folder's
    assert registry.problems == ["`shared/vae` in checkpoints folder 2 was skipped: an earlier checkpoints folder "
                                 "has a pair of that name."]
    assert str(tmp_path) not in " ".join(registry.problems)
    assert load_registry(first).pairs == {"shared": {"vae": "shared/vae"}}   # one folder, as before



def test_a_pair_whose_models_take_different_pictures_is_skipped_in_one_sentence(tmp_path, tiny_bundles, monkeypatch):
    from explorer.bundle import Bundle

    shutil.copytree(tiny_bundles, tmp_path / "mixed")
    # as if the AE were exported for colour pictures into the VAE's folder
    monkeypatch.setattr(Bundle, "image_shape", property(lambda b: (3, 32, 32) if b.kind == "ae" else (1, 28, 28)))
    reg = load_registry(tmp_path)
    assert "mixed" not in reg.pairs
    assert reg.problems == ["`mixed` was skipped: its models take pictures of different sizes or colours."]
