import gzip
import struct

import numpy as np
import pytest

from conftest import need_fashion_mnist
from explorer import data as data_mod
from explorer.data import DataNotFoundError, digits_28, load_dataset, read_idx


def write_idx(path, array: np.ndarray, compress=True) -> None:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw) if compress else raw)


def fake_idx_folder(folder, n_train=6, n_test=4):
    rng = np.random.default_rng(0)
    write_idx(folder / "train-images-idx3-ubyte.gz", rng.integers(0, 256, (n_train, 28, 28)))
    write_idx(folder / "train-labels-idx1-ubyte.gz", rng.integers(0, 10, n_train))
    write_idx(folder / "t10k-images-idx3-ubyte", rng.integers(0, 256, (n_test, 28, 28)), compress=False)
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", rng.integers(0, 10, n_test))


def test_read_idx_round_trip(tmp_path):
    a = np.arange(2 * 28 * 28).reshape(2, 28, 28) % 256
    write_idx(tmp_path / "x.gz", a)
    np.testing.assert_array_equal(read_idx(tmp_path / "x.gz"), a)


def test_truncated_idx_is_refused(tmp_path):
    f = tmp_path / "x"
    write_idx(f, np.zeros((3, 28, 28)), compress=False)
    f.write_bytes(f.read_bytes()[:-10])
    with pytest.raises(ValueError, match="truncated"):
        read_idx(f)


@pytest.mark.parametrize("layout", ["", "raw", "FashionMNIST/raw"])
def test_data_dir_in_the_usual_layouts(tmp_path, layout):
    folder = tmp_path / layout
    folder.mkdir(parents=True, exist_ok=True)
    fake_idx_folder(folder)
    ds = load_dataset("fashion-mnist", data_dir=tmp_path, allow_download=False)
    assert ds.x_train.shape == (6, 1, 28, 28) and ds.x_test.shape == (4, 1, 28, 28)
    assert 0 <= ds.x_train.min() and ds.x_train.max() <= 1
    assert ds.class_names[0] == "T-shirt/top"


def test_missing_data_is_one_clear_sentence(tmp_path, monkeypatch):
    monkeypatch.setattr(data_mod, "DEBIAN_DIRS", {})

    def no_network(name, cache):
        raise OSError("Name or service not known")

    monkeypatch.setattr(data_mod, "_from_torchvision", no_network)
    with pytest.raises(DataNotFoundError) as err:
        load_dataset("mnist", data_dir=tmp_path)
    message = str(err.value)
    assert "Could not find mnist (download failed: OSError)" in message
    assert "--data-dir" in message and "\n" not in message


def test_train_small_reports_missing_data_without_traceback(tmp_path, capsys):
    import train_small

    code = train_small.main(["--dataset", "mnist", "--data-dir", str(tmp_path), "--offline",
                             "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: Could not find mnist") and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_digits_are_28x28_and_always_there():
    ds = digits_28()
    assert ds.x_train.shape[1:] == (1, 28, 28)
    assert len(ds.x_train) + len(ds.x_test) == 1797
    assert ds.x_train[:, :, :4].max() == 0            # MNIST-style empty border
    assert sorted(set(ds.y_test.tolist())) == list(range(10))


def test_fashion_mnist_from_the_debian_package():
    need_fashion_mnist()
    ds = load_dataset("fashion-mnist", allow_download=False)
    assert ds.x_train.shape == (60000, 1, 28, 28) and ds.x_test.shape == (10000, 1, 28, 28)
    assert ds.source == "/usr/share/datasets/fashion-mnist"
    assert np.bincount(ds.y_test.numpy()).tolist() == [1000] * 10
