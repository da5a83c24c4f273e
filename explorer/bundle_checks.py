"""Every file of a bundle checked before anything is built from it: kind of file, size, schema, shapes, dtypes.

A bundle folder may come from anyone (a download, a classmate, a careless copy), so nothing in it is trusted:
- only regular files inside the folder are read (no link, FIFO or device), each under a size cap, in one read
  whose bytes are both checksummed and parsed;
- config.json against an explicit schema (types and ranges of every field the app uses);
- .npz members by the sizes in their .npy headers before any is decompressed, then their dtypes and shapes;
- model.safetensors by its header: float32 (or float16, upcast on load) tensors of exactly the shapes the config's model has (computed without
  allocating it), then every value finite.
Each failure is a BundleError with one sentence that names the file inside the bundle (never a server path).
"""
import io
import json
import math
import os
import re
import stat
import struct
import zipfile

import numpy as np

MAX_BYTES = {"config.json": 256 * 1024, "metrics.json": 8 * 2**20, "model.safetensors": 256 * 2**20,
             "latents.npz": 128 * 2**20, "maps.npz": 64 * 2**20, "samples.png": 8 * 2**20,
             "classifier.json": 64 * 1024, "classifier.safetensors": 64 * 2**20}
MAX_ARRAY_BYTES = 256 * 2**20       # all the arrays of one .npz, uncompressed
MAX_LATENT_DIM = 512
MAX_WIDTH = 4096
MAX_PARAMETERS = 64_000_000
WEIGHT_DTYPES = ("F32", "F16")
MAX_TEST_IMAGES = 100_000
MAX_CLASSES = 1000
MAX_GRID = 256
SHA256 = re.compile(r"[0-9a-f]{64}")
FACTORY = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")   # "package.module:callable"
IMAGE_SIZES = (28, 32, 64)   # explorer.models.IMAGE_SIZES (this module stays free of torch)


class BundleError(RuntimeError):
    """A bundle that cannot be used; the message names the file and what is wrong with it."""


def read_file(folder, name: str) -> bytes:
    """The bytes of `folder/name`: a regular file, not a link, at most MAX_BYTES[name]."""
    path = os.path.join(folder, name)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise BundleError(f"{name} is missing; the bundle is incomplete, so retrain it with train_small.py.") from None
    if not stat.S_ISREG(info.st_mode):
        raise BundleError(f"{name} is not a regular file (a link, folder, pipe or device): the bundle is refused.")
    cap = MAX_BYTES.get(name, 8 * 2**20)
    if info.st_size > cap:
        raise BundleError(f"{name} is {info.st_size / 2**20:.1f} MB, more than the {cap / 2**20:g} MB a bundle may hold.")
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):    # swapped between the two looks
            raise BundleError(f"{name} is not a regular file: the bundle is refused.")
        data = f.read(cap + 1)
    if len(data) > cap:
        raise BundleError(f"{name} grew past {cap / 2**20:g} MB while it was read: the bundle is refused.")
    return data


def parse_json(name: str, data: bytes) -> dict:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise BundleError(f"{name} is not valid JSON: the file is damaged.") from None
    if not isinstance(value, dict):
        raise BundleError(f"{name} must hold a JSON object.")
    return value


# --- config.json ---------------------------------------------------------------------------------------------

def _fail(field: str, want: str):
    raise BundleError(f"config.json: {field} must be {want}.")


def _int(d: dict, key: str, field: str, lo: int, hi: int, required: bool = True):
    v = d.get(key)
    if v is None and not required:
        return
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        _fail(field, f"an integer from {lo} to {hi}")


def _number(d: dict, key: str, field: str, lo: float, hi: float, required: bool = True):
    v = d.get(key)
    if v is None and not required:
        return
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= hi:
        _fail(field, f"a number from {lo:g} to {hi:g}")


def _text(d: dict, key: str, field: str, max_len: int, required: bool = True, choices=None):
    v = d.get(key)
    if v is None and not required:
        return
    if not isinstance(v, str) or not v or len(v) > max_len or (choices and v not in choices):
        _fail(field, " or ".join(f'"{c}"' for c in choices) if choices else f"a text of 1 to {max_len} characters")


def _section(config: dict, key: str, required: bool = True) -> dict:
    v = config.get(key)
    if v is None and not required:
        return {}
    if not isinstance(v, dict):
        _fail(key, "an object")
    return v


