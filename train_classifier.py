"""Train the small classifier that scores decoded samples in the app's Compare view.

    python train_classifier.py --dataset fashion-mnist --out checkpoints/classifiers/fashion-mnist
"""
import argparse
import shlex
import sys

import torch

from explorer.classifier import accuracy, save_classifier, train_classifier
from explorer.data import DATASETS, DataNotFoundError, load_dataset


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="fashion-mnist", choices=DATASETS)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--offline", action="store_true")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    torch.manual_seed(a.seed)
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.set_flush_denormal(True)
    try:
        data = load_dataset(a.dataset, a.data_dir, allow_download=not a.offline)
    except DataNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    model = train_classifier(data, a.epochs, a.seed)
    acc = accuracy(model, data.x_test, data.y_test)
    command = "python train_classifier.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    save_classifier(model, a.out, {"dataset": a.dataset, "n_classes": len(data.class_names),
                                   "class_names": data.class_names, "test_accuracy": acc, "command": command})
    print(f"{a.dataset} classifier: test accuracy {acc:.4f}, wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
