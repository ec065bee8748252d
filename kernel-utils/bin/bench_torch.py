"""The bench workloads in PyTorch (CPU), for a side-by-side run: prints one JSON line each.

Same models, batch, loss and optimizer as bench-worker.mjs (NCHW here, NHWC there).
Usage: bench_torch.py [workload...]; bench_torch.py --params [workload...] prints
{workload, paramCount} lines (trainable parameters) without training.
"""
import json
import math
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
    return model, lambda: F.binary_cross_entropy_with_logits(model(x), x), BATCH


def cnn_classifier():
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(7 * 7 * 64, 10))
    x = torch.rand(BATCH, 1, 28, 28)
    y = torch.randint(0, 10, (BATCH,))
    return model, lambda: F.cross_entropy(model(x), y), BATCH


def conv_decoder():
    model = nn.Sequential(
        nn.Linear(100, 7 * 7 * 64), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
        nn.ConvTranspose2d(64, 32, 5, stride=2, padding=2, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(32, 1, 5, stride=2, padding=2, output_padding=1), nn.Sigmoid())
    z = torch.randn(BATCH, 100)
    target = torch.rand(BATCH, 1, 28, 28)
    return model, lambda: F.mse_loss(model(z), target), BATCH


class MaskedConv2d(nn.Conv2d):
    """PixelCNN's raster-order masked convolution: type A excludes the centre pixel, type B
    includes it. The kernel is multiplied by the mask in the forward pass (gradient masked too)."""

    def __init__(self, mask_type, cin, cout, k):
        super().__init__(cin, cout, k, padding=k // 2)
        c = k // 2
        mask = torch.zeros(k, k)
        mask[:c] = 1
        mask[c, : c + (1 if mask_type == "B" else 0)] = 1
        self.register_buffer("mask", mask)

    def forward(self, x):
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding)


class PixelCNN(nn.Module):
    # 7×7 type-A 1→32, 5 × (h + ReLU(3×3 type-B 32→32)), ReLU(1×1 32→32), 1×1 32→1: 48,929
    def __init__(self):
        super().__init__()
        self.inp = MaskedConv2d("A", 1, 32, 7)
        self.blocks = nn.ModuleList(MaskedConv2d("B", 32, 32, 3) for _ in range(5))
        self.head = nn.Conv2d(32, 32, 1)
        self.out = nn.Conv2d(32, 1, 1)

    def forward(self, x):
        h = self.inp(x)
        for b in self.blocks:
            h = h + F.relu(b(h))
        return self.out(F.relu(self.head(h)))


def pixelcnn():
    batch = 64
    model = PixelCNN()
    x = (torch.rand(batch, 1, 28, 28) < 0.5).float()
    return model, lambda: F.binary_cross_entropy_with_logits(model(x), x), batch


GROUPS = 8
T_EMB = 128


class ResBlock(nn.Module):
    # GN-SiLU-conv3×3, + Linear(SiLU(t_emb)), GN-SiLU-conv3×3, + x (1×1 conv if channels change)
    def __init__(self, cin, cout):
        super().__init__()
        self.norm1 = nn.GroupNorm(GROUPS, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.temb = nn.Linear(T_EMB, cout)
        self.norm2 = nn.GroupNorm(GROUPS, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, t_act):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.temb(t_act)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + self.skip(x)


class UNet(nn.Module):
    # conv 1→32, RB 32 (skip) | conv3×3 s2 32→32, RB 32→64, RB 64 | convT 2×2 s2 64→64,
    # concat skip, RB 96→32, RB 32 | GN-SiLU-conv 32→1; t_emb 128-d sinusoidal → Linear-SiLU-Linear
    def __init__(self):
        super().__init__()
        self.t1 = nn.Linear(T_EMB, T_EMB)
        self.t2 = nn.Linear(T_EMB, T_EMB)
        self.inp = nn.Conv2d(1, 32, 3, padding=1)
        self.rb1 = ResBlock(32, 32)
        self.down = nn.Conv2d(32, 32, 3, stride=2, padding=1)
        self.rb2 = ResBlock(32, 64)
        self.rb3 = ResBlock(64, 64)
        self.up = nn.ConvTranspose2d(64, 64, 2, stride=2)
        self.rb4 = ResBlock(96, 32)
        self.rb5 = ResBlock(32, 32)
        self.out_norm = nn.GroupNorm(GROUPS, 32)
        self.out = nn.Conv2d(32, 1, 3, padding=1)

    def forward(self, x, emb):
        t_act = F.silu(self.t2(F.silu(self.t1(emb))))
        skip = self.rb1(self.inp(x), t_act)
        h = self.rb3(self.rb2(self.down(skip), t_act), t_act)
        h = torch.cat([self.up(h), skip], 1)
        h = self.rb5(self.rb4(h, t_act), t_act)
        return self.out(F.silu(self.out_norm(h)))


def diffusion_unet():
    # DDPM ε-prediction: MSE(ε, ε̂(√ᾱ_t x0 + √(1−ᾱ_t) ε, t)), t uniform in 1..1000, linear β
    # 1e-4…0.02; t and ε drawn anew each step.
    batch, T = 128, 1000
    alpha_bar = torch.cumprod(1 - torch.linspace(1e-4, 0.02, T, dtype=torch.float64), 0)
    sqrt_ab, sqrt_1m_ab = alpha_bar.sqrt().float(), (1 - alpha_bar).sqrt().float()
    # row i: the sinusoidal embedding of timestep t = i + 1
    half = T_EMB // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float64) / half)
    angles = torch.arange(1, T + 1, dtype=torch.float64)[:, None] * freqs[None]
    emb_table = torch.cat([angles.sin(), angles.cos()], 1).float()
    model = UNet()
    x0 = torch.rand(batch, 1, 28, 28) * 2 - 1

    def loss():
        idx = torch.randint(0, T, (batch,))
        eps = torch.randn(batch, 1, 28, 28)
        xt = sqrt_ab[idx].view(-1, 1, 1, 1) * x0 + sqrt_1m_ab[idx].view(-1, 1, 1, 1) * eps
        return F.mse_loss(model(xt, emb_table[idx]), eps)

    return model, loss, batch


WORKLOADS = {
    "mlp-autoencoder": mlp_autoencoder,
    "cnn-classifier": cnn_classifier,
    "conv-decoder": conv_decoder,
    "pixelcnn": pixelcnn,
    "diffusion-unet": diffusion_unet,
}


def param_count(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def bench(name, min_seconds=3.0, warmup=3):
    torch.manual_seed(0)
    model, loss_fn, batch = WORKLOADS[name]()
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
    return {
        "workload": name,
        "backend": f"pytorch-cpu-{torch.get_num_threads()}threads",
        "samplesPerSec": round(batch * 1000 / ms),
        "msPerStep": round(ms, 2),
        "steps": steps,
        "batch": batch,
        "paramCount": param_count(model),
        "threads": torch.get_num_threads(),
        "providedBy": f"torch {torch.__version__}",
    }


if __name__ == "__main__":
    # ANCHORS.md quotes PyTorch with 2 threads (both cores); on a shared 2-core machine one
    # thread is sometimes faster, so both are measured and the faster is the reference.
    args = sys.argv[1:]
    if args[:1] == ["--params"]:
        for name in args[1:] or list(WORKLOADS):
            torch.manual_seed(0)
            count = param_count(WORKLOADS[name]()[0])
            print(json.dumps({"workload": name, "paramCount": count}), flush=True)
        sys.exit(0)
    threads = [int(t) for t in os.environ.get("BENCH_TORCH_THREADS", "1,2").split(",")]
    for name in args or list(WORKLOADS):
        for t in threads:
            torch.set_num_threads(t)
            print(json.dumps(bench(name)), flush=True)