def _check_backbone(m: dict) -> None:
    """The model section of one of explorer's own backbones (explorer/models.py)."""
    _text(m, "arch", "model.arch", 8, choices=("mlp", "conv"))
    hidden = m.get("hidden")
    conv = m.get("arch") == "conv"
    if (not isinstance(hidden, list) or not 1 <= len(hidden) <= 8 or (conv and not 3 <= len(hidden) <= 4)
            or any(isinstance(h, bool) or not isinstance(h, int) or not 1 <= h <= MAX_WIDTH for h in hidden)):
        _fail("model.hidden", f"a list of 1 to 8 widths from 1 to {MAX_WIDTH} (3 or 4 for a conv model)")
    if "image_shape" in m:   # written before colour models: (1, 28, 28)
        _check_image_shape(m)
        side = m["image_shape"][1]
        if conv and side % 2 ** (len(hidden) - 1):
            _fail("model.hidden", f"as many conv stages as a {side}x{side} image can halve into")
    unknown = set(m) - {"kind", "arch", "latent_dim", "likelihood", "gaussian_sigma", "hidden", "image_shape"}
    if unknown:
        _fail("model", f"only kind, arch, latent_dim, likelihood, gaussian_sigma, hidden and image_shape "
                       f"(not {sorted(unknown)[0][:40]})")


def _check_image_shape(m: dict) -> None:
    shape = m.get("image_shape")
    if (not isinstance(shape, list) or len(shape) != 3
            or any(isinstance(v, bool) or not isinstance(v, int) for v in shape) or shape[0] not in (1, 3) or shape[1] != shape[2] or shape[1] not in IMAGE_SIZES):
        _fail("model.image_shape", f"[C, H, W] with C 1 or 3 and H = W one of {', '.join(map(str, IMAGE_SIZES))}")


def _check_own_model(m: dict) -> None:
    """The model section of a model of one's own: its image shape, and its source: the factory that builds it
    (imported only with consent, explorer/own_model.py), the factory's keyword arguments, and the shapes its
    encode takes and decode gives."""
    _check_image_shape(m)
    source = m.get("source")
    if not isinstance(source, dict):
        _fail("model.source", "an object")
    _text(source, "factory", "model.source.factory", 200)
    if not FACTORY.fullmatch(source["factory"]):
        _fail("model.source.factory", '"package.module:callable"')
    if not isinstance(source.get("kwargs"), dict):
        _fail("model.source.kwargs", "an object")
    _text(source, "inputs", "model.source.inputs", 8, choices=("images", "flat"))
    _text(source, "outputs", "model.source.outputs", 16, choices=("logits", "probabilities"))
    unknown = (set(m) - {"kind", "arch", "latent_dim", "likelihood", "gaussian_sigma", "image_shape", "source"}
               or set(source) - {"factory", "kwargs", "inputs", "outputs"})
    if unknown:
        _fail("model", f"only kind, arch, latent_dim, likelihood, gaussian_sigma, image_shape and source, and "
                       f"source only factory, kwargs, inputs and outputs (not {sorted(unknown)[0][:40]})")


def check_config(config: dict, format_name: str, format_version: int, files: tuple[str, ...]) -> None:
    """The schema of config.json: every field the app reads, typed and ranged."""
    if config.get("format") != format_name:
        raise BundleError("config.json is not a Latent Explorer bundle config.")
    _int(config, "format_version", "format_version", format_version, format_version)
    m = _section(config, "model")
    _text(m, "kind", "model.kind", 8, choices=("vae", "ae"))
    _int(m, "latent_dim", "model.latent_dim", 1, MAX_LATENT_DIM)
    _text(m, "likelihood", "model.likelihood", 16, choices=("bernoulli", "gaussian"))
    _number(m, "gaussian_sigma", "model.gaussian_sigma", 1e-6, 1e3)
    if m.get("arch") == "custom":   # a model of one's own (explorer/own_model.py): its source in place of widths
        _check_own_model(m)
    else:
        _check_backbone(m)
    d = _section(config, "dataset")
    _text(d, "name", "dataset.name", 64)
    _int(d, "n_train", "dataset.n_train", 0, 10**8, required=False)
    _int(d, "n_test", "dataset.n_test", 0, 10**8, required=False)
    t = _section(config, "training", required=False)
    _number(t, "beta", "training.beta", 0, 1000, required=False)
    _int(t, "epochs", "training.epochs", 0, 10**6, required=False)
    _number(t, "lr", "training.lr", 0, 10, required=False)
    _text(config, "command", "command", 4000, required=False)
    files_section = _section(config, "files")
    for name in files:
        if not isinstance(files_section.get(name), str) or not SHA256.fullmatch(files_section[name]):
            _fail(f"files.{name}", "a SHA-256 in hex")


