"""Where training runs: on a GPU when there is one, and on Hugging Face ZeroGPU, where a Space holds a GPU only
while a function decorated with `spaces.GPU` runs (the free path for a Gradio Space: README, "Hosting").

`on_gpu` is that decorator when the `spaces` package is importable and does nothing elsewhere (`spaces.GPU` itself
is also a no-op off ZeroGPU); `device()` is where tensors go inside such a function.
"""
import functools

import torch


@functools.cache
def zero_gpu() -> bool:
    """True when the `spaces` package is importable (a Hugging Face Space's image has it)."""
    try:
        import spaces  # noqa: F401
    except ImportError:
        return False
    return True


def on_gpu(duration: float):
    """A decorator: `spaces.GPU(duration=...)` when `spaces` is importable (the function then holds a ZeroGPU
    device for at most `duration` seconds), else the function unchanged. Generator functions stay generators."""
    def decorate(fn):
        if not zero_gpu():
            return fn
        import spaces

        return spaces.GPU(duration=int(duration))(fn)
    return decorate


def device() -> torch.device:
    """The GPU when torch sees one (inside an on_gpu function on ZeroGPU), else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
