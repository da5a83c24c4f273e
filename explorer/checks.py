"""Numbers that arrive from a user (the browser's JSON, an API call), checked before any model sees them."""
import math

import numpy as np

from explorer.errors import UserError

Z_LIMIT = 1e3      # latents beyond this are nonsense for any trained model: refuse rather than decode
MAX_SEED = 2**32 - 1


def finite_number(value, name: str) -> float:
    """A float from a JSON number; UserError for strings, booleans, None, NaN and infinities."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UserError(f"{name} must be a number, got {type(value).__name__}.")
    try:
        value = float(value)
    except OverflowError:   # a JSON integer with hundreds of digits
        raise UserError(f"{name} must be a finite number, got an integer too large for a float.") from None
    if not math.isfinite(value):
        raise UserError(f"{name} must be a finite number, got {value}.")
    return value


def read_latent(z, dim: int) -> np.ndarray:
    """A (dim,) float32 latent from a JSON list ({"z": [...]} too); UserError for a wrong length, non-numbers,
    NaN, infinities or values beyond Z_LIMIT."""
    if isinstance(z, dict) and "z" in z:
        z = z["z"]
    if not isinstance(z, list) or len(z) != dim:
        raise UserError(f"z must be a list of {dim} numbers.")
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in z):
        raise UserError("z must contain numbers only.")
    try:
        ok = all(math.isfinite(v) and abs(v) <= Z_LIMIT for v in z)
    except OverflowError:   # an integer too large for a float
        ok = False
    if not ok:
        raise UserError(f"z must be finite numbers between -{Z_LIMIT:g} and {Z_LIMIT:g}.")
    return np.asarray(z, dtype=np.float32)


def whole_number(value, name: str, lo: int, hi: int) -> int:
    """An integer from lo to hi from a JSON number (a float with no fraction too); UserError otherwise."""
    v = finite_number(value, name) if value is not None else None
    if v is None or v != int(v) or not lo <= v <= hi:
        raise UserError(f"{name} must be a whole number from {lo} to {hi}.")
    return int(v)


def number_in(value, name: str, lo: float, hi: float) -> float:
    """A finite number from lo to hi; UserError otherwise."""
    v = finite_number(value, name) if value is not None else None
    if v is None or not lo <= v <= hi:
        raise UserError(f"{name} must be a number from {lo:g} to {hi:g}.")
    return v
