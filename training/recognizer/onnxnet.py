"""Route (b): the PP-OCR recognizer's pretrained network, run in torch for fine-tuning.

The ONNX graph of ``PP-OCRv6_rec_small.onnx`` (shipped in the ``rapidocr`` wheel) is executed
node by node with torch operations; its float initializers become trainable parameters. The
Chinese/Latin CTC head (a MatMul + Add to 18710 classes) is replaced by a Vietnamese one,
initialised from the old head's rows for the characters both alphabets share.

Export is the reverse: the same ONNX graph, with the trained values written back into its
initializers and the head's weight and bias replaced (new class count), so the exported model
is exactly the graph ONNX Runtime already runs well, with dynamic batch and width.
"""
from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import helper, numpy_helper, shape_inference
from torch import nn


def rapidocr_model_path(name: str = "PP-OCRv6_rec_small.onnx") -> Path:
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.origin:
        raise FileNotFoundError("the rapidocr wheel is not installed")
    p = Path(spec.origin).parent / "models" / name
    if not p.exists():
        raise FileNotFoundError(p)
    return p


def retarget_height(model: onnx.ModelProto, height: int) -> onnx.ModelProto:
    """The recognizer graph for input lines ``height`` pixels high instead of 48, one output
    frame per 4 input columns instead of 8.

    Why: the network's cost grows with the square of the line height, and the PP-OCR network
    read at height 32 (with its last pooling no longer halving the width) still reads held-out
    lines at CER 0.036 before any fine-tuning: a small change that fine-tuning mends, for about
    half the compute. The frame rate doubles so that a line keeps ~2.9 frames per character
    (CTC needs at least one per letter plus a blank between doubled ones; at height 32 with the
    old stride 2 % of lines cannot be spelled at all). Only the final AveragePool changes: its
    window becomes the feature map's whole height and 1 column.
    """
    out = onnx.ModelProto()
    out.CopyFrom(model)
    g = out.graph
    probe = onnx.ModelProto()
    probe.CopyFrom(out)
    dims = probe.graph.input[0].type.tensor_type.shape.dim
    dims[0].dim_value, dims[2].dim_value, dims[3].dim_value = 1, height, 64
    del probe.graph.value_info[:]
    probe = shape_inference.infer_shapes(probe)
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim] for v in probe.graph.value_info}
    pools = [n for n in g.node if n.op_type == "AveragePool"]
    if len(pools) != 1 or pools[0].input[0] not in shapes:
        raise ValueError("expected the PP-OCR recognizer graph (one AveragePool before the neck)")
    feat_h = shapes[pools[0].input[0]][2]
    for name, value in (("kernel_shape", [feat_h, 1]), ("strides", [feat_h, 1])):
        for a in list(pools[0].attribute):
            if a.name == name:
                pools[0].attribute.remove(a)
        pools[0].attribute.append(helper.make_attribute(name, value))
    g.input[0].type.tensor_type.shape.dim[2].dim_value = height
    del g.value_info[:]
    return out


def output_stride(model: onnx.ModelProto) -> int:
    """Input columns per output frame: the backbone halves the width twice, the last pool
    once more unless the graph was retargeted."""
    pool = next(n for n in model.graph.node if n.op_type == "AveragePool")
    return 4 * int(_attrs(pool).get("strides", [1, 1])[1])


def _attrs(node) -> dict:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _safe(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z_]", "_", name)


