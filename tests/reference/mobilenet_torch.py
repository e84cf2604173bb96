"""MobileNet v1 (tfjs LayersModel folder) rebuilt in PyTorch: an independent reference for
Onirique's plain-op network, Grad-CAM and Grad-CAM++, and the PyTorch CPU benchmark.

BatchNormalization is folded into the convolution before it; TF 'same' padding is explicit
(the odd extra pixel goes right/bottom, e.g. stride 2 on 224 pads right/bottom by 1).

usage:
  mobilenet_torch.py MODEL_DIR --input X.npy --cls N --out OUT.json   (X: float32 [H,W,3] in model range)
  mobilenet_torch.py MODEL_DIR --bench REPEATS [--threads 2]           (prints JSON timings in ms)
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F


def load_weights(model_dir):
    with open(os.path.join(model_dir, 'model.json')) as f:
        mj = json.load(f)
    weights = {}
    for group in mj['weightsManifest']:
        data = b''.join(open(os.path.join(model_dir, p), 'rb').read() for p in group['paths'])
        off = 0
        for w in group['weights']:
            n = int(np.prod(w['shape'])) if w['shape'] else 1
            weights[w['name']] = np.frombuffer(data, dtype='<f4', count=n, offset=off).reshape(w['shape'])
            off += n * 4
    return mj['modelTopology']['model_config']['config']['layers'], weights


def same_pad(size, k, s):
    out = math.ceil(size / s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


class Net:
    """The layer chain as a list of (name, fn); conv + BN pairs folded."""

    def __init__(self, model_dir):
        layers, w = load_weights(model_dir)
        self.steps = []
        i = 1  # skip InputLayer
        while i < len(layers):
            l = layers[i]
            cls, cfg, name = l['class_name'], l['config'], l['config']['name']
            if cls in ('Conv2D', 'DepthwiseConv2D'):
                dw = cls == 'DepthwiseConv2D'
                k = w[name + ('/depthwise_kernel' if dw else '/kernel')].astype(np.float64)
                b = w.get(name + '/bias')
                b = np.zeros(k.shape[3] * (k.shape[2] if dw else 1)) if b is None else b.astype(np.float64)
                out_name = name
                nxt = layers[i + 1] if i + 1 < len(layers) else None
                if nxt and nxt['class_name'] == 'BatchNormalization':
                    bn = nxt['config']['name']
                    scale = w[bn + '/gamma'] / np.sqrt(w[bn + '/moving_variance'] + nxt['config']['epsilon'])
                    if dw:
                        k = k * scale.reshape(k.shape[2], k.shape[3])
                    else:
                        k = k * scale
                    b = (b - w[bn + '/moving_mean']) * scale + w[bn + '/beta']
                    out_name = bn
                    i += 1
                if dw:
                    wt = torch.tensor(k.transpose(2, 3, 0, 1).reshape(-1, 1, k.shape[0], k.shape[1]), dtype=torch.float32)
                    groups = k.shape[2]
                else:
                    wt = torch.tensor(k.transpose(3, 2, 0, 1), dtype=torch.float32)
                    groups = 1
                bt = torch.tensor(b, dtype=torch.float32)
                s = cfg['strides'][0]
                padding = cfg['padding']

                def conv(x, wt=wt, bt=bt, s=s, padding=padding, groups=groups):
                    kh, kw = wt.shape[2], wt.shape[3]
                    if padding == 'same':
                        t, bo = same_pad(x.shape[2], kh, s)
                        le, r = same_pad(x.shape[3], kw, s)
                        x = F.pad(x, (le, r, t, bo))
                    return F.conv2d(x, wt, bt, stride=s, groups=groups)

                self.steps.append((out_name, conv))
            elif cls == 'Activation':
                act = cfg['activation']
                fn = {'relu6': lambda x: F.relu6(x), 'relu': F.relu, 'softmax': lambda x: F.softmax(x, dim=1), 'linear': lambda x: x}[act]
                self.steps.append((name, fn))
            elif cls == 'GlobalAveragePooling2D':
                self.steps.append((name, lambda x: x.mean(dim=(2, 3), keepdim=True)))
            elif cls in ('Reshape', 'Dropout'):
                self.steps.append((name, lambda x: x))
            else:
                raise ValueError('unsupported layer ' + cls)
            i += 1
        self.names = [n for n, _ in self.steps]

    def run(self, x, start=None, stop=None):
        i0 = 0 if start is None else self.names.index(start) + 1
        for name, fn in self.steps[i0:]:
            x = fn(x)
            if name == stop:
                return x
        return x

    def logits(self, x, start=None):
        return self.run(x, start, 'conv_preds').reshape(x.shape[0], -1)

    def cam(self, x, cls, layer='conv_pw_13_relu', plus=False):
        a = self.run(x, None, layer).detach().requires_grad_(True)
        score = self.logits(a, layer)[:, cls].sum()
        (g,) = torch.autograd.grad(score, a)
        a, g = a.detach(), g.detach()
        if plus:
            g2, g3 = g ** 2, g ** 3
            # pytorch-grad-cam's GradCAMPlusPlus: eps = 1e-6 in the alpha denominator.
            denom = 2 * g2 + a.sum(dim=(2, 3), keepdim=True) * g3 + 1e-6
            alpha = torch.where(g != 0, g2 / denom, torch.zeros_like(g))
            wts = (F.relu(g) * alpha).sum(dim=(2, 3), keepdim=True)
        else:
            wts = g.mean(dim=(2, 3), keepdim=True)
        return F.relu((wts * a).sum(dim=1))[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('model_dir')
    ap.add_argument('--input')
    ap.add_argument('--cls', type=int, default=-1)
    ap.add_argument('--out')
    ap.add_argument('--bench', type=int, default=0)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    net = Net(a.model_dir)
    if a.bench:
        x = torch.rand(1, 3, 224, 224) * 2 - 1
        res = {}
        with torch.no_grad():
            net.run(x)
            t = time.perf_counter()
            for _ in range(a.bench):
                net.run(x)
            res['classify_ms'] = (time.perf_counter() - t) * 1000 / a.bench
        net.cam(x, 967)
        t = time.perf_counter()
        for _ in range(a.bench):
            net.cam(x, 967)
        res['gradcam_ms'] = (time.perf_counter() - t) * 1000 / a.bench
        xg = x.clone().requires_grad_(True)
        t = time.perf_counter()
        for _ in range(a.bench):
            xg.grad = None
            net.logits(xg)[0, 967].backward()
        res['input_grad_ms'] = (time.perf_counter() - t) * 1000 / a.bench
        print(json.dumps(res))
        return
    x = torch.tensor(np.load(a.input).astype(np.float32)).permute(2, 0, 1)[None]
    with torch.no_grad():
        probs = net.run(x).reshape(-1)
    cls = int(probs.argmax()) if a.cls < 0 else a.cls
    out = {
        'probs': probs.tolist(),
        'cls': cls,
        'gradcam': net.cam(x, cls).reshape(-1).tolist(),
        'gradcampp': net.cam(x, cls, plus=True).reshape(-1).tolist(),
    }
    with open(a.out, 'w') as f:
        json.dump(out, f)


if __name__ == '__main__':
    main()
