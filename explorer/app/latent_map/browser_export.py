"""What the browser needs to decode a map point by itself: the decoder's layers and the map's inverse.

A drag then paints a new image in the same animation frame as the pointer move, without a round trip
(static/decoder.js and static/inverse.js run it; tests/test_browser_export.py checks them against PyTorch). The
weights are one little-endian file per decoder, float16 when that keeps every decoded test image within one grey
level (1/255) of PyTorch's, else float32, served under its content hash so a browser may cache it for good; a decoder with a layer the browser does not know raises UnsupportedDecoder and the map keeps decoding on
the server. No gradio: the static site exports the same.
"""
import base64
import math

import copy

import numpy as np
import torch
from torch import nn

from explorer.bundle import Bundle, round_to_half
from explorer.image_layout import as_batch
from explorer.models import decode_mean

PARITY = 1 / 255          # a float16 export decodes every checked test code within this of PyTorch, per pixel
PARITY_CODES = 512
ENCODER_PARITY = 2e-3     # float16 encoder: no test code moves by more than this share of the codes' spread (0.2 %)


class UnsupportedDecoder(ValueError):
    """The decoder has a layer the browser decoder does not implement."""


DECODER_OPS = {"linear", "relu", "reshape", "conv_transpose"}


def decoder_layers(decoder: nn.Module) -> tuple[list[dict], np.ndarray]:
    """The decoder as a list of ops and one float32 array holding every weight (ops give offsets into it).

    Linear weights are stored transposed, (in, out), so the browser adds one weight row per non-zero input;
    ConvTranspose2d weights keep PyTorch's (in, out, k, k) layout.
    """
    ops, blob = layer_ops(list(decoder.children()) if isinstance(decoder, nn.Sequential) else [decoder])
    unrun = sorted({op["op"] for op in ops} - DECODER_OPS)
    if unrun:   # static/decoder.js runs these four; a conv or flatten is an encoder's (static/encoder.js)
        raise UnsupportedDecoder(f"the browser's decoder cannot run a {unrun[0]} layer")
    return ops, blob


def encoder_layers(model: nn.Module) -> tuple[list[dict], np.ndarray]:
    """The encoder and its head (static/encoder.js runs them): the output is (mu, logvar) joined for a VAE,
    z for an AE. Conv2d weights keep PyTorch's (out, in, k, k) layout."""
    return layer_ops([*model.encoder.children(), model.head])


def layer_ops(layers: list[nn.Module]) -> tuple[list[dict], np.ndarray]:
    ops, chunks, offset = [], [], 0

    def put(a) -> int:
        nonlocal offset
        a = np.ascontiguousarray(a.detach().cpu().numpy(), dtype="<f4").ravel()
        chunks.append(a)
        offset += a.size
        return offset - a.size

    for layer in layers:
        if isinstance(layer, nn.Linear) and layer.bias is not None:
            ops.append({"op": "linear", "in": layer.in_features, "out": layer.out_features,
                        "w": put(layer.weight.T), "b": put(layer.bias)})
        elif isinstance(layer, nn.ReLU):
            ops.append({"op": "relu"})
        elif isinstance(layer, nn.Unflatten) and layer.dim == 1 and len(layer.unflattened_size) == 3:
            ops.append({"op": "reshape", "shape": list(layer.unflattened_size)})
        elif isinstance(layer, nn.Flatten) and layer.start_dim == 1 and layer.end_dim == -1:
            ops.append({"op": "flatten"})
        elif isinstance(layer, (nn.ConvTranspose2d, nn.Conv2d)) and _plain_conv(layer):
            ops.append({"op": "conv_transpose" if isinstance(layer, nn.ConvTranspose2d) else "conv",
                        "in": layer.in_channels, "out": layer.out_channels,
                        "k": layer.kernel_size[0], "stride": layer.stride[0], "pad": layer.padding[0],
                        "w": put(layer.weight), "b": put(layer.bias)})
        else:
            raise UnsupportedDecoder(f"the browser cannot run this {type(layer).__name__} layer: {layer}")
    return ops, np.concatenate(chunks) if chunks else np.zeros(0, "<f4")


