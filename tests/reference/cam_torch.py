"""Every CAM method of Onirique's Explain panel written again from the papers in PyTorch, on the
MobileNet rebuilt by mobilenet_torch.py: the independent reference of tests/unit/explain-methods*.

Definitions (NCHW; A = target-layer activation, g = d(class logit)/dA; map = ReLU(sum over channels)
unless said otherwise):
  gradcam      Selvaraju et al. 2017: w_k = mean(g_k)
  gradcam++    Chattopadhay et al. 2018, closed form: alpha = g^2 / (2 g^2 + sum(A) g^3 + eps), w_k = sum(relu(g) alpha)
  hirescam     Draelos & Carin 2020: element-wise g * A
  xgradcam     Fu et al. 2020: w_k = sum(g A) / (sum(A) + 1e-7)
  layercam     Jiang et al. 2021: element-wise relu(g) * A
  eigencam     Muhammad & Yeasin 2020: first principal component of A (positions x channels, centred)
  eigengradcam the same of g * A
  ablationcam  Desai & Ramaswamy 2020: w_k = (y - y with channel k zeroed) / y
  scorecam     Wang et al. 2020: mask_k = minmax(upsample(A_k)); w = softmax(logit(x * mask_k))
  guided       Springenberg et al. guided backprop times the upsampled min-max CAM, then deprocess_image
eigen=True replaces the channel sum by the first principal component of the weighted activations.
Principal-component sign: oriented so that the channel loadings sum to >= 0.

usage: cam_torch.py MODEL_DIR JOB.json OUT.json
  JOB: {"cases": [{"input": "x.npy" (float32 [224,224,3] model range), "layer": L, "cls": N,
        "methods": [{"method": M, "eigen": bool, "eps": 1e-6, "channels": [k..] | null, "upsample": "half-pixel"|"align-corners"}]}]}
  OUT: {"results": [[flat grid (or guided image HWC) per method] per case], "ms": {...}}
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mobilenet_torch import Net, load_weights  # noqa: E402


class GuidedReLU(torch.autograd.Function):
    """ReLU / ReLU6 whose backward passes only positive gradients where the unit was active."""

    @staticmethod
    def forward(ctx, x, cap):
        ctx.save_for_backward(x)
        ctx.cap = cap
        return x.clamp(min=0) if cap is None else x.clamp(0, cap)

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        keep = (x > 0) & (dy > 0)
        if ctx.cap is not None:
            keep = keep & (x < ctx.cap)
        return dy * keep, None


def projection(m):
    """m: [k, h, w] -> first principal component projection [h, w] (torch.linalg.svd)."""
    k, h, w = m.shape
    x = m.reshape(k, -1).T.double()
    x = x - x.mean(dim=0)
    _, _, vt = torch.linalg.svd(x, full_matrices=False)
    v = vt[0]
    if v.sum() < 0:
        v = -v
    return (x @ v).reshape(h, w).float()


class Cams:
    def __init__(self, model_dir):
        self.net = Net(model_dir)
        layers, _ = load_weights(model_dir)
        self.acts = {l['config']['name']: l['config']['activation'] for l in layers if l['class_name'] == 'Activation'}

    def logit(self, t, cls, start=None):
        return self.net.logits(t, start)[:, cls]

    def act_grad(self, x, layer, cls):
        a = self.net.run(x, None, layer).detach().requires_grad_(True)
        (g,) = torch.autograd.grad(self.logit(a, cls, layer).sum(), a)
        return a.detach(), g.detach()

    def weighted(self, method, a, g, eps):
        if method == 'gradcam':
            return g.mean(dim=(2, 3), keepdim=True) * a
        if method == 'gradcam++':
            g2, g3 = g ** 2, g ** 3
            alpha = torch.where(g != 0, g2 / (2 * g2 + a.sum(dim=(2, 3), keepdim=True) * g3 + eps), torch.zeros_like(g))
            return (F.relu(g) * alpha).sum(dim=(2, 3), keepdim=True) * a
        if method == 'xgradcam':
            return ((g * a).sum(dim=(2, 3), keepdim=True) / (a.sum(dim=(2, 3), keepdim=True) + 1e-7)) * a
        if method == 'layercam':
            return F.relu(g) * a
        if method in ('hirescam', 'eigengradcam'):
            return g * a
        raise ValueError(method)

    def finish(self, wa, eigen):
        return F.relu(projection(wa[0]) if eigen else wa[0].sum(dim=0))

    def ablation(self, x, layer, cls, eigen):
        with torch.no_grad():
            a = self.net.run(x, None, layer)
            base = self.logit(a, cls, layer)[0]
            k = a.shape[1]
            scores = []
            for s in range(0, k, 64):
                idx = torch.arange(s, min(k, s + 64))
                ab = a.repeat(len(idx), 1, 1, 1)
                ab[torch.arange(len(idx)), idx] = 0
                scores.append(self.logit(ab, cls, layer))
            w = (base - torch.cat(scores)) / base
            return self.finish(w[None, :, None, None] * a, eigen)

    def score(self, x, layer, cls, channels, upsample, eigen):
        with torch.no_grad():
            a = self.net.run(x, None, layer)
            if channels is not None:
                a = a[:, channels]
            up = F.interpolate(a, size=x.shape[2:], mode='bilinear', align_corners=upsample == 'align-corners')
            lo = up.amin(dim=(2, 3), keepdim=True)
            hi = up.amax(dim=(2, 3), keepdim=True)
            masks = ((up - lo) / (hi - lo + 1e-8))[0][:, None]  # [k,1,H,W]
            scores = torch.cat([self.logit(x * masks[s:s + 16], cls) for s in range(0, masks.shape[0], 16)])
            w = torch.softmax(scores.double(), dim=0).float()
            return self.finish(w[None, :, None, None] * a, eigen)

    def guided(self, x, layer, cls, parts=False):
        a, g = self.act_grad(x, layer, cls)
        cam = F.relu((g.mean(dim=(2, 3), keepdim=True) * a).sum(dim=1))[0]
        cam = cam - cam.min()
        cam = cam / (1e-7 + cam.max())
        up = F.interpolate(cam[None, None], size=x.shape[2:], mode='bilinear', align_corners=False)[0, 0]
        xi = x.clone().requires_grad_(True)
        t = xi
        for name, fn in self.net.steps:
            act = self.acts.get(name)
            t = GuidedReLU.apply(t, 6.0 if act == 'relu6' else None) if act in ('relu', 'relu6') else fn(t)
            if name == 'conv_preds':
                break
        (gb,) = torch.autograd.grad(t.reshape(1, -1)[0, cls], xi)
        if parts:
            return torch.cat([gb[0].permute(1, 2, 0).reshape(-1), up.reshape(-1)])
        v = (gb[0] * up[None]).permute(1, 2, 0).double()  # HWC, as Onirique's guided image
        v = (v - v.mean()) / (v.std(unbiased=False) + 1e-5) * 0.1 + 0.5
        # Onirique's guided picture is 8-bit (Uint8ClampedArray: round half to even, as torch.round).
        return torch.round(v.clamp(0, 1) * 255)

    def run(self, x, layer, cls, m):
        method, eigen = m['method'], bool(m.get('eigen'))
        if method in ('guided', 'guided-parts'):
            return self.guided(x, layer, cls, method == 'guided-parts')
        if method == 'ablationcam':
            return self.ablation(x, layer, cls, eigen)
        if method == 'scorecam':
            return self.score(x, layer, cls, m.get('channels'), m.get('upsample', 'half-pixel'), eigen)
        if method == 'eigencam':
            with torch.no_grad():
                return self.finish(self.net.run(x, None, layer), True)
        a, g = self.act_grad(x, layer, cls)
        return self.finish(self.weighted(method, a, g, m.get('eps', 1e-6)), eigen or method == 'eigengradcam')


def main():
    model_dir, job_path, out_path = sys.argv[1:4]
    torch.set_num_threads(int(os.environ.get('CAM_TORCH_THREADS', '2')))
    cams = Cams(model_dir)
    job = json.load(open(job_path))
    results, ms = [], {}
    for case in job['cases']:
        x = torch.tensor(np.load(case['input']).astype(np.float32)).permute(2, 0, 1)[None]
        row = []
        for m in case['methods']:
            reps = int(m.get('reps', 0))
            out = cams.run(x, case['layer'], case['cls'], m)
            if reps:
                t = time.perf_counter()
                for _ in range(reps):
                    cams.run(x, case['layer'], case['cls'], m)
                ms[m.get('key', m['method'])] = (time.perf_counter() - t) * 1000 / reps
            row.append(out.reshape(-1).tolist())
        results.append(row)
    json.dump({'results': results, 'ms': ms}, open(out_path, 'w'))


if __name__ == '__main__':
    main()
