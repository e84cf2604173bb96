"""PyTorch CPU reference for scripts/bench/teach.mjs: pooled conv_pw_13_relu features of N 224 inputs
(batches of 8) and a dense softmax head trained with Adam (batch 16, lr 1e-3, dropout 0.2, an evaluation
pass per epoch) on them, the same sizes as the tfjs run. Prints one JSON line of times."""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tests', 'reference'))
from mobilenet_torch import Net  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('model_dir')
    ap.add_argument('--photos', type=int, default=200)
    ap.add_argument('--epochs', type=int, default=20)
    ap.add_argument('--classes', type=int, default=5)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    net = Net(a.model_dir)
    x = torch.rand(a.photos, 3, 224, 224) * 2 - 1
    with torch.no_grad():
        net.run(x[:8], None, 'conv_pw_13_relu')  # warm-up
        t = time.perf_counter()
        feats = torch.cat([net.run(x[i:i + 8], None, 'conv_pw_13_relu').mean(dim=(2, 3)) for i in range(0, a.photos, 8)]).float()
        feat_s = time.perf_counter() - t
    y = torch.arange(a.photos) % a.classes
    n_val = a.photos // 5
    tr, va = slice(n_val, None), slice(0, n_val)
    t = time.perf_counter()
    head = torch.nn.Linear(feats.shape[1], a.classes)
    opt = torch.optim.Adam(head.parameters(), lr=1e-3)
    for _ in range(a.epochs):
        perm = torch.randperm(a.photos - n_val) + n_val
        for i in range(0, len(perm), 16):
            idx = perm[i:i + 16]
            opt.zero_grad()
            loss = F.cross_entropy(head(F.dropout(feats[idx], 0.2, True)), y[idx])
            loss.backward()
            opt.step()
        with torch.no_grad():
            F.cross_entropy(head(feats[tr]), y[tr]).item()
            F.cross_entropy(head(feats[va]), y[va]).item()
    head_s = time.perf_counter() - t
    print(json.dumps({'feature_ms_per_photo': feat_s * 1000 / a.photos, 'head_ms': head_s * 1000, 'total_ms': (feat_s + head_s) * 1000}))


if __name__ == '__main__':
    main()