def _plain_conv(layer: nn.ConvTranspose2d | nn.Conv2d) -> bool:
    square = layer.kernel_size[0] == layer.kernel_size[1] and layer.stride[0] == layer.stride[1]
    return (square and layer.padding[0] == layer.padding[1] and layer.groups == 1 and layer.bias is not None
            and layer.dilation == (1, 1) and layer.output_padding in ((0, 0), 0)
            and getattr(layer, "padding_mode", "zeros") == "zeros")


def export_decoder(bundle: Bundle) -> tuple[dict, bytes]:
    """decode_mean's decoder for the browser: ({"ops": [...], "latent_dim": D, "image_shape": [C, H, W], "dtype",
    "parity"}, the weights' bytes). float16 (half the download) when the float16 decoder decodes the bundle's test codes within PARITY
    of the model per pixel ("parity" is the largest difference seen), float32 otherwise."""
    ops, blob = decoder_layers(bundle.model.decoder)
    error = half_error(bundle)
    info = {"ops": ops, "latent_dim": bundle.latent_dim, "image_shape": list(bundle.image_shape), "parity": error}
    if error <= PARITY:
        return {**info, "dtype": "float16"}, blob.astype("<f2").tobytes()
    return {**info, "dtype": "float32"}, blob.tobytes()


def export_encoder(bundle: Bundle) -> tuple[dict, bytes]:
    """The encoder for the browser (the static site encodes drawings and uploads with it): ({"ops", "kind",
    "latent_dim", "dtype", "parity"}, the weights' bytes). float16 when the codes of the bundle's test images move
    by at most ENCODER_PARITY of their spread, float32 otherwise."""
    ops, blob = encoder_layers(bundle.model)
    error = half_code_error(bundle)
    info = {"ops": ops, "kind": bundle.kind, "latent_dim": bundle.latent_dim, "parity": error}
    if error <= ENCODER_PARITY:
        return {**info, "dtype": "float16"}, blob.astype("<f2").tobytes()
    return {**info, "dtype": "float32"}, blob.tobytes()


def half_code_error(bundle: Bundle, n: int = PARITY_CODES) -> float:
    """The largest change of a test image's code (mu for a VAE) with float16 encoder weights, over the codes'
    standard deviation."""
    x = as_batch(bundle.test_image(slice(0, n)), bundle.image_shape)
    half = round_to_half(copy.deepcopy(bundle.model))
    with torch.no_grad():
        moved = (bundle.model.encode(x)[0] - half.encode(x)[0]).abs().max()
    return float(moved / max(float(bundle.codes.std()), 1e-6))


def half_error(bundle: Bundle, n: int = PARITY_CODES) -> float:
    """The largest per-pixel difference between the model's decodes of (up to n of) its test codes and those of
    the same model with float16 weights."""
    codes = bundle.codes
    z = torch.from_numpy(np.ascontiguousarray(codes[:: max(1, len(codes) // n)][:n], dtype=np.float32))
    half = round_to_half(copy.deepcopy(bundle.model))
    with torch.no_grad():
        return float((decode_mean(bundle.model, z) - decode_mean(half, z)).abs().max())


def _b64(a) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode("ascii")


def export_inverse(bundle: Bundle, map_name: str) -> dict:
    """The map's point -> latent rule (explorer.projection.LatentMap.to_latent) with its clamp limits: the base
    inverse's arrays, the dots and (on a projected map) their codes (static/inverse.js derives their residuals)."""
    m = bundle.maps[map_name]
    out = {"map": map_name, "latent_dim": bundle.latent_dim, "limits": [float(v) for v in m.limits],
           "far_limit": float(m.far_limit) if math.isfinite(m.far_limit) else None,
           "xy": _b64(m.xy)}
    if map_name != "latent":    # a latent map's dots are their codes: the browser takes them from xy
        out["codes"] = _b64(m.codes)
    if map_name == "pca":
        out.update(mean=_b64(m.mean), components=_b64(m.components))
    elif map_name == "umap":
        out.update(extent=[float(v) for v in m.extent], grid_size=int(m.grid.shape[0]), grid=_b64(m.grid))
    return out
