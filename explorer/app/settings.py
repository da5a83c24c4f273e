"""Where the app finds its bundles: `python app.py --checkpoints DIR [DIR ...]`, else the environment variable
LATENT_EXPLORER_CHECKPOINTS (folders separated by os.pathsep, ":" on Linux and macOS), else the repository's
checkpoints/. Several folders are served together; a pair name found in an earlier folder wins.
Bundles of models of one's own (explorer/own_model.py) name code to import: the app loads them only with
`--allow-model-code` (or LATENT_EXPLORER_ALLOW_MODEL_CODE=1)."""
import argparse
import os
from pathlib import Path

ENV = "LATENT_EXPLORER_CHECKPOINTS"
CODE_ENV = "LATENT_EXPLORER_ALLOW_MODEL_CODE"


def checkpoint_folders(argv: list[str], environ: dict, default: Path) -> list[Path]:
    """The checkpoint folders, in the order they are searched. Arguments other than --checkpoints are left to
    whoever else reads the command line (gradio's own)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--checkpoints", nargs="+", type=Path)
    given, _ = parser.parse_known_args(argv)
    if given.checkpoints:
        return given.checkpoints
    if environ.get(ENV):
        return [Path(p) for p in environ[ENV].split(os.pathsep) if p]
    return [default]


def allow_model_code(argv: list[str], environ: dict) -> bool:
    """Whether the person running the app consents to importing the code that bundles of their own models name."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--allow-model-code", action="store_true")
    given, _ = parser.parse_known_args(argv)
    return given.allow_model_code or environ.get(CODE_ENV, "") == "1"
