"""Reference implementations of the book's metrics, transcribed from the projects that define
them, for tests/unit/metrics.test.mjs to compare against on random inputs.

  fid:   pytorch-fid, src/pytorch_fid/fid_score.py, calculate_frechet_distance (scipy sqrtm)
  prdc:  clovaai/generative-evaluation-prdc, prdc/prdc.py, compute_prdc, with the euclidean
         distances of sklearn.metrics.pairwise_distances (what prdc calls), in float64
  ipr:   Kynkäänniemi et al. 2019 improved precision/recall (distance <= k-th NN radius)
  kid:   torch-fidelity / clean-fid polynomial-kernel unbiased MMD^2 on given subsets
  is:    openai/improved-gan inception_score.py, with 0*log 0 = 0
  lpips: LPIPS with unit channel weights (normalize_tensor, squared difference, spatial mean)

Usage: python3 metrics_reference.py REQUEST.json  -> prints one JSON object.
The request names .npy inputs; every array is read as float64.
"""
import json
import sys

import numpy as np
from scipy import linalg


def calculate_frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    mu1 = np.atleast_1d(mu1)
    mu2 = np.atleast_1d(mu2)
    sigma1 = np.atleast_2d(sigma1)
    sigma2 = np.atleast_2d(sigma2)
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            m = np.max(np.abs(covmean.imag))
            raise ValueError('Imaginary component {}'.format(m))
        covmean = covmean.real
    tr_covmean = np.trace(covmean)
    return diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * tr_covmean


def fid_of_features(a, b):
    return calculate_frechet_distance(a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False))


def cdist(a, b):
    """sklearn's euclidean_distances: sqrt(max(|a|^2 + |b|^2 - 2 a.b, 0)), zero self-distances."""
    d2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    if a is b:
        np.fill_diagonal(d2, 0)
    return np.sqrt(np.maximum(d2, 0))


def kth_value(d, k):
    return np.partition(d, k, axis=-1)[..., k]


def compute_prdc(real, fake, k):
    real_nn = kth_value(cdist(real, real), k)
    fake_nn = kth_value(cdist(fake, fake), k)
    d_rf = cdist(real, fake)
    precision = (d_rf < np.expand_dims(real_nn, axis=1)).any(axis=0).mean()
    recall = (d_rf < np.expand_dims(fake_nn, axis=0)).any(axis=1).mean()
    density = (1.0 / float(k)) * (d_rf < np.expand_dims(real_nn, axis=1)).sum(axis=0).mean()
    coverage = (d_rf.min(axis=1) < real_nn).mean()
    return dict(precision=precision, recall=recall, density=density, coverage=coverage,
                ipr_precision=(d_rf <= np.expand_dims(real_nn, axis=1)).any(axis=0).mean(),
                ipr_recall=(d_rf <= np.expand_dims(fake_nn, axis=0)).any(axis=1).mean(),
                )


def poly_mmd2(x, y):
    d = x.shape[1]
    m = x.shape[0]
    a = (x @ x.T / d + 1) ** 3 + (y @ y.T / d + 1) ** 3
    b = (x @ y.T / d + 1) ** 3
    return ((a.sum() - np.diag(a).sum()) / (m - 1) - b.sum() * 2 / m) / m


def inception_score(preds, splits):
    scores = []
    n = preds.shape[0]
    for i in range(splits):
        part = preds[(i * n // splits):((i + 1) * n // splits), :]
        py = np.mean(part, 0, keepdims=True)
        with np.errstate(divide='ignore', invalid='ignore'):
            kl = np.where(part > 0, part * (np.log(part) - np.log(py)), 0.0)
        scores.append(np.exp(np.mean(np.sum(kl, 1))))
    return dict(mean=float(np.mean(scores)), std=float(np.std(scores)))


def lpips_baseline(layers_a, layers_b):
    total = 0
    for a, b in zip(layers_a, layers_b):  # NHWC
        na = a / (np.sqrt(np.sum(a ** 2, axis=-1, keepdims=True)) + 1e-10)
        nb = b / (np.sqrt(np.sum(b ** 2, axis=-1, keepdims=True)) + 1e-10)
        total = total + ((na - nb) ** 2).sum(-1).mean(axis=(1, 2))
    return total.tolist()


def main():
    req = json.load(open(sys.argv[1]))
    load = lambda key: np.load(req[key]).astype(np.float64)
    op = req['op']
    if op == 'fid':
        out = dict(fid=float(fid_of_features(load('a'), load('b'))))
    elif op == 'fid-stats':
        out = dict(fid=float(calculate_frechet_distance(load('mu1'), load('s1'), load('mu2'), load('s2'))))
    elif op == 'prdc':
        out = {k: (float(v) if not isinstance(v, list) else v) for k, v in compute_prdc(load('real'), load('fake'), req['k']).items()}
    elif op == 'kid':
        real, fake = load('real'), load('fake')
        ri, fi = np.load(req['realIdx']).astype(np.int64), np.load(req['fakeIdx']).astype(np.int64)
        vals = [poly_mmd2(real[r], fake[f]) for r, f in zip(ri, fi)]
        out = dict(values=[float(v) for v in vals], mean=float(np.mean(vals)), std=float(np.std(vals)))
    elif op == 'is':
        out = inception_score(load('probs'), req['splits'])
    elif op == 'lpips':
        out = dict(distances=lpips_baseline([np.load(p).astype(np.float64) for p in req['a']], [np.load(p).astype(np.float64) for p in req['b']]))
    else:
        raise SystemExit('unknown op ' + op)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
