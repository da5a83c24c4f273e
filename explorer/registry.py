"""The bundles the app serves: those loaded at start-up (shared by every user, read-only) and the models trained in
the app while it runs (added and dropped whole; listed only to the session that trained them)."""
from dataclasses import dataclass, field
from pathlib import Path

from explorer.bundle import Bundle, BundleError, find_bundles, load_bundle
from explorer.errors import UserError

ECHO = 80    # at most this many characters of a user's input are repeated back in a message


class UnknownModel(UserError):
    """A model or pair name that is not in the registry."""


@dataclass
class Registry:
    bundles: dict[str, Bundle] = field(default_factory=dict)    # "digits-mlp-z2/vae" -> Bundle
    problems: list[str] = field(default_factory=list)           # one sentence per bundle that failed
    added: set[str] = field(default_factory=set)                 # pairs added while the app runs (add)

    @property
    def pairs(self) -> dict[str, dict[str, str]]:
        """Bundles grouped by folder: {"digits-mlp-z2": {"vae": "digits-mlp-z2/vae", "ae": "digits-mlp-z2/ae"}}."""
        pairs: dict[str, dict[str, str]] = {}
        for key, bundle in list(self.bundles.items()):   # a copy: another thread may add a pair meanwhile
            pairs.setdefault(Path(key).parent.as_posix(), {})[bundle.kind] = key
        return dict(sorted(pairs.items()))

    @property
    def shipped(self) -> list[str]:
        """The pairs loaded at start-up, which every user sees."""
        return [p for p in self.pairs if p not in self.added]

    def add(self, pair: str, bundles: list[Bundle]) -> None:
        """Serve `bundles` (a model trained while the app runs, or a VAE and its AE twin) as a new pair, under
        "pair/<kind>". The dict is changed in place: the maps' server functions hold it."""
        if pair in self.pairs:
            raise ValueError(f"there is a pair {pair!r} already")
        self.added.add(pair)
        for bundle in bundles:
            self.bundles[f"{pair}/{bundle.kind}"] = bundle

    def drop(self, pair: str) -> list[Bundle]:
        """Stop serving an added pair (a page still showing it is told to choose another); its bundles."""
        dropped = [self.bundles.pop(key) for key in self.pairs.get(pair, {}).values() if key in self.bundles]
        self.added.discard(pair)
        return dropped

    def pair(self, name: str | None) -> tuple[Bundle | None, Bundle | None]:
        """(VAE, AE) of a pair; either may be None when only one model was trained. UnknownModel for no pair."""
        if not isinstance(name, str) or name not in self.pairs:
            raise UnknownModel("Choose a model pair from the list at the top.")
        keys = self.pairs[name]
        return self.bundles.get(keys.get("vae")), self.bundles.get(keys.get("ae"))

    def label(self, pair: str) -> str:
        """How a pair reads in a picker: data · backbone · latent size · beta   (its name)."""
        b = self.model_of(pair)
        beta = b.config.get("training", {}).get("beta")
        kinds = " + ".join(kind.upper() for kind in self.pairs[pair])
        head = f"Trained here: {kinds} · " if pair in self.added else ""
        size = "" if b.image_shape == (1, 28, 28) else f" · {b.image_shape[1]} px{' colour' if b.colour else ''}"
        return (f"{head}{b.dataset} · {b.backbone}{size} · latent {b.latent_dim}"
                + ("" if beta is None else f" · β = {beta:g}") + f"   ({pair})")

    def model_of(self, pair: str | None) -> Bundle:
        """A model of the pair (the VAE when there is one), for what both share: data, test images, latent size."""
        vae, ae = self.pair(pair)
        return vae or ae

    def model(self, key) -> Bundle:
        """The bundle named `key` ("pair/vae"); UnknownModel with the names to choose from."""
        if not isinstance(key, str) or key not in self.bundles:
            shown = repr(key)[:ECHO] + ("…" if len(repr(key)) > ECHO else "")
            names = [k for k in self.bundles if Path(k).parent.as_posix() not in self.added]
            raise UnknownModel(f"Unknown model {shown}; choose one of: {', '.join(names)}.")
        return self.bundles[key]

    def shared_maps(self, pair: str) -> list[str]:
        """The maps every model of the pair has, in display order, e.g. ["latent"] or ["pca", "umap"]."""
        names = [self.bundles[key].map_names for key in self.pairs[pair].values()]
        return [n for n in names[0] if all(n in other for other in names)]


def load_registry(roots: Path | list[Path], allow_model_code: bool = False) -> Registry:
    """Every bundle under `roots` (a folder, or several searched in order); a broken one (or a pair whose models
    cannot be shown together, or a pair name an earlier folder has) is skipped and named in one sentence, never
    fatal. The sentences name no server path: a folder is named by its place in the list. `allow_model_code`: load
    bundles of models of one's own, importing the code they name (explorer/own_model.py)."""
    roots = [roots] if isinstance(roots, (str, Path)) else list(roots)
    reg = Registry()
    for n, root in enumerate(Path(r) for r in roots):
        where = "" if len(roots) == 1 else f" in checkpoints folder {n + 1}"
        taken = set(reg.pairs)
        for path in find_bundles(root) if root.is_dir() else []:
            key = path.relative_to(root).as_posix()
            if Path(key).parent.as_posix() in taken:
                reg.problems.append(f"`{key}`{where} was skipped: an earlier checkpoints folder has a pair of that "
                                    "name.")
                continue
            try:
                reg.bundles[key] = load_bundle(path, allow_model_code=allow_model_code)
            except BundleError as err:
                reg.problems.append(f"`{key}`{where} was skipped: {err}")
            except Exception as err:   # its text may hold server paths: the type says enough
                reg.problems.append(f"`{key}`{where} was skipped: it could not be read ({type(err).__name__}).")
    for pair, keys in reg.pairs.items():
        if len({reg.bundles[key].image_shape for key in keys.values()}) > 1:
            for key in keys.values():
                del reg.bundles[key]
            reg.problems.append(f"`{pair}` was skipped: its models take pictures of different sizes or colours.")
        elif not reg.shared_maps(pair):
            for key in keys.values():
                del reg.bundles[key]
            reg.problems.append(f"`{pair}` was skipped: its models share no map (one is 2-D, the other is not).")
    return reg