# --- .npz ----------------------------------------------------------------------------------------------------

def read_npz(name: str, data: bytes, allowed: re.Pattern) -> dict[str, np.ndarray]:
    """The arrays of an .npz, each member's shape and dtype read from its .npy header and capped before the data
    is decompressed; only names matching `allowed`, plain (non-object) dtypes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
            if len(members) > 64:
                raise BundleError(f"{name} holds {len(members)} arrays; a bundle's has at most 64.")
            out, total = {}, 0
            for info in members:
                key = info.filename.removesuffix(".npy")
                if not info.filename.endswith(".npy") or not allowed.fullmatch(key):
                    raise BundleError(f"{name} holds an array {key[:40]!r} that a bundle does not have.")
                if info.file_size > MAX_ARRAY_BYTES:   # the zip directory's own word, before the .npy header's
                    raise BundleError(f"{name}: its arrays would take more than {MAX_ARRAY_BYTES // 2**20} MB.")
                with zf.open(info) as f:
                    version = np.lib.format.read_magic(f)
                    read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                                   else np.lib.format.read_array_header_2_0)
                    shape, _, dtype = read_header(f, max_header_size=10000)
                if dtype.hasobject or dtype.kind not in "biufU":
                    raise BundleError(f"{name}: {key} has dtype {dtype}, not plain numbers or text.")
                total += math.prod(shape) * dtype.itemsize
                if total > MAX_ARRAY_BYTES:
                    raise BundleError(f"{name}: its arrays would take more than {MAX_ARRAY_BYTES // 2**20} MB.")
                with zf.open(info) as f:
                    out[key] = np.lib.format.read_array(f, allow_pickle=False)
            return out
    except BundleError:
        raise
    except Exception as err:   # a damaged archive or array
        raise BundleError(f"{name} cannot be read as plain arrays ({type(err).__name__}).") from None


def need(name: str, arrays: dict, key: str, dtype_kinds: str, shape: tuple) -> np.ndarray:
    """arrays[key] of a dtype kind in `dtype_kinds` and the given shape (None: any length), finite if floats."""
    a = arrays.get(key)
    if a is None:
        raise BundleError(f"{name} lacks the array {key}.")
    ok = a.dtype.kind in dtype_kinds and a.ndim == len(shape) and all(s is None or s == n for s, n in zip(shape, a.shape))
    if not ok:
        want = "x".join("N" if s is None else str(s) for s in shape) or "a scalar"
        raise BundleError(f"{name}: {key} has shape {a.shape} and dtype {a.dtype}; expected {want}.")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise BundleError(f"{name}: {key} holds NaN or infinite values.")
    return a


# --- model.safetensors ---------------------------------------------------------------------------------------

def check_safetensors_header(data: bytes, expected: dict[str, tuple], name: str = "model.safetensors") -> None:
    """The header of a weights file: tensors with exactly the names and shapes of `expected`, all float32 or all
    float16 (a bundle may store float16 to stay small; it is upcast to float32 on load)."""
    if len(data) < 8:
        raise BundleError(f"{name} is too short to hold weights.")
    (size,) = struct.unpack("<Q", data[:8])
    if size > min(len(data) - 8, 2**20):
        raise BundleError(f"{name} has a damaged header.")
    header = parse_json(name, data[8:8 + size])
    header.pop("__metadata__", None)
    if set(header) != set(expected):
        missing, extra = sorted(set(expected) - set(header)), sorted(set(header) - set(expected))
        raise BundleError(f"{name} does not fit the model in config.json "
                          f"({'missing ' + missing[0] if missing else 'unexpected ' + extra[0][:40]}).")

    dtypes = set()
    for key, info in header.items():
        if not isinstance(info, dict) or info.get("dtype") not in WEIGHT_DTYPES:
            raise BundleError(f"{name}: {key} is stored as {info.get('dtype') if isinstance(info, dict) else '?'}; "
                              "weights must be float32 or float16.")
        dtypes.add(info["dtype"])
        if tuple(info.get("shape", ())) != tuple(expected[key]):
            raise BundleError(f"{name} does not fit the model in config.json ({key} has shape "
                              f"{tuple(info.get('shape', ()))}, the model {tuple(expected[key])}).")
    if len(dtypes) > 1:
        raise BundleError(f"{name} mixes float32 and float16 tensors; store all weights in one of them.")
