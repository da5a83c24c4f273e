"""Images as people see them (H, W[, 3]) and as models take them (B, C, H, W): explorer/image_layout.py."""
import numpy as np
import pytest
import torch

from explorer.image_layout import as_batch, as_images, display_shape


@pytest.mark.parametrize("shape", [(1, 28, 28), (3, 32, 32), (1, 64, 64)])
def test_a_batch_and_back_is_the_same_images(shape):
    images = np.random.default_rng(0).random((5, *display_shape(shape))).astype(np.float32)
    batch = as_batch(images, shape)
    assert tuple(batch.shape) == (5, *shape)
    assert np.array_equal(as_images(batch), images)
    assert tuple(as_batch(images[0], shape).shape) == (1, *shape)    # one image is a batch of one


def test_colour_channels_land_in_their_planes():
    red = np.zeros((32, 32, 3), np.float32)
    red[..., 0] = 1
    batch = as_batch(red, (3, 32, 32))
    assert batch[0, 0].min() == 1 and batch[0, 1:].max() == 0


@pytest.mark.parametrize("images, shape", [
    (np.zeros((28, 28)), (3, 32, 32)),        # a grey 28 px input for a colour model
    (np.zeros((32, 32, 3)), (1, 32, 32)),     # colour for a grey model of the same size: not 3 grey images
    (np.zeros((64, 64, 3)), (3, 32, 32)),     # the right colours at the wrong size: not 4 images
])
def test_images_of_another_shape_are_refused_not_reshaped(images, shape):
    with pytest.raises(ValueError, match="do not fit"):
        as_batch(images, shape)


def test_a_model_output_is_shown_grey_or_colour():
    assert as_images(torch.zeros(2, 1, 28, 28)).shape == (2, 28, 28)
    assert as_images(torch.zeros(2, 3, 64, 64)).shape == (2, 64, 64, 3)
