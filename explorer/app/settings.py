"""Where the app finds its bundles: `python app.py --checkpoints DIR [DIR ...]`, else the environment variable
LATENT_EXPLORER_CHECKPOINTS (folders separated by os.pathsep, ":" on Linux and macOS), else the repository's
checkpoints/. Several folders are served together; a pair name found in an earlier folder wins."""
import argparse
import os
from pathlib import Path

ENV = "LATENT_EXPLORER_CHECKPOINTS"


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
