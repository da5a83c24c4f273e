"""What the browser needs to decode a map point by itself: the decoder's layers and the map's inverse.

A drag then paints a new image in the same animation frame as the pointer move, without a round trip
(static/decoder.js and static/inverse.js run it; tests/test_browser_export.py checks them against PyTorch). The
weights are one little-endian float32 file per decoder, served under its content hash so a browser may cache it
for good; a decoder with a layer the browser does not know raises UnsupportedDecoder and the map keeps decoding on
the server. No gradio: the static site exports the same.
"""
import base64
import math

import numpy as np
from torch import nn

from explorer.bundle import Bundle


class UnsupportedDecoder(ValueError):
    """The decoder has a layer the browser decoder does not implement."""


def decoder_layers(decoder: nn.Module) -> tuple[list[dict], np.ndarray]:
    """The decoder as a list of ops and one float32 array holding every weight (ops give offsets into it).

    Linear weights are stored transposed, (in, out), so the browser adds one weight row per non-zero input;
    ConvTranspose2d weights keep PyTorch's (in, out, k, k) layout.
    """
    ops, chunks, offset = [], [], 0

    def put(a) -> int:
        nonlocal offset
        a = np.ascontiguousarray(a.detach().cpu().numpy(), dtype="<f4").ravel()
        chunks.append(a)
        offset += a.size
        return offset - a.size

    for layer in decoder.children() if isinstance(decoder, nn.Sequential) else [decoder]:
        if isinstance(layer, nn.Linear) and layer.bias is not None:
            ops.append({"op": "linear", "in": layer.in_features, "out": layer.out_features,
                        "w": put(layer.weight.T), "b": put(layer.bias)})
        elif isinstance(layer, nn.ReLU):
            ops.append({"op": "relu"})
        elif isinstance(layer, nn.Unflatten) and layer.dim == 1 and len(layer.unflattened_size) == 3:
            ops.append({"op": "reshape", "shape": list(layer.unflattened_size)})
        elif isinstance(layer, nn.ConvTranspose2d) and _plain_conv_transpose(layer):
            ops.append({"op": "conv_transpose", "in": layer.in_channels, "out": layer.out_channels,
                        "k": layer.kernel_size[0], "stride": layer.stride[0], "pad": layer.padding[0],
                        "w": put(layer.weight), "b": put(layer.bias)})
        else:
            raise UnsupportedDecoder(f"the browser cannot run this {type(layer).__name__} layer: {layer}")
    return ops, np.concatenate(chunks) if chunks else np.zeros(0, "<f4")


def _plain_conv_transpose(layer: nn.ConvTranspose2d) -> bool:
    square = layer.kernel_size[0] == layer.kernel_size[1] and layer.stride[0] == layer.stride[1]
    return (square and layer.padding[0] == layer.padding[1] and layer.groups == 1 and layer.bias is not None
            and layer.dilation == (1, 1) and layer.output_padding == (0, 0))


def export_decoder(bundle: Bundle) -> tuple[dict, bytes]:
    """decode_mean's decoder for the browser: ({"ops": [...], "latent_dim": D}, the weights as float32 bytes)."""
    ops, blob = decoder_layers(bundle.model.decoder)
    return {"ops": ops, "latent_dim": bundle.latent_dim}, blob.tobytes()


def _b64(a) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode("ascii")


def export_inverse(bundle: Bundle, map_name: str) -> dict:
    """The map's point -> latent rule (explorer.projection.LatentMap.to_latent) with its clamp limits: the base
    inverse's arrays, the dots and their codes (static/inverse.js derives their residuals)."""
    m = bundle.maps[map_name]
    out = {"map": map_name, "latent_dim": bundle.latent_dim, "limits": [float(v) for v in m.limits],
           "far_limit": float(m.far_limit) if math.isfinite(m.far_limit) else None,
           "xy": _b64(m.xy), "codes": _b64(m.codes)}
    if map_name == "pca":
        out.update(mean=_b64(m.mean), components=_b64(m.components))
    elif map_name == "umap":
        out.update(extent=[float(v) for v in m.extent], grid_size=int(m.grid.shape[0]), grid=_b64(m.grid))
    return out
