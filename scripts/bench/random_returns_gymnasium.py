"""Random-policy returns of Gymnasium's own envs: the reference for the random-return column of
scripts/bench/envs.ts (docs/benchmarks.md).

    GYMNASIUM_SRC=/path/to/Gymnasium python3 scripts/bench/random_returns_gymnasium.py \
        [--episodes 1000] [--pair-margin max] Ant-v5 Hopper-v5 ...

Uniform actions from `action_space.sample()` (seeded 0), `reset(seed=0)` then unseeded resets,
through `gymnasium.make`. MuJoCo envs need the Python `mujoco` package.

`--pair-margin max` reproduces the contact margins of MuJoCo before 3.5 (the engine of mujoco-js
0.0.7, which this project runs) on a newer `mujoco`: MuJoCo 3.5 changed the margin of a contact
from the larger of the two geoms' margins to their sum. When every geom of a model has the same
margin m, halving them all gives every pair m again, exactly the old rule; other models are
refused. Prints one JSON object per env.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from gymnasium_src import import_gymnasium  # noqa: E402

gym = import_gymnasium(mujoco=True)

import numpy as np  # noqa: E402


def old_pair_margins(env):
    """Halves every geom margin when the installed MuJoCo adds them; returns what was done."""
    import mujoco

    if tuple(int(v) for v in mujoco.__version__.split(".")[:2]) < (3, 5):
        return "none needed (MuJoCo < 3.5 takes the larger margin)"
    margins = env.unwrapped.model.geom_margin
    if np.all(margins == 0):
        return "none needed (no geom margins)"
    if not np.all(margins == margins[0]):
        sys.exit(f"{env.spec.id}: geom margins differ ({sorted(set(margins.tolist()))}); halving them would not give the old pair margins")
    margins *= 0.5
    return f"every geom margin halved to {margins[0]}"


def random_returns(env_id, episodes, pair_margin):
    env = gym.make(env_id)
    note = old_pair_margins(env) if pair_margin == "max" else None
    env.action_space.seed(0)
    returns, lengths, terminated_count = [], [], 0
    env.reset(seed=0)
    for episode in range(episodes):
        if episode:
            env.reset()
        total, length = 0.0, 0
        while True:
            _, reward, terminated, truncated, _ = env.step(env.action_space.sample())
            total += reward
            length += 1
            if terminated or truncated:
                break
        terminated_count += bool(terminated)
        returns.append(total)
        lengths.append(length)
    env.close()
    r = np.array(returns)
    out = {
        "env": env_id,
        "episodes": episodes,
        "mean": r.mean(),
        "std": r.std(),
        "standard_error": r.std() / np.sqrt(episodes),
        "median": float(np.median(r)),
        "min": r.min(),
        "max": r.max(),
        "mean_length": float(np.mean(lengths)),
        "terminated": terminated_count,
    }
    if note is not None:
        out["pair_margin"] = note
    return {k: float(v) if isinstance(v, np.floating) else v for k, v in out.items()}


parser = argparse.ArgumentParser()
parser.add_argument("--episodes", type=int, default=1000)
parser.add_argument("--pair-margin", choices=["engine", "max"], default="engine",
                    help="'engine': whatever the installed mujoco does; 'max': MuJoCo < 3.5's rule")
parser.add_argument("ids", nargs="+")
args = parser.parse_args()
for env_id in args.ids:
    print(json.dumps(random_returns(env_id, args.episodes, args.pair_margin)), flush=True)
