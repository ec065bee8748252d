"""float32 GEMM GFLOPS with numpy (its BLAS), median of REPS after warm-up.
Run with the thread count fixed before numpy loads, e.g.
  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python3 numpy_bench.py 1024x1024x1024
"""
import os, sys, time
import numpy as np

reps = int(os.environ.get("REPS", "9"))
sizes = sys.argv[1:] or ["1024x1024x1024", "128x784x512", "128x512x784", "512x128x784", "6272x288x64"]
try:
    from threadpoolctl import threadpool_info  # optional
    pools = [(p["internal_api"], p["num_threads"]) for p in threadpool_info()]
except Exception:
    pools = "threadpoolctl not installed"
print(f"numpy {np.__version__} at {sys.executable}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, pools {pools}")
rng = np.random.default_rng(0)
for s in sizes:
    M, K, N = map(int, s.split("x"))
    a = rng.uniform(-1, 1, (M, K)).astype(np.float32)
    b = rng.uniform(-1, 1, (K, N)).astype(np.float32)
    c = np.empty((M, N), np.float32)
    for _ in range(2):
        np.matmul(a, b, out=c)
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        np.matmul(a, b, out=c)
        ts.append(time.perf_counter() - t0)
    ts.sort()
    fl = 2 * M * N * K
    print(f"{s:20s} median {fl / ts[len(ts) // 2] / 1e9:7.1f} GFLOPS   best {fl / ts[0] / 1e9:7.1f}")
