#!/usr/bin/env python3
"""Writes Resources/goldens/act2fn.json: every activation of transformers' ACT2FN (the table `hidden_act` names
index) evaluated at fixed points, so the Swift test can check the config's activation table against the reference
itself: each name it accepts maps to a kernel activation with these values, and each name it refuses is a function
none of its kernels computes.

Usage: .venv/bin/python Scripts/make_activation_goldens.py   (pinned versions: Scripts/requirements.txt)
"""
import json
import os

import torch
import transformers
from transformers.activations import ACT2FN

# Both signs, around 0, the GELU knee, and beyond the clipping points of gelu_10 (10) and relu6 (6).
INPUTS = [-20.0, -12.0, -6.5, -3.0, -1.5, -1.0, -0.5, -0.1, -1e-3, 0.0, 1e-3, 0.1, 0.5, 1.0, 1.5, 3.0, 6.5, 12.0, 20.0]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, "Resources", "goldens", "act2fn.json")
    activations = {}
    for name in sorted(ACT2FN.keys()):
        module = ACT2FN[name]
        with torch.no_grad():
            try:
                values = module(torch.tensor(INPUTS, dtype=torch.float64))
            except RuntimeError:  # modules with float32 parameters (prelu, xielu)
                values = module(torch.tensor(INPUTS, dtype=torch.float32)).double()
        activations[name] = [float(v) for v in values]
    with open(out, "w") as f:
        json.dump({"transformers": transformers.__version__, "inputs": INPUTS, "activations": activations}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(activations)} activations to {out}")


if __name__ == "__main__":
    main()
