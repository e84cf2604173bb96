"""PyTorch reference for Deep Dream on MobileNet v1 (tfjs weights from ../shared/models rebuilt in torch).

Independent of the TypeScript code: BN folded here from the raw weights, TF 'same' padding done by hand.
Modes (run with /usr/bin/python3, torch 1.13):
  bench MODEL_DIR SIZE REPS LAYER        -> JSON {"ms": median ms of one dream step, "threads": n}
  step MODEL_DIR IN.raw W H LAYER STEP OUT.raw
      one untiled dream step (no jitter) on 8-bit RGBA IN.raw; writes float32 RGB in [-1, 1].
"""
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("DREAM_TORCH_THREADS", "2")))
# DREAM_TORCH_DEVICE=cuda times the same step on a GPU (MODEL_DIR "random" when the weights are absent).
DEVICE = os.environ.get("DREAM_TORCH_DEVICE", "cpu")


def sync():
    if DEVICE.startswith("cuda"):
        torch.cuda.synchronize()


def random_weights():
    """MobileNet v1 0.75 shapes with random values: timing runs on machines without the weights."""
    rng = np.random.default_rng(0)
    chans = [24, 48, 96, 96, 192, 192, 384, 384, 384, 384, 384, 384, 768, 768]
    out = {"conv1/kernel": rng.normal(0, 0.1, (3, 3, 3, 24)).astype(np.float32)}

    def bn(name, c):
        out[f"{name}/gamma"] = np.ones(c, np.float32)
        out[f"{name}/beta"] = np.zeros(c, np.float32)
        out[f"{name}/moving_mean"] = np.zeros(c, np.float32)
        out[f"{name}/moving_variance"] = np.ones(c, np.float32)

    bn("conv1_bn", 24)
    for i in range(1, 14):
        cin, cout = chans[i - 1], chans[i]
        out[f"conv_dw_{i}/depthwise_kernel"] = rng.normal(0, 0.1, (3, 3, cin, 1)).astype(np.float32)
        out[f"conv_pw_{i}/kernel"] = rng.normal(0, 0.1, (1, 1, cin, cout)).astype(np.float32)
        bn(f"conv_dw_{i}_bn", cin)
        bn(f"conv_pw_{i}_bn", cout)
    return out


def load_weights(model_dir):
    if model_dir == "random":
        return random_weights()
    with open(os.path.join(model_dir, "model.json")) as f:
        m = json.load(f)
    out = {}
    for group in m["weightsManifest"]:
        buf = b"".join(open(os.path.join(model_dir, p), "rb").read() for p in group["paths"])
        off = 0
        for w in group["weights"]:
            assert w.get("dtype", "float32") == "float32" and "quantization" not in w
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            out[w["name"]] = np.frombuffer(buf, dtype=np.float32, count=n, offset=off).reshape(w["shape"])
            off += 4 * n
    return out


def same_pad(x, k, s):
    """TF 'same' padding: total = max((ceil(n/s)-1)*s + k - n, 0), the extra pixel at the end."""
    h, w = x.shape[2], x.shape[3]
    ph = max((-(-h // s) - 1) * s + k - h, 0)
    pw = max((-(-w // s) - 1) * s + k - w, 0)
    return F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2))


class MobileNet:
    STRIDES = {1: 1, 2: 2, 3: 1, 4: 2, 5: 1, 6: 2, 7: 1, 8: 1, 9: 1, 10: 1, 11: 1, 12: 2, 13: 1}

    def __init__(self, model_dir):
        w = load_weights(model_dir)

        def fold(kernel_oihw, bn):
            g, b, mu, var = (w[f"{bn}/{k}"] for k in ("gamma", "beta", "moving_mean", "moving_variance"))
            scale = g / np.sqrt(var + 1e-3)
            k = torch.tensor(np.ascontiguousarray(kernel_oihw * scale[:, None, None, None]))
            return k.to(DEVICE), torch.tensor(b - mu * scale).to(DEVICE)

        self.conv1 = fold(w["conv1/kernel"].transpose(3, 2, 0, 1), "conv1_bn")
        self.blocks = []
        for i in range(1, 14):
            dw = fold(w[f"conv_dw_{i}/depthwise_kernel"].transpose(2, 3, 0, 1), f"conv_dw_{i}_bn")
            pw = fold(w[f"conv_pw_{i}/kernel"].transpose(3, 2, 0, 1), f"conv_pw_{i}_bn")
            self.blocks.append((dw, pw, self.STRIDES[i]))

    def forward(self, x, layer):
        """x: [1,3,H,W] in [-1,1] -> activation of conv_pw_K_relu (or conv1_relu)."""
        k, b = self.conv1
        x = torch.clamp(F.conv2d(same_pad(x, 3, 2), k, b, stride=2), 0, 6)
        if layer == "conv1_relu":
            return x
        for i, ((dk, db), (pk, pb), s) in enumerate(self.blocks, start=1):
            x = torch.clamp(F.conv2d(same_pad(x, 3, s), dk, db, stride=s, groups=dk.shape[0]), 0, 6)
            x = torch.clamp(F.conv2d(x, pk, pb), 0, 6)
            if layer == f"conv_pw_{i}_relu":
                return x
        raise ValueError(layer)


def dream_step(net, x, layer, step):
    """One step: ascend mean activation, gradient divided by its std (as the engine's default)."""
    x = x.detach().requires_grad_(True)
    loss = net.forward(x, layer).mean()
    (g,) = torch.autograd.grad(loss, x)
    g = g / (g.std(unbiased=False) + 1e-8)
    return torch.clamp(x.detach() + step * g, -1, 1)


def main():
    mode = sys.argv[1]
    net = MobileNet(sys.argv[2])
    if mode == "bench":
        size, reps, layer = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
        gen = torch.Generator().manual_seed(0)
        x = (torch.rand(1, 3, size, size, generator=gen) * 2 - 1).to(DEVICE)
        dream_step(net, x, layer, 0.01)  # warm-up
        sync()
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            x = dream_step(net, x, layer, 0.01)
            sync()
            times.append((time.perf_counter() - t) * 1000)
        print(json.dumps({"ms": statistics.median(times), "threads": torch.get_num_threads(), "device": DEVICE}))
    elif mode == "step":
        path, w, h, layer, step, out = sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], float(sys.argv[7]), sys.argv[8]
        rgba = np.fromfile(path, dtype=np.uint8).reshape(h, w, 4)
        x = torch.tensor(rgba[:, :, :3].astype(np.float32) / 127.5 - 1).permute(2, 0, 1)[None]
        y = dream_step(net, x, layer, step)
        y[0].permute(1, 2, 0).numpy().astype(np.float32).tofile(out)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
