"""Random-policy steps per second of Gymnasium's envs (the baseline of scripts/bench/envs.ts).

Same loop as the TypeScript benchmark: gymnasium.make (checker, order enforcing, time limit),
4096 pre-sampled actions, reset at episode ends, a 0.2 s warm-up, then `--seconds` of timing.
Prints one JSON object {env id: steps per second}.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from gymnasium_src import import_gymnasium  # noqa: E402

gym = import_gymnasium()


def steps_per_second(env, seconds):
    env.action_space.seed(0)
    actions = [env.action_space.sample() for _ in range(4096)]
    env.reset(seed=0)

    def run(budget):
        t0 = time.perf_counter()
        n = 0
        while time.perf_counter() - t0 < budget:
            for i in range(1000):
                _, _, terminated, truncated, _ = env.step(actions[(n + i) & 4095])
                if terminated or truncated:
                    env.reset()
            n += 1000
        return n / (time.perf_counter() - t0)

    run(0.2)
    return run(seconds)


parser = argparse.ArgumentParser()
parser.add_argument("--seconds", type=float, default=2.0)
parser.add_argument("ids", nargs="*")
args = parser.parse_args()
result = {}
for env_id in args.ids:
    try:
        env = gym.make(env_id)
    except Exception:  # not a Gymnasium env (e.g. a project-only id): no baseline
        continue
    result[env_id] = steps_per_second(env, args.seconds)
print(json.dumps(result))
