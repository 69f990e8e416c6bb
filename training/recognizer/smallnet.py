"""A small CTC line recognizer built for CPU speed, trained from scratch (on a GPU).

Why a second architecture: the PP-OCR-based networks (v1 at height 48, v1-fast at 32) spend
1-2 s per page in the network alone on a 2-core CPU, more than Tesseract's whole page. Their
cost is in full 3x3 convolutions over tall feature maps. This network reads lines 32 px high
and spends its compute where the width is already reduced:

- a strided stem and depthwise-separable blocks shrink the height 32 -> 2 while the width goes
  to a quarter (one output frame per 4 input columns, ~2.9 frames per character, as v1-fast);
- the last two rows are folded into the channels by one convolution (the diacritics above and
  below a letter end up in different rows, so they are not averaged away as a pooling would);
- a few dilated depthwise convolutions along the width give each frame the context of its
  neighbours (a letter's tone mark may sit over its neighbour's column in italic faces), with
  no recurrent layer: ONNX Runtime runs convolutions in parallel over the width, an LSTM not.

Input and output match the exported PP-OCR graphs, so ``LineRecognizer`` runs either: x is
[B, 3, H, W] grey replicated and normalised to [-1, 1]; the ONNX output is softmax
probabilities [B, W / 4, classes] with blank = class 0.
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

DEFAULT_WIDTHS = (32, 64, 96, 128)
DEFAULT_DEPTHS = (2, 2, 2)  # separable blocks per stage


def conv_bn(cin: int, cout: int, k, stride=1, groups: int = 1, dilation=1, act: bool = True) -> nn.Sequential:
    k = (k, k) if isinstance(k, int) else k
    dilation = (dilation, dilation) if isinstance(dilation, int) else dilation
    pad = tuple(d * (kk - 1) // 2 for kk, d in zip(k, dilation))
    layers = [nn.Conv2d(cin, cout, k, stride, pad, dilation=dilation, groups=groups, bias=False),
              nn.BatchNorm2d(cout)]
    if act:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class Separable(nn.Module):
    """Depthwise 3x3 (optionally strided) then pointwise; residual when the shape is kept."""

    def __init__(self, cin: int, cout: int, stride=(1, 1)):
        super().__init__()
        self.dw = conv_bn(cin, cin, 3, stride, groups=cin)
        self.pw = conv_bn(cin, cout, 1, act=False)
        self.act = nn.ReLU(inplace=True)
        self.residual = cin == cout and tuple(stride) == (1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.pw(self.dw(x))
        return self.act(y + x if self.residual else y)


class Temporal(nn.Module):
    """Context along the line: a dilated depthwise convolution over frames, then pointwise."""

    def __init__(self, ch: int, dilation: int, kernel: int = 5):
        super().__init__()
        self.dw = conv_bn(ch, ch, (1, kernel), groups=ch, dilation=(1, dilation))
        self.pw = conv_bn(ch, ch, 1, act=False)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(x + self.pw(self.dw(x)))


class SmallRecNet(nn.Module):
    stride = 4  # input columns per output frame
    frozen_bn = False  # set by load_folded: batch norms stay in eval mode

    def __init__(self, chars: list[str], height: int = 32, widths=DEFAULT_WIDTHS, seq: int = 192,
                 temporal=(1, 2, 4), depths=DEFAULT_DEPTHS):
        super().__init__()
        if height % 16:
            raise ValueError("the small recognizer needs a line height divisible by 16")
        self.chars, self.height = list(chars), height
        self.config = {"arch": "small", "height": height, "widths": list(widths), "seq": seq,
                       "temporal": list(temporal), "depths": list(depths)}
        layers: list[nn.Module] = [conv_bn(1, widths[0], 3, 2)]  # H/2, W/2
        # each stage halves the height (the first also the width: W/4 from there on)
        for i, (cin, cout, n) in enumerate(zip(widths, widths[1:], depths)):
            layers.append(Separable(cin, cout, (2, 2) if i == 0 else (2, 1)))
            layers += [Separable(cout, cout) for _ in range(n - 1)]
        self.features = nn.Sequential(*layers)  # H/16
        w3 = widths[-1]
        self.fold = conv_bn(w3, seq, (height // 16, 1))  # the remaining rows -> channels
        self.context = nn.Sequential(*[Temporal(seq, d) for d in temporal])
        self.head = nn.Conv2d(seq, len(chars) + 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, 3, height, W] in [-1, 1] (grey replicated); returns logits [B, W/4, classes]."""
        y = self.head(self.context(self.fold(self.features(x[:, :1]))))  # [B, K, 1, T]
        return y.squeeze(2).transpose(1, 2)

    def train(self, mode: bool = True) -> "SmallRecNet":
        super().train(mode)
        if self.frozen_bn:
            for m in self.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.eval()
        return self

    def load_folded(self, onnx_path: Path) -> None:
        """Continue from an exported model. The export folded each batch norm into the convolution
        before it; here each batch norm becomes the identity plus that folded bias (zero mean,
        unit variance) and stays in eval mode from now on, so training starts from exactly the
        exported function (fine-tuning with frozen batch statistics)."""
        import onnx
        from onnx import numpy_helper
        model = onnx.load(str(onnx_path))
        inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
        nodes = [n for n in model.graph.node if n.op_type == "Conv"]
        convs = [m for m in self.modules() if isinstance(m, nn.Conv2d)]
        bn_after = {id(seq[0]): seq[1] for seq in self.modules()
                    if isinstance(seq, nn.Sequential) and len(seq) > 1 and isinstance(seq[1], nn.BatchNorm2d)}
        if len(nodes) != len(convs):
            raise ValueError(f"{onnx_path}: {len(nodes)} convolutions, this network has {len(convs)}")
        with torch.no_grad():
            for node, conv in zip(nodes, convs):
                w = torch.from_numpy(inits[node.input[1]].copy())
                b = torch.from_numpy(inits[node.input[2]].copy()) if len(node.input) > 2 else torch.zeros(w.shape[0])
                if w.shape != conv.weight.shape:
                    raise ValueError(f"{onnx_path}: {node.name} is {tuple(w.shape)}, expected {tuple(conv.weight.shape)}")
                conv.weight.copy_(w)
                bn = bn_after.get(id(conv))
                if bn is None:
                    conv.bias.copy_(b)
                else:
                    bn.running_mean.zero_()
                    bn.running_var.fill_(1.0 - bn.eps)
                    bn.weight.fill_(1.0)
                    bn.bias.copy_(b)
        self.frozen_bn = True
        self.train(self.training)

    @classmethod
    def from_config(cls, chars: list[str], config: dict) -> "SmallRecNet":
        """The network a ``config`` (a run's config.json, a manifest's ``architecture``) describes;
        keys it leaves out take ``__init__``'s defaults."""
        keys = ("height", "widths", "seq", "temporal", "depths")
        return cls(chars, **{k: tuple(v) if isinstance(v, list) else v for k, v in config.items() if k in keys})


