"""A model of one's own as a bundle like any other (explorer/bundle.py): export_model.

The bundle is made as train_small.py makes one (model_bundle.bundle_contents, write_bundle)
from a model trained elsewhere, any nn.Module with `encode` and `decode` (explorer/own_model.py). Its
model.safetensors holds the model's own state_dict and its config.json names the factory that builds the model
again, so the app loads it with `--allow-model-code` and the folder of the model's module on PYTHONPATH.
"""
import json
import platform
import sys
from pathlib import Path

import torch
from torch import nn

from explorer.bundle import BundleError, write_bundle
from explorer.data import Dataset, load_dataset
from explorer.model_bundle import bundle_contents, dataset_section
from explorer.own_model import OwnModel, build_from_factory

__all__ = ["export_model", "factory_of"]


def export_model(model: nn.Module, data: Dataset | str, out: str | Path, *, inputs: str = "images",
                 outputs: str = "logits", likelihood: str = "bernoulli", gaussian_sigma: float = 0.1,
                 factory: str | None = None, factory_kwargs: dict | None = None, data_dir: str | Path | None = None,
                 image_size: int | None = None, channels: int | None = None,
                 maps: tuple[str, ...] = ("pca", "umap"), seed: int = 0, iwae_k: int = 100,
                 training: dict | None = None, command: str | None = None) -> Path:
    """Write `model` as a bundle in `out`/vae or `out`/ae (by what its encode returns) and return that folder.

    model: any nn.Module with `encode(x) -> (mu, logvar)` (a VAE) or `-> z` (an AE) and `decode(z)`, on the CPU.
    data: a Dataset (explorer.data) or a name for load_dataset (with `data_dir`, and `image_size` and `channels` for
        "folder" and "sprites"); the bundle's codes, maps and
        metrics are of its test images.
    inputs: "images" if encode takes (B, C, H, W), "flat" if it takes (B, C*H*W) vectors.
    outputs: "logits" if decode returns logits, "probabilities" if it returns values in [0, 1] (a final sigmoid).
    factory, factory_kwargs: what builds the model again, "package.module:callable" called with JSON keyword
        arguments; by default the model's class with none (a class defined in the script being run is named by
        the script's file). It must build a model whose state_dict fits `model`'s, which is checked here.
    maps: the 2-D maps of a latent above 2 ("pca", "umap"); a 2-D latent is its own map.
    training, command: what config.json says of how the model was trained (e.g. {"beta": 1.0, "epochs": 10,
        "lr": 1e-3}, which the app shows) and made.
    Errors a caller can cause are a ValueError with one sentence (DataNotFoundError for a dataset not found).
    """
    data = load_dataset(data, data_dir, image_size=image_size, channels=channels) if isinstance(data, str) else data
    _same_device(model, data)
    own = OwnModel(model, inputs, outputs, likelihood, gaussian_sigma, image_shape=list(data.x_test.shape[1:]))
    own.config.source.update(_checked_source(model, factory, factory_kwargs))
    own.eval()
    c = bundle_contents(own, data, seed, maps, iwae_k)
    config = {"model": own.config.to_dict(), "twin": None, "dataset": dataset_section(data),
              **({"training": dict(training)} if training else {}),
              "command": command or f"explorer.own_bundle.export_model of {own.config.source['factory']}",
              "versions": {"python": platform.python_version(), "torch": torch.__version__}}
    return write_bundle(Path(out) / own.config.kind, config, model, c.metrics, c.latents, c.maps, c.samples_png)


def factory_of(model: nn.Module) -> str:
    """"module:Class" of the model's class; a class defined in the script being run is named by the script's file
    ("python my_vae.py" -> "my_vae:VAE"), which the app imports like any module."""
    cls = type(model)
    module = cls.__module__
    if module == "__main__":
        script = getattr(sys.modules["__main__"], "__file__", None)
        if script is None:
            raise ValueError(f"{cls.__name__} is defined in an interactive session, which the app cannot import: "
                             "put it in a .py file and pass factory='module:Class'.")
        module = Path(script).stem
    return f"{module}:{cls.__qualname__}"


def _checked_source(model: nn.Module, factory: str | None, kwargs: dict | None) -> dict:
    """{"factory", "kwargs"} once the factory, called as the app will call it, builds a model that takes
    `model`'s weights."""
    factory, kwargs = factory or factory_of(model), dict(kwargs or {})
    try:
        plain = json.loads(json.dumps(kwargs)) == kwargs
    except (TypeError, ValueError):
        plain = False
    if not plain:
        raise ValueError("factory_kwargs must hold plain JSON values (numbers, text, lists, dicts), which "
                         "config.json can store.")
    try:
        rebuilt = build_from_factory(factory, kwargs)
    except BundleError as err:
        raise ValueError(str(err)) from None
    theirs, ours = rebuilt.state_dict(), model.state_dict()
    if {k: tuple(v.shape) for k, v in theirs.items()} != {k: tuple(v.shape) for k, v in ours.items()}:
        raise ValueError(f"{factory} called with {kwargs} builds a model whose weights differ in names or shapes "
                         "from this one's: pass the factory_kwargs that build this model.")
    return {"factory": factory, "kwargs": kwargs}


def _same_device(model: nn.Module, data: Dataset) -> None:
    param = next(model.parameters(), None)
    if param is not None and param.device != data.x_test.device:
        raise ValueError(f"The model is on {param.device} and the data on {data.x_test.device}: move the model "
                         "with model.cpu() before exporting it.")

