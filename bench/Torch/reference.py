"""PyTorch side of bench/Torch: the same work as Program.cs, timed the same way (best of rounds).
Run with Debian's python3-torch 1.13.1 (/usr/bin/python3): same libtorch as the C# binding.
Prints one JSON object: {"add_us": ..., "matmul_gflops": ..., "mlp_step_ms": ...}."""
import json, sys, time
import torch

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(0)

def best(fn, n):
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn(n)
        times.append((time.perf_counter() - t0) / n)
    return min(times)

a, b = torch.ones(4), torch.ones(4)
def adds(n):
    for _ in range(n):
        c = a + b

x, y = torch.randn(512, 512), torch.randn(512, 512)
def matmuls(n):
    for _ in range(n):
        c = x @ y

mlp = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
opt = torch.optim.AdamW(mlp.parameters(), lr=1e-3)
xb, yb = torch.randn(64, 784), torch.randint(0, 10, (64,))
def steps(n):
    for _ in range(n):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(mlp(xb), yb)
        loss.backward()
        opt.step()

adds(1000); matmuls(5); steps(5)
print(json.dumps({
    "add_us": best(adds, 20000) * 1e6,
    "matmul_gflops": 2 * 512**3 / best(matmuls, 40) / 1e9,
    "mlp_step_ms": best(steps, 100) * 1e3,
}))