class _WithSoftmax(nn.Module):
    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.softmax(self.net(x), -1)


def export_small_onnx(net: SmallRecNet, out: Path) -> None:
    """ONNX with dynamic batch and width, softmax output, charset in the ``character`` metadata
    (as the PP-OCR-based exports), batch norms folded by ONNX Runtime at load."""
    import onnx
    # the wrapper too: torch 2.13's exporter traces in the top module's mode, and a wrapper left in
    # training mode exports batch statistics instead of the learned ones
    net = net.eval().cpu()
    wrapped = _WithSoftmax(net).eval()
    out.parent.mkdir(parents=True, exist_ok=True)
    x = torch.zeros(2, 3, net.height, 256)
    kwargs = dict(input_names=["x"], output_names=["probs"], opset_version=17,
                  dynamic_axes={"x": {0: "batch", 3: "width"}, "probs": {0: "batch", 1: "frames"}})
    try:
        torch.onnx.export(wrapped, (x,), str(out), dynamo=False, **kwargs)
    except TypeError:  # torch without the dynamo switch
        torch.onnx.export(wrapped, (x,), str(out), **kwargs)
    model = onnx.load(str(out))
    del model.metadata_props[:]
    for k, v in (("character", "\n".join(net.chars)), ("producer", "sohoa.training.recognizer.smallnet")):
        p = model.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(model)
    onnx.save(model, str(out))