class OnnxNet(nn.Module):
    """An ONNX inference graph as a trainable torch module, up to the CTC head's input."""

    def __init__(self, model: onnx.ModelProto):
        super().__init__()
        g = model.graph
        self.model = model
        inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
        # the head: the last MatMul with a 2-D constant right operand, then Add with a bias
        nodes = list(g.node)
        hi = max(i for i, n in enumerate(nodes) if n.op_type == "MatMul" and n.input[1] in inits
                 and inits[n.input[1]].ndim == 2)
        self.head_w_name = nodes[hi].input[1]
        self.feat_name = nodes[hi].input[0]
        add = nodes[hi + 1]
        assert add.op_type == "Add"
        self.head_b_name = [i for i in add.input if i in inits][0]
        self.nodes = nodes[:hi]
        self.input_name = g.input[0].name
        self.params = nn.ParameterDict()
        self.consts: dict[str, torch.Tensor] = {}
        self.pname: dict[str, str] = {}
        for name, arr in inits.items():
            if name in (self.head_w_name, self.head_b_name):
                continue
            if arr.dtype == np.float32 and arr.size > 1:
                key = _safe(name)
                self.params[key] = nn.Parameter(torch.from_numpy(arr.copy()))
                self.pname[name] = key
            else:
                self.consts[name] = torch.from_numpy(arr.copy())
        self.old_head_w = inits[self.head_w_name]
        self.old_head_b = inits[self.head_b_name]
        self.feat_dim = self.old_head_w.shape[0]
        self.attrs = [_attrs(n) for n in self.nodes]

    def _get(self, env, name):
        if name in env:
            return env[name]
        if name in self.pname:
            return self.params[self.pname[name]]
        c = self.consts[name]
        return c

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        env: dict[str, torch.Tensor] = {self.input_name: x}
        dev = x.device
        for node, at in zip(self.nodes, self.attrs):
            ins = [self._get(env, i) if i else None for i in node.input]
            ins = [t.to(dev) if isinstance(t, torch.Tensor) and t.is_floating_point() and t.device != dev else t
                   for t in ins]
            op = node.op_type
            if op == "Identity":
                y = ins[0]
            elif op == "Conv":
                xin, stride = ins[0], at.get("strides", [1, 1])
                if at.get("auto_pad", b"NOTSET") in (b"SAME_UPPER", "SAME_UPPER"):
                    xin = F.pad(xin, _same_upper(xin, at["kernel_shape"], stride))
                    pads = [0, 0, 0, 0]
                else:
                    pads = at.get("pads", [0, 0, 0, 0])
                if pads[0] != pads[2] or pads[1] != pads[3]:
                    xin = F.pad(xin, (pads[1], pads[3], pads[0], pads[2]))
                    pads = [0, 0, 0, 0]
                y = F.conv2d(xin, ins[1], ins[2] if len(ins) > 2 else None, stride=stride,
                             padding=(pads[0], pads[1]), dilation=at.get("dilations", 1), groups=at.get("group", 1))
            elif op == "Add":
                y = ins[0] + ins[1]
            elif op == "Sub":
                y = ins[0] - ins[1]
            elif op == "Mul":
                y = ins[0] * ins[1]
            elif op == "Div":
                y = ins[0] / ins[1]
            elif op == "Pow":
                y = ins[0] ** ins[1]
            elif op == "Sqrt":
                y = torch.sqrt(ins[0])
            elif op == "Erf":
                y = torch.erf(ins[0])
            elif op == "Relu":
                y = F.relu(ins[0])
            elif op == "Sigmoid":
                y = torch.sigmoid(ins[0])
            elif op == "HardSigmoid":
                y = torch.clamp(ins[0] * at.get("alpha", 0.2) + at.get("beta", 0.5), 0, 1)
            elif op == "MatMul":
                y = torch.matmul(ins[0], ins[1])
            elif op == "Softmax":
                y = torch.softmax(ins[0], dim=at.get("axis", -1))
            elif op == "ReduceMean":
                y = ins[0].mean(dim=tuple(at["axes"]), keepdim=bool(at.get("keepdims", 1)))
            elif op == "Transpose":
                y = ins[0].permute(*at["perm"])
            elif op == "Squeeze":
                y = ins[0]
                for a in sorted(at["axes"], reverse=True):
                    y = y.squeeze(a)
            elif op == "Unsqueeze":
                y = ins[0]
                for a in sorted(at["axes"]):
                    y = y.unsqueeze(a)
            elif op == "Shape":
                y = torch.tensor(ins[0].shape, dtype=torch.int64)
            elif op == "Concat":
                ts = [t.to(torch.int64) if t.dtype == torch.int64 else t for t in ins]
                if ts[0].dtype == torch.int64:
                    ts = [t.cpu().reshape(-1) if t.dim() <= 1 else t for t in ts]
                y = torch.cat(ts, dim=at["axis"])
            elif op == "Slice":
                data = ins[0]
                starts, ends = ins[1].tolist(), ins[2].tolist()
                axes = ins[3].tolist() if len(ins) > 3 and ins[3] is not None else list(range(len(starts)))
                steps = ins[4].tolist() if len(ins) > 4 and ins[4] is not None else [1] * len(starts)
                idx = [slice(None)] * data.dim()
                for s, e, a, st in zip(starts, ends, axes, steps):
                    n = data.shape[a]
                    s = max(-n, min(n, s)) if s < 0 else min(n, s)
                    e = max(-n - 1, e) if e < 0 else min(n, e)
                    idx[a] = slice(s, e, st)
                y = data[tuple(idx)]
            elif op == "Reshape":
                shape = [int(v) for v in ins[1].tolist()]
                shape = [ins[0].shape[i] if v == 0 else v for i, v in enumerate(shape)]
                y = ins[0].reshape(shape)
            elif op == "BatchNormalization":
                y = F.batch_norm(ins[0], ins[3].detach(), ins[4].detach(), ins[1], ins[2], training=False, eps=at.get("epsilon", 1e-5))
            elif op == "MaxPool":
                k, s = at["kernel_shape"], at.get("strides", [1, 1])
                if at.get("auto_pad", b"NOTSET") in (b"SAME_UPPER", "SAME_UPPER"):
                    xx = F.pad(ins[0], _same_upper(ins[0], k, s), value=float("-inf"))
                    y = F.max_pool2d(xx, k, s)
                else:
                    p = at.get("pads", [0, 0, 0, 0])
                    y = F.max_pool2d(ins[0], k, s, padding=(p[0], p[1]))
            elif op == "AveragePool":
                p = at.get("pads", [0, 0, 0, 0])
                y = F.avg_pool2d(ins[0], at["kernel_shape"], at.get("strides"), padding=(p[0], p[1]),
                                 ceil_mode=bool(at.get("ceil_mode", 0)),
                                 count_include_pad=bool(at.get("count_include_pad", 0)))
            else:
                raise NotImplementedError(f"ONNX op {op} ({node.name})")
            env[node.output[0]] = y
        return env[self.feat_name]


