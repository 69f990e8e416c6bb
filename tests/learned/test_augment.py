"""Training-time augmentations of the layout model."""
import pytest

torch = pytest.importorskip("torch")

from sohoa.training.train import mask_tokens  # noqa: E402


def test_token_mask_spares_special_and_padding_tokens():
    torch.manual_seed(0)
    cls, sep, pad, mask_id = 2, 3, 0, 4
    ids = torch.tensor([[cls] + list(range(10, 410)) + [sep, pad, pad]])
    att = torch.tensor([[1] * 402 + [0, 0]])
    out = mask_tokens(ids, att, 0.15, mask_id, [pad, cls, sep])
    hit = out != ids
    assert out[0, 0] == cls and out[0, 401] == sep and (out[0, 402:] == pad).all()
    assert (out[hit] == mask_id).all()
    assert 0.08 < hit.float().sum().item() / 400 < 0.22  # about p of the word-pieces
    assert torch.equal(mask_tokens(ids, att, 0.0, mask_id, [pad, cls, sep]), ids)
