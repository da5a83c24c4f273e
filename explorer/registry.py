"""The bundles the app serves, loaded once at start-up and read-only afterwards (shared by every user)."""
from dataclasses import dataclass, field
from pathlib import Path

from explorer.bundle import Bundle, find_bundles, load_bundle


@dataclass
class Registry:
    bundles: dict[str, Bundle] = field(default_factory=dict)    # "digits-mlp-z2/vae" -> Bundle
    problems: list[str] = field(default_factory=list)           # one sentence per bundle that failed

    @property
    def pairs(self) -> dict[str, dict[str, str]]:
        """Bundles grouped by folder: {"digits-mlp-z2": {"vae": "digits-mlp-z2/vae", "ae": "digits-mlp-z2/ae"}}."""
        pairs: dict[str, dict[str, str]] = {}
        for key, bundle in self.bundles.items():
            pairs.setdefault(Path(key).parent.as_posix(), {})[bundle.kind] = key
        return dict(sorted(pairs.items()))

    def pair(self, name: str) -> tuple[Bundle | None, Bundle | None]:
        """(VAE, AE) of a pair; either may be None when only one model was trained."""
        keys = self.pairs.get(name, {})
        return self.bundles.get(keys.get("vae")), self.bundles.get(keys.get("ae"))


def load_registry(root: Path) -> Registry:
    """Every bundle under `root`; a broken one is skipped and reported, never fatal."""
    reg = Registry()
    for path in find_bundles(root) if root.is_dir() else []:
        key = path.relative_to(root).as_posix()
        try:
            reg.bundles[key] = load_bundle(path)
        except Exception as err:
            reg.problems.append(f"`{key}` was skipped: {err}")
    return reg
