"""PyTorch CUDA side of the GPU kit's bench:gpu: the same work as gpu-entry.ts on the same weights.

Prints one JSON line keyed like the bench rows; exits 1 (with a reason on stderr) without torch+CUDA.
Usage: gpu-torch.py MODEL_DIR   (mobilenet_torch.py and dream-torch.py beside it)
"""
import json
import os
import statistics
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.exit("no torch")
if not torch.cuda.is_available():
    sys.exit("torch has no CUDA device")
os.environ["DREAM_TORCH_DEVICE"] = "cuda"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import importlib.util

def load(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(os.path.dirname(os.path.abspath(__file__)), file))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m

dt = load("dream_torch", "dream-torch.py")
torch.set_default_device("cuda")  # mobilenet_torch builds its weights with torch.tensor(): on the GPU
mt = load("mobilenet_torch", "mobilenet_torch.py")

def median(reps, f):
    f()
    torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        torch.cuda.synchronize()
        ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts)

model = sys.argv[1]
out = {"device": torch.cuda.get_device_name(0)}
dnet = dt.MobileNet(model)
for size in (224, 512, 1024):
    x = torch.rand(1, 3, size, size, device="cuda") * 2 - 1
    out[f"dream step {size}"] = 1000 / median(5, lambda: dt.dream_step(dnet, x, "conv_pw_9_relu", 0.01))
net = mt.Net(model)
x = torch.rand(1, 3, 224, 224) * 2 - 1
with torch.no_grad():
    out["classify 224"] = median(10, lambda: net.run(x))
out["Grad-CAM 224"] = median(10, lambda: net.cam(x, 967))
big = torch.rand(1, 3, 3000, 4000)
k = torch.ones(3, 1, 3, 3) / 9
with torch.no_grad():
    out["3x3 filter 12 MP"] = median(10, lambda: F.conv2d(F.pad(big, (1, 1, 1, 1), mode="replicate"), k, groups=3).clamp(0, 1).mul(255).to(torch.uint8).cpu())
print(json.dumps(out))
