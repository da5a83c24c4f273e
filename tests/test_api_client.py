"""Every named API endpoint through gradio_client against the launched app, as a script user would call it."""
import numpy as np
import pytest
from PIL import Image

from app_server import ROOT, running_app

pytestmark = pytest.mark.slow   # starts app.py

MODEL_2D = "fashion-mnist-mlp-z2/vae"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from gradio_client import Client

    with running_app(ROOT / "checkpoints", tmp_path_factory.mktemp("log") / "app.log") as url:
        yield Client(url, verbose=False)


@pytest.fixture(scope="module")
def shirt(tmp_path_factory):
    from explorer.bundle import load_bundle

    b = load_bundle(ROOT / "checkpoints" / MODEL_2D)
    path = tmp_path_factory.mktemp("img") / "test0.png"
    Image.fromarray(b.latents["images"][0]).save(path)
    return path, b


def test_the_named_endpoints_are_listed(client):
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/encode", "/decode", "/reconstruct", "/sample", "/interpolate"} <= names


def test_encode_matches_the_stored_code(client, shirt):
    from gradio_client import handle_file

    path, b = shirt
    out = client.predict(handle_file(str(path)), MODEL_2D, api_name="/encode")
    np.testing.assert_allclose(out["mu"], b.latents["mu"][0], atol=1e-4)
    assert len(out["logvar"]) == 2


def test_decode_returns_the_models_own_pixels_as_a_png(client, shirt):
    import torch

    from explorer.images import to_uint8
    from explorer.models import decode_mean

    _, b = shirt
    path = client.predict([0.5, -0.5], MODEL_2D, api_name="/decode")
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n", "lossless PNG, not WebP"
    img = np.asarray(Image.open(path).convert("L"))
    with torch.no_grad():
        want = to_uint8(decode_mean(b.model, torch.tensor([[0.5, -0.5]]))[0, 0].numpy())
    assert img.shape == (28, 28) and np.array_equal(img, want)


def test_sample_of_one_and_bad_numbers(client):
    from gradio_client.exceptions import AppError

    one = client.predict(MODEL_2D, 1, 1.0, 0, api_name="/sample")
    assert Image.open(one).size == (32, 32)    # one 28x28 image in its 2-pixel frame
    for n, temperature, seed, words in [(0, 1.0, 0, "n must be a whole number from 1 to 256"),
                                        (2.5, 1.0, 0, "n must be"), (4, 1e9, 0, "temperature must be"),
                                        (4, 1.0, 1e30, "seed must be a whole number"), (4, 1.0, -1, "seed must")]:
        with pytest.raises(AppError, match=words):
            client.predict(MODEL_2D, n, temperature, seed, api_name="/sample")


@pytest.mark.parametrize("z", [[1e9, 0.0], ["x", 1.0], [0.0]])   # JSON has no NaN: see test_views
def test_decode_refuses_bad_latents(client, z):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="z must"):
        client.predict(z, MODEL_2D, api_name="/decode")


def test_reconstruct_sample_and_interpolate(client, shirt):
    from gradio_client import handle_file

    path, _ = shirt
    image, info = client.predict(handle_file(str(path)), MODEL_2D, api_name="/reconstruct")
    assert Image.open(image).size == (28, 28) and Image.open(image).format == "PNG"
    assert info["rec_nats"] > 0 and info["kl_nats"] > 0
    grid = client.predict(MODEL_2D, 16, 1.0, 3, api_name="/sample")
    again = client.predict(MODEL_2D, 16, 1.0, 3, api_name="/sample")
    assert np.array_equal(np.asarray(Image.open(grid)), np.asarray(Image.open(again)))
    film, gif = client.predict(handle_file(str(path)), handle_file(str(path)), MODEL_2D, 5, "spherical",
                               api_name="/interpolate")
    assert Image.open(gif).n_frames >= 1 and Image.open(film).width > 5 * 28


def test_unknown_model_is_a_clear_error(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="Unknown model"):
        client.predict([0.0, 0.0], "../../etc/passwd", api_name="/decode")
