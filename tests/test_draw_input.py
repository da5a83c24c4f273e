"""A drawing pad's picture as the server reads it (inputs.read_drawing): the page sends a PNG data URL as event
data, which anyone can forge, so every bad file an upload may be gets the same one sentence, and a value that is
not a PNG data URL gets its own."""
import base64

import numpy as np
import pytest
from PIL import Image

from explorer.app.inputs import DATA_URL, MAX_DRAWING_CHARS, read_drawing
from explorer.app.views.generate import endpoint
from explorer.errors import UserError
from test_bad_input import CASES, OK
from test_preprocess import encode


def as_drawing(data: bytes) -> str:
    return DATA_URL + base64.b64encode(data).decode()


def drawn_stroke() -> bytes:
    """What the pad sends: a white stroke on a black 280x280 canvas."""
    a = np.zeros((280, 280), np.uint8)
    a[60:220, 130:152] = 255
    return encode(Image.fromarray(a).convert("RGBA"), "PNG")


def test_a_drawing_becomes_a_centred_28x28_input():
    x = read_drawing(as_drawing(drawn_stroke())).x
    assert x.shape == (28, 28) and x.max() > 0.9 and x[0, 0] == 0
    rows, cols = np.nonzero(x > 0.5)
    assert abs(rows.mean() - 13.5) < 2 and abs(cols.mean() - 13.5) < 2


@pytest.mark.parametrize("case", list(CASES))
def test_every_bad_file_as_a_drawing_gets_the_uploads_sentence(case):
    make, expected = CASES[case]
    if expected is OK:
        assert read_drawing(as_drawing(make())).x.shape == (28, 28)
        return
    with pytest.raises(UserError, match=expected):
        read_drawing(as_drawing(make()))


@pytest.mark.parametrize("value, expected", [
    (None, "Draw something"),
    (12, "did not arrive as a PNG"),
    ({"png": "x"}, "did not arrive as a PNG"),
    ("data:image/svg+xml;base64,PHN2Zz4=", "did not arrive as a PNG"),
    (DATA_URL + "A" * MAX_DRAWING_CHARS, "did not arrive as a PNG"),
    (DATA_URL + "not base64!", "arrived damaged"),
])
def test_a_value_that_is_not_a_png_data_url_is_one_sentence(value, expected):
    with pytest.raises(UserError, match=expected):
        read_drawing(value)


def test_an_interpolation_end_is_the_drawing_when_there_is_no_upload():
    fallback = np.zeros((28, 28), np.float32)
    drawing = as_drawing(drawn_stroke())
    np.testing.assert_array_equal(endpoint(None, drawing, fallback, 20), read_drawing(drawing).x)
    assert endpoint(None, None, fallback, 20) is fallback