def _same_upper(x: torch.Tensor, k, s) -> tuple[int, int, int, int]:
    """F.pad's (left, right, top, bottom) for ONNX auto_pad=SAME_UPPER (extra at the end)."""
    h, w = x.shape[2], x.shape[3]
    ph = max(0, (-(-h // s[0]) - 1) * s[0] + k[0] - h)
    pw = max(0, (-(-w // s[1]) - 1) * s[1] + k[1] - w)
    return (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2)


class RecNet(nn.Module):
    """Pretrained PP-OCR backbone + a new Vietnamese CTC head (blank = class 0)."""

    def __init__(self, chars: list[str], onnx_path: Path | None = None, height: int = 48):
        super().__init__()
        model = onnx.load(str(onnx_path or os.environ.get("SOHOA_PPOCR_REC") or rapidocr_model_path()))
        declared = model.graph.input[0].type.tensor_type.shape.dim[2].dim_value
        if height != declared:
            model = retarget_height(model, height)
        self.height, self.stride = height, output_stride(model)
        self.body = OnnxNet(model)
        old_chars = [p.value for p in model.metadata_props if p.key == "character"][0].splitlines()
        self.chars = list(chars)
        n = len(chars) + 1
        self.head = nn.Linear(self.body.feat_dim, n)
        w_old, b_old = self.body.old_head_w, self.body.old_head_b  # [C, K], [K]
        old_index = {c: i + 1 for i, c in enumerate(old_chars)}
        if " " not in old_index:
            old_index[" "] = w_old.shape[1] - 1  # rapidocr appends the space as the last class
        with torch.no_grad():
            W = torch.randn(n, self.body.feat_dim) * 0.02
            B = torch.full((n,), float(np.median(b_old)))
            W[0], B[0] = torch.from_numpy(w_old[:, 0].copy()), float(b_old[0])
            import unicodedata
            for i, c in enumerate(chars, start=1):
                src = c if c in old_index else unicodedata.normalize("NFD", c)[0]  # base letter
                if src in old_index:
                    W[i] = torch.from_numpy(w_old[:, old_index[src]].copy())
                    B[i] = float(b_old[old_index[src]]) - (0.0 if src == c else 1.0)
            self.head.weight.copy_(W)
            self.head.bias.copy_(B)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, 3, height, W] normalised to [-1, 1]; returns logits [B, T, classes]."""
        return self.head(self.body(x))

    def trainable_groups(self, freeze_below: int = 0):
        """Parameters in graph order; the first ``freeze_below`` fraction (0..1) is frozen."""
        names = list(self.body.params.keys())
        cut = int(len(names) * freeze_below)
        for i, k in enumerate(names):
            self.body.params[k].requires_grad_(i >= cut)
        return [p for p in self.parameters() if p.requires_grad]


def export_onnx(net: RecNet, out: Path) -> None:
    """Write the trained network as ONNX: the original graph with trained initializers, a new
    head and softmax output over our charset (metadata ``character`` = charset lines)."""
    model = onnx.ModelProto()
    model.CopyFrom(net.body.model)
    g = model.graph
    body = net.body
    new = []
    for init in g.initializer:
        name = init.name
        if name == body.head_w_name:
            arr = net.head.weight.detach().cpu().numpy().T.copy()
        elif name == body.head_b_name:
            arr = net.head.bias.detach().cpu().numpy().copy()
        elif name in body.pname:
            arr = body.params[body.pname[name]].detach().cpu().numpy()
        else:
            new.append(init)
            continue
        new.append(numpy_helper.from_array(arr.astype(np.float32), name))
    del g.initializer[:]
    g.initializer.extend(new)
    del g.value_info[:]  # intermediate shapes of the old head; ONNX Runtime infers them again
    out_vi = g.output[0]
    out_vi.type.tensor_type.shape.dim[-1].dim_value = len(net.chars) + 1
    del model.metadata_props[:]
    for k, v in (("character", "\n".join(net.chars)), ("producer", "sohoa.training.recognizer")):
        p = model.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out))
