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


def test_decode_returns_the_decoded_image(client, shirt):
    _, b = shirt
    path = client.predict([0.5, -0.5], MODEL_2D, api_name="/decode")
    img = np.asarray(Image.open(path).convert("L"))
    assert img.shape == (280, 280) and img.std() > 0


@pytest.mark.parametrize("z", [[1e9, 0.0], ["x", 1.0], [0.0]])   # JSON has no NaN: see test_views
def test_decode_refuses_bad_latents(client, z):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="z must"):
        client.predict(z, MODEL_2D, api_name="/decode")


def test_reconstruct_sample_and_interpolate(client, shirt):
    from gradio_client import handle_file

    path, _ = shirt
    image, info = client.predict(handle_file(str(path)), MODEL_2D, api_name="/reconstruct")
    assert Image.open(image).size == (280, 280)
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
