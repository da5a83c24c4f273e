import pytest
import torch

import train_classifier
from explorer.bundle import BundleError
from explorer.classifier import build_classifier, load_classifier, sample_quality


@pytest.mark.slow
def test_trains_on_digits_and_round_trips(tmp_path):
    assert train_classifier.main(["--dataset", "digits", "--epochs", "4", "--out", str(tmp_path / "c")]) == 0
    model = load_classifier(tmp_path / "c")
    from explorer.data import digits_28
    from explorer.classifier import accuracy

    data = digits_28()
    assert accuracy(model, data.x_test, data.y_test) > 0.8     # chance is 0.1
    (tmp_path / "c" / "classifier.safetensors").write_bytes(b"garbage")
    with pytest.raises(BundleError, match="does not match its checksum"):
        load_classifier(tmp_path / "c")


def test_sample_quality_rewards_confident_and_varied_predictions():
    model = build_classifier()

    class Fixed(torch.nn.Module):
        def __init__(self, logits):
            super().__init__()
            self.logits = logits

        def forward(self, x):
            return self.logits

    varied = Fixed(torch.eye(10).repeat(3, 1) * 50)          # each class, confidently
    same = Fixed(torch.eye(10)[[0] * 30] * 50)                # one class, confidently
    unsure = Fixed(torch.zeros(30, 10))                       # uniform
    x = torch.zeros(30, 1, 28, 28)
    assert sample_quality(varied, x)["classifier_score"] == pytest.approx(10, rel=1e-3)
    assert sample_quality(same, x)["classifier_score"] == pytest.approx(1, rel=1e-3)
    assert sample_quality(unsure, x)["classifier_score"] == pytest.approx(1, rel=1e-3)
    assert sample_quality(unsure, x)["confidence"] == pytest.approx(0.1)
    assert sample_quality(model, x)["classifier_score"] >= 1 - 1e-6
