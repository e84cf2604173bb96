"""Independent reference for Onirique's convolution tests: scipy and PIL, nothing from Onirique.

Usage: /usr/bin/python3 filter_reference.py CASES.json OUT_DIR

CASES.json: {"cases": [{"id", "image" (path of an HxWx3 uint8 .npy) or "photo" (an image file), "channels": "luma"|"rgb"|"sum",
  "kernels": [k] (or [kR, kG, kB] with "sum"), "fn": "signal.correlate2d"|"signal.convolve2d"|
  "ndimage.correlate"|"ndimage.convolve", "boundary": scipy.signal boundary or ndimage mode,
  "size": "same"|"valid", "stride": s, "dilation": d, "map"?: "clamp"|"abs"|"abs-max"|"offset"}]}
Writes OUT_DIR/<id>.npy: float64 HxWxC response, or uint8 HxWxC when "map" is given.
"""
import json
import os
import sys

import numpy as np
import scipy.ndimage as ndi
import scipy.signal as sig
from PIL import Image


def planes_of(rgb, channels):
    if channels == "luma":
        # PIL's own 'L' conversion: the grey the article's code feeds to convolve2d.
        return [np.asarray(Image.fromarray(rgb, "RGB").convert("L"), dtype=np.float64)]
    return [rgb[:, :, c].astype(np.float64) for c in range(3)]


def dilate(k, d):
    k = np.asarray(k, dtype=np.float64)
    if d == 1:
        return k
    out = np.zeros(((k.shape[0] - 1) * d + 1, (k.shape[1] - 1) * d + 1))
    out[::d, ::d] = k
    return out


def filt(plane, k, case):
    fn, size = case["fn"], case["size"]
    if fn.startswith("signal."):
        f = sig.correlate2d if fn == "signal.correlate2d" else sig.convolve2d
        return f(plane, k, mode=size, boundary=case["boundary"], fillvalue=0)
    f = ndi.correlate if fn == "ndimage.correlate" else ndi.convolve
    full = f(plane, k, mode=case["boundary"], cval=0.0)
    if size == "same":
        return full
    eh, ew = k.shape
    # ndimage centres the kernel at k//2: 'valid' keeps the fully covered positions.
    return full[eh // 2: eh // 2 + plane.shape[0] - eh + 1, ew // 2: ew // 2 + plane.shape[1] - ew + 1]


def run(case):
    if "photo" in case:
        # Decoded here with PIL, independently of the app's decoder.
        rgb = np.asarray(Image.open(case["photo"]).convert("RGB"))
    else:
        rgb = np.load(case["image"])
    planes = planes_of(rgb, case["channels"])
    ks = [dilate(k, case.get("dilation", 1)) for k in case["kernels"]]
    if case["channels"] == "sum":
        kk = ks if len(ks) == 3 else ks * 3
        outs = [sum(filt(p, k, case) for p, k in zip(planes, kk))]
    else:
        outs = [filt(p, ks[0], case) for p in planes]
    s = case.get("stride", 1)
    res = np.stack([o[::s, ::s] for o in outs], axis=-1)
    m = case.get("map")
    if m is None:
        return res
    if m == "abs-max":
        a = np.abs(res)
        v = a * (255.0 / a.max()) if a.max() > 0 else a
    elif m == "abs":
        v = np.abs(res)
    elif m == "offset":
        v = res + 128
    else:
        v = res
    return np.clip(np.round(v), 0, 255).astype(np.uint8)


def main():
    spec = json.load(open(sys.argv[1]))
    out_dir = sys.argv[2]
    for case in spec["cases"]:
        np.save(os.path.join(out_dir, case["id"] + ".npy"), run(case))


if __name__ == "__main__":
    main()
