"""PyTorch reference of the rlvr-loop trainer's objective, for bench/torch-anchor.mjs.

Written from docs/rlvr-loop.md ("The objective"): a log-linear softmax policy over A actions whose
logits are the sum of the weight rows of the active features (EmbeddingBag, mode "sum", sparse
gradients), offline GRPO on groups of G attempts: group-normalised advantages
A_i = (r_i - mean_g) / (std_g + 1e-4) (sample std; groups without reward spread are scored against
the minibatch's mean and std, degenerateGroups "batch_mean"), ratio
rho_i = exp(log pi(a_i|x_i) - log pi_old(a_i|x_i)) with pi_old the policy at the start of the step
(mu = 1), clipped surrogate with eps 0.2, importance correction c_i = pi_old(a_i|x_i) / mu(a_i|x_i)
(behaviour probability) truncated at 10, mean over the minibatch, global gradient-norm clipping at 1,
SparseAdam (lr 0.02, no weight decay: train()'s defaults). One thread. Same data shape as
bench/train.mjs: N examples in groups of 4, 16 actions, 30 active features (29 Zipf(1) keys out of
100 000 hashed into D = 2^18 buckets, plus a bias row), distinct contexts, minibatches of 64 groups
(256 examples), one epoch.

Prints one JSON line: {"torch": version, "examples": N, "rates": examples per wall-clock second of
each of --repeat epochs (each from zero weights, on the same data), "cpuRates": examples per CPU second
of the process}. With --serve it builds the data, prints {"torch": version, "examples": N} and then runs
one epoch for every line read from stdin, answering each with {"rate": .., "cpuRate": ..} (so the caller
can interleave these epochs with its own, under the same machine load).
"""

import argparse
import json
import math
import sys
import time

import numpy as np
import torch

A = 16
D = 2**18
F = 30
GROUP = 4
VOCABULARY = 100_000


def make_data(n, seed=2024):
    rng = np.random.default_rng(seed)
    harmonic = math.log(VOCABULARY) + 0.5772156649
    idx = np.empty((n, F), dtype=np.int64)
    for i in range(n):
        row = set()
        while len(row) < F - 1:
            draws = rng.random(F)
            for u in draws:
                rank = min(VOCABULARY, max(1, int(math.exp(u * harmonic - 0.5772156649))))
                row.add(((rank * 0x9E3779B1) & 0xFFFFFFFF) % D)
                if len(row) == F - 1:
                    break
        idx[i, : F - 1] = sorted(row)
        idx[i, F - 1] = D  # bias
    actions = rng.integers(0, A, size=n)
    p = np.where(actions == idx[:, 0] % A, 0.8, 0.3)
    rewards = (rng.random(n) < p).astype(np.float64)
    return torch.from_numpy(idx), torch.from_numpy(actions), torch.from_numpy(rewards)


def epoch(idx, actions, rewards, behavior):
    """One epoch from zero weights; returns (wall seconds, CPU seconds)."""
    n = idx.shape[0]
    emb = torch.nn.EmbeddingBag(D + 1, A, mode="sum", sparse=True).double()
    torch.nn.init.zeros_(emb.weight)
    opt = torch.optim.SparseAdam(list(emb.parameters()), lr=0.02)
    batch = 64 * GROUP
    t0 = time.perf_counter()
    c0 = time.process_time()
    for start in range(0, n, batch):
        x = idx[start : start + batch]
        a = actions[start : start + batch]
        r = rewards[start : start + batch].view(-1, GROUP)
        mean = r.mean(dim=1, keepdim=True)
        std = r.std(dim=1, keepdim=True)
        # groups without reward spread: baseline and scale of the minibatch (degenerateGroups "batch_mean")
        flat = (r - r.mean()) / (r.std() + 1e-4)
        adv = torch.where(std > 0, (r - mean) / (std + 1e-4), flat).view(-1)
        logits = emb(x)
        logp = torch.log_softmax(logits, dim=1).gather(1, a.view(-1, 1)).view(-1)
        logp_old = logp.detach()
        ratio = torch.exp(logp - logp_old)
        c = (torch.exp(logp_old) / behavior[start : start + batch]).clamp(max=10.0)
        surrogate = torch.minimum(ratio * adv, torch.clamp(ratio, 0.8, 1.2) * adv)
        loss = (c * -surrogate).mean()
        opt.zero_grad()
        loss.backward()
        g = emb.weight.grad.coalesce()
        norm = g.values().norm()
        if norm > 1:
            g = torch.sparse_coo_tensor(g.indices(), g.values() * (1 / (norm + 1e-6)), g.shape)
        emb.weight.grad = g
        opt.step()
    return time.perf_counter() - t0, time.process_time() - c0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--serve", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(1)
    n = args.examples - args.examples % (64 * GROUP)
    idx, actions, rewards = make_data(n)
    behavior = torch.full((n,), 1.0 / A, dtype=torch.float64)
    if args.serve:
        print(json.dumps({"torch": torch.__version__, "examples": n}), flush=True)
        for _line in sys.stdin:
            wall, cpu = epoch(idx, actions, rewards, behavior)
            print(json.dumps({"rate": n / wall, "cpuRate": n / cpu}), flush=True)
        return
    runs = [epoch(idx, actions, rewards, behavior) for _ in range(args.repeat)]
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "examples": n,
                "rates": [n / wall for wall, _ in runs],
                "cpuRates": [n / cpu for _, cpu in runs],
            }
        )
    )


if __name__ == "__main__":
    main()
