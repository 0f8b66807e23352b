"""Anchor for the tuner benchmark: Optuna's TPE and random samplers on the same suite.

Run by bench/anchor.mjs with /usr/bin/python3 (Debian's python3-optuna, Optuna 3.1). Prints one JSON
object on stdout:

  {"optuna": "3.1.0", "suite": {name: {"tpe": [best per seed], "random": [...]}},
   "overhead": {"n": 1000, "tpe_ms": ms, "random_ms": ms, "reps": 30, "rounds": 3}}

The functions, spaces and protocol mirror bench/suite.mjs: minimise, N trials per study, sequential
ask/tell (so each suggestion sees every earlier result), and the score of a study is the noiseless
value of the trial with the best *observed* value.
"""

import argparse
import json
import math
import sys
import time
import warnings

import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.simplefilter("ignore")

# --- the suite (same definitions as bench/suite.mjs) ------------------------------------------------

FLOAT = optuna.distributions.FloatDistribution
INT = optuna.distributions.IntDistribution
CAT = optuna.distributions.CategoricalDistribution


def branin(p):
    b = 5.1 / (4 * math.pi**2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    x1, x2 = p["x1"], p["x2"]
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
]
P = [
    [v * 1e-4 for v in row]
    for row in [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
]


def hartmann6(p):
    x = [p[f"x{j + 1}"] for j in range(6)]
    total = 0.0
    for i in range(4):
        inner = sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6))
        total += ALPHA[i] * math.exp(-inner)
    return -total


OPT_PENALTY = {"adam": 0.0, "sgd": 0.6, "rmsprop": 0.3, "adagrad": 0.9}


def mixed_clean(p):
    return (
        2 * (math.log10(p["lr"]) + 3.3) ** 2
        + 10 * (p["dropout"] - 0.3) ** 2
        + (p["layers"] - 11) ** 2 / 8
        + OPT_PENALTY[p["optimizer"]]
    )


def sphere_noisy_space():
    return {f"x{j + 1}": FLOAT(-5.0, 5.0) for j in range(4)}


def sphere_clean(p):
    return sum((p[f"x{j + 1}"] - 1.0) ** 2 for j in range(4))


SUITE = {
    "branin": ({"x1": FLOAT(-5.0, 10.0), "x2": FLOAT(0.0, 15.0)}, branin, 0.0),
    "hartmann6": ({f"x{j + 1}": FLOAT(0.0, 1.0) for j in range(6)}, hartmann6, 0.0),
    "noisy-sphere": (sphere_noisy_space(), sphere_clean, 1.0),
    "mixed-noisy": (
        {
            "dropout": FLOAT(0.0, 0.9),
            "layers": INT(1, 16),
            "lr": FLOAT(1e-5, 1.0, log=True),
            "optimizer": CAT(["adam", "sgd", "rmsprop", "adagrad"]),
        },
        mixed_clean,
        0.2,
    ),
}


def make_sampler(kind, seed):
    if kind == "tpe-window":
        return optuna.samplers.TPESampler(seed=seed, constant_liar=True)
    if kind == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if kind == "tpe-multivariate":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    return optuna.samplers.RandomSampler(seed=seed)


def best_clean(name, kind, seed, trials, window=0):
    """With `window` w > 0 (kind "tpe-window"), trial k is asked while trials k - w ... k - 1 are
    still running (asked, not told), as in an @rlvr/tuner study with pendingWindow w run in order."""
    space, f, noise = SUITE[name]
    study = optuna.create_study(direction="minimize", sampler=make_sampler(kind, seed))
    noise_rng = np.random.RandomState(seed)
    best = math.inf
    best_clean_value = math.inf
    running = []
    w = window if kind == "tpe-window" else 0
    for k in range(trials + w):
        if k < trials:
            running.append(study.ask(space))
        if len(running) > w or k >= trials:
            trial = running.pop(0)
            clean = f(trial.params)
            observed = clean + noise * noise_rng.standard_normal() if noise > 0 else clean
            study.tell(trial, observed)
            if observed < best:
                best = observed
                best_clean_value = clean
    return best_clean_value


def overhead(kind, n, reps, rounds):
    """Median ask + suggest + tell time (ms) on a study that holds n finished Branin trials (the
    lowest of `rounds` medians, the round least disturbed by other processes)."""
    space = SUITE["branin"][0]
    rng = np.random.RandomState(1)
    study = optuna.create_study(direction="minimize", sampler=make_sampler(kind, 1))
    for _ in range(n):
        params = {"x1": float(rng.uniform(-5, 10)), "x2": float(rng.uniform(0, 15))}
        study.add_trial(
            optuna.trial.create_trial(params=params, distributions=space, value=branin(params))
        )
    medians = []
    for _ in range(rounds):
        medians.append(_timed(study, reps))
    return min(medians)


def _timed(study, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        trial = study.ask()
        x1 = trial.suggest_float("x1", -5.0, 10.0)
        x2 = trial.suggest_float("x2", 0.0, 15.0)
        study.tell(trial, branin({"x1": x1, "x2": x2}))
        times.append((time.perf_counter() - t0) * 1000)
    return float(np.median(times))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=50)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--seed-base", type=int, default=1000)
    ap.add_argument("--samplers", default="tpe,random")
    ap.add_argument("--functions", default=",".join(SUITE))
    ap.add_argument("--window", type=int, default=7)
    ap.add_argument("--overhead-n", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    seeds = [args.seed_base + i for i in range(args.seeds)]
    suite = {}
    for name in args.functions.split(","):
        suite[name] = {
            kind: [best_clean(name, kind, s, args.trials, args.window) for s in seeds]
            for kind in args.samplers.split(",")
        }
        print(f"optuna anchor: {name} done", file=sys.stderr, flush=True)
    out = {"optuna": optuna.__version__, "numpy": np.__version__, "suite": suite}
    if args.overhead_n > 0:
        out["overhead"] = {
            "n": args.overhead_n,
            "reps": args.reps,
            "rounds": args.rounds,
            "tpe_ms": overhead("tpe", args.overhead_n, args.reps, args.rounds),
            "random_ms": overhead("random", args.overhead_n, args.reps, args.rounds),
        }
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
