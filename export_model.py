"""Turn a VAE or autoencoder of your own (any nn.Module with encode and decode) into a bundle the app serves.

    PYTHONPATH=. python export_model.py my_vae:VAE --weights vae.safetensors --dataset digits \
        --inputs flat --outputs probabilities --out my-checkpoints/digits-my-vae

builds the model with my_vae.VAE() (keyword arguments with --kwargs '{"latent_dim": 2}'), loads its weights
(a safetensors file: save_file(model.state_dict(), "vae.safetensors")), and writes my-checkpoints/digits-my-vae/vae
(or .../ae when encode returns a code alone). The Python API is explorer.own_bundle.export_model; the README's
"Bring your own model" shows it. The app then serves the bundle with the same PYTHONPATH:
`python app.py --checkpoints my-checkpoints --allow-model-code`.
"""
import argparse
import json
import shlex
import sys
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file

from explorer.app.latent_map.browser_export import UnsupportedDecoder, decoder_layers
from explorer.bundle import BundleError
from explorer.data import DATASETS, DataNotFoundError, load_dataset
from explorer.models import IMAGE_SIZES
from explorer.own_bundle import export_model
from explorer.own_model import INPUTS, LIKELIHOODS, OUTPUTS, OwnModel, build_from_factory


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("factory", help='what builds the model: "package.module:callable" (its folder on PYTHONPATH)')
    p.add_argument("--kwargs", default="{}", help="the factory's keyword arguments, as a JSON object")
    p.add_argument("--weights", required=True, help="the model's state_dict as a .safetensors file")
    p.add_argument("--dataset", default="digits", choices=DATASETS)
    p.add_argument("--data-dir", default=None, help="folder with the dataset (for --dataset folder: the images)")
    p.add_argument("--image-size", type=int, default=None, choices=IMAGE_SIZES,
                   help="side in pixels for --dataset folder (default 32) and sprites (32 or 64)")
    p.add_argument("--channels", type=int, default=None, choices=[1, 3],
                   help="1 grey or 3 colour (the default), for --dataset folder")
    p.add_argument("--offline", action="store_true", help="never try to download the dataset")
    p.add_argument("--inputs", default="images", choices=INPUTS,
                   help="images: encode takes (B, C, H, W); flat: it takes (B, C*H*W)")
    p.add_argument("--outputs", default="logits", choices=OUTPUTS,
                   help="what decode returns: logits, or probabilities in [0, 1] (it ends in a sigmoid)")
    p.add_argument("--likelihood", default="bernoulli", choices=LIKELIHOODS)
    p.add_argument("--sigma", type=float, default=0.1, help="decoder std for --likelihood gaussian")
    p.add_argument("--maps", nargs="+", default=["pca", "umap"], choices=["pca", "umap"],
                   help="2-D maps to fit for latents above 2")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--iwae-k", type=int, default=100)
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    p.add_argument("--out", required=True, help="output folder; gets vae/ or ae/")
    return p.parse_args(argv)


def load_model(factory: str, kwargs_json: str, weights: Path) -> tuple[torch.nn.Module, dict]:
    """The model factory(**kwargs) with the weights of `weights`, and the kwargs; ValueError with one sentence."""
    try:
        kwargs = json.loads(kwargs_json)
    except json.JSONDecodeError:
        kwargs = None
    if not isinstance(kwargs, dict):
        raise ValueError(f"--kwargs must be a JSON object such as '{{\"latent_dim\": 2}}', not {kwargs_json[:80]!r}.")
    if weights.suffix != ".safetensors":
        raise ValueError("--weights must be a .safetensors file (nothing is unpickled here): save one with "
                         "`from safetensors.torch import save_file; save_file(model.state_dict(), 'vae.safetensors')`.")
    try:
        state = load_file(str(weights))
    except (OSError, SafetensorError) as err:
        raise ValueError(f"{weights} cannot be read as safetensors ({type(err).__name__}).") from None
    try:
        model = build_from_factory(factory, kwargs)
        model.load_state_dict(state, strict=True)
    except BundleError as err:
        raise ValueError(str(err)) from None
    except RuntimeError:   # load_state_dict's long list of missing and unexpected keys
        raise ValueError(f"{weights} does not hold the weights of the model {factory} builds with {kwargs}: "
                         "check --kwargs.") from None
    return model, kwargs


def browser_note(model: OwnModel) -> str:
    """Whether the page will decode this model itself or ask the server, in one sentence."""
    try:
        decoder_layers(model.decoder)
    except UnsupportedDecoder as err:
        return f"The server decodes this model in the app ({err})."
    return "The browser decodes this model itself: its decoder's layers are ones the page runs."


def main(argv=None) -> int:
    a = parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)
    command = "python export_model.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    try:
        model, kwargs = load_model(a.factory, a.kwargs, Path(a.weights))
        data = load_dataset(a.dataset, a.data_dir, allow_download=not a.offline, image_size=a.image_size,
                            channels=a.channels)
        out = export_model(model, data, a.out, inputs=a.inputs, outputs=a.outputs, likelihood=a.likelihood,
                           gaussian_sigma=a.sigma, factory=a.factory, factory_kwargs=kwargs, maps=tuple(a.maps),
                           seed=a.seed, iwae_k=a.iwae_k, command=command)
    except (DataNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    own = OwnModel(model, a.inputs, a.outputs, a.likelihood, a.sigma, list(data.x_test.shape[1:]))
    print(f"wrote {out}. {browser_note(own)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
