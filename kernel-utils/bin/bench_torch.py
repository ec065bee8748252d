"""The bench workloads in PyTorch (CPU), for a side-by-side run: prints one JSON line each.

Same models, batch, loss and optimizer as bench-worker.mjs. Usage: bench_torch.py [workload...]
"""
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = 128


def mlp_autoencoder():
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 4), nn.Linear(4, 512), nn.ReLU(), nn.Linear(512, 784))
    x = torch.rand(BATCH, 784)
    return model, lambda: F.binary_cross_entropy_with_logits(model(x), x)


def cnn_classifier():
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(7 * 7 * 64, 10))
    x = torch.rand(BATCH, 1, 28, 28)
    y = torch.randint(0, 10, (BATCH,))
    return model, lambda: F.cross_entropy(model(x), y)


def conv_decoder():
    model = nn.Sequential(
        nn.Linear(100, 7 * 7 * 64), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
        nn.ConvTranspose2d(64, 32, 5, stride=2, padding=2, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(32, 1, 5, stride=2, padding=2, output_padding=1), nn.Sigmoid())
    z = torch.randn(BATCH, 100)
    target = torch.rand(BATCH, 1, 28, 28)
    return model, lambda: F.mse_loss(model(z), target)


WORKLOADS = {"mlp-autoencoder": mlp_autoencoder, "cnn-classifier": cnn_classifier, "conv-decoder": conv_decoder}


def bench(name, min_seconds=3.0, warmup=3):
    torch.manual_seed(0)
    model, loss_fn = WORKLOADS[name]()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(warmup):
        step()
    steps, t0 = 0, time.perf_counter()
    while steps < 5 or time.perf_counter() - t0 < min_seconds:
        step()
        steps += 1
        if steps >= 200:
            break
    ms = (time.perf_counter() - t0) * 1000 / steps
    return {"workload": name, "backend": f"pytorch-cpu-{torch.get_num_threads()}threads", "samplesPerSec": round(BATCH * 1000 / ms), "msPerStep": round(ms, 2), "steps": steps, "providedBy": f"torch {torch.__version__}"}


if __name__ == "__main__":
    # ANCHORS.md quotes PyTorch with 2 threads (both cores); on a shared 2-core machine one
    # thread is sometimes faster, so both are measured and the faster is the reference.
    threads = [int(t) for t in os.environ.get("BENCH_TORCH_THREADS", "1,2").split(",")]
    for name in sys.argv[1:] or list(WORKLOADS):
        for t in threads:
            torch.set_num_threads(t)
            print(json.dumps(bench(name)), flush=True)
