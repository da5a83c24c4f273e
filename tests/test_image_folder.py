"""A folder of the user's own images as a dataset (explorer/image_folder.py) and trained on by train_small.py."""
import numpy as np
import pytest

import train_small
from explorer.bundle import load_bundle
from explorer.data import DataNotFoundError, load_dataset
from explorer.image_folder import UNLABELLED
from image_folders import image_folder


def test_class_subfolders_name_the_classes_and_a_corrupt_file_is_skipped_and_counted(tmp_path):
    data = load_dataset("folder", image_folder(tmp_path / "pics"), image_size=32, channels=3)
    assert data.class_names == ["blue", "green", "red"]
    assert len(data.x_train) + len(data.x_test) == 60 and len(data.x_test) == 16   # enough for a UMAP map
    assert data.x_train.shape[1:] == (3, 32, 32) and data.image_shape == [3, 32, 32]
    assert "1 unreadable files skipped" in data.source
    reds = data.x_train[data.y_train == data.class_names.index("red")]
    assert float(reds[:, 0].max()) > 0.8 and float(reds[:, 2].max()) < 0.3   # colour kept, channels in order


def test_a_flat_folder_is_unlabelled_and_can_be_read_grey_at_another_size(tmp_path):
    data = load_dataset("folder", image_folder(tmp_path / "flat", classes=False), image_size=64, channels=1)
    assert data.class_names == [UNLABELLED] and set(data.y_train.tolist()) == {0}
    assert data.x_train.shape[1:] == (1, 64, 64)


def test_the_same_folder_and_seed_give_the_same_split(tmp_path):
    folder = image_folder(tmp_path / "pics")
    a, b = (load_dataset("folder", folder, image_size=28, channels=3) for _ in range(2))
    assert np.array_equal(a.x_test.numpy(), b.x_test.numpy())


@pytest.mark.parametrize("make, says", [
    (lambda p: p / "nowhere", "does not exist"),
    (lambda p: p, "0 readable images"),
    (lambda p: (p / "x.png").write_bytes(b"junk") and p, "0 readable images (1 file could not be read)"),
])
def test_a_missing_empty_or_unreadable_folder_is_one_sentence(tmp_path, make, says):
    with pytest.raises(DataNotFoundError) as err:
        load_dataset("folder", make(tmp_path), image_size=32, channels=3)
    assert says in str(err.value) and "\n" not in str(err.value)


def test_train_small_says_what_is_wrong_with_the_folder_and_exits_2(tmp_path, capsys):
    assert train_small.main(["--dataset", "folder", "--data-dir", str(tmp_path / "nowhere"), "--out", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--dataset", "digits", "--image-size", "32"], ["--dataset", "digits", "--channels", "3"],
                                  ["--dataset", "sprites", "--channels", "1"], ["--dataset", "sprites", "--image-size", "28"]])
def test_sizes_and_channels_a_dataset_does_not_come_in_are_refused(tmp_path, capsys, args):
    assert train_small.main([*args, "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize("grey", [False, True])
def test_train_small_trains_on_a_folder_and_the_bundle_loads(tmp_path, grey):
    folder = image_folder(tmp_path / "pics", grey=grey)
    out = tmp_path / "ckpt" / "mine"
    code = train_small.main(["--dataset", "folder", "--data-dir", str(folder), "--image-size", "32",
                             "--channels", "1" if grey else "3", "--arch", "conv", "--hidden", "8", "16", "32",
                             "--latent-dim", "4" if grey else "2", "--epochs", "1", "--iwae-k", "4", "--out", str(out)])
    assert code == 0
    vae = load_bundle(out / "vae")
    assert vae.image_shape == ((1, 32, 32) if grey else (3, 32, 32))
    assert vae.latents["images"].shape[1:] == ((32, 32) if grey else (32, 32, 3))
    assert vae.config["dataset"]["class_names"] == ["blue", "green", "red"]
    assert vae.map_names == (["pca", "umap"] if grey else ["latent"])   # a small folder still gets every map
