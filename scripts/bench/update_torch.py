#!/usr/bin/env python3
"""The PyTorch side of scripts/bench/update.ts: the same SAC and TD3 updates, and the same
Pendulum-v1 SAC training loop, written plainly in PyTorch (CleanRL-style), so that the TypeScript
benchmark can print its ratio to PyTorch measured in the same run.

    /usr/bin/python3 scripts/bench/update_torch.py [--updates 30] [--warmup 5] \
        [--train-steps 1500] [--threads 1,2] [--json]

Workload (spec/tfjs-backends.md §1.2): batch 256, obs 17, act 6, 256x256 ReLU networks, a fixed
synthetic batch; each figure is the median over the timed updates, for each thread count.
Training: Pendulum-v1 (its equations, in NumPy), 100 random steps then one 256-batch update per
env step, 256x256 networks, steps per second of the whole loop.
"""
import argparse
import json
import math
import os
import statistics
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

OBS, ACT, BATCH, HIDDEN = 17, 6, 256, 256


def mlp(inp, out):
    return nn.Sequential(nn.Linear(inp, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, out))


class SacActor(nn.Module):
    def __init__(self, obs, act):
        super().__init__()
        self.body = mlp(obs, 2 * act)

    def sample(self, x):
        mean, log_std = self.body(x).chunk(2, dim=-1)
        log_std = log_std.clamp(-20, 2)
        std = log_std.exp()
        u = mean + std * torch.randn_like(mean)
        a = torch.tanh(u)
        log_prob = (-0.5 * ((u - mean) / std) ** 2 - log_std - 0.5 * math.log(2 * math.pi)).sum(-1)
        log_prob = log_prob - torch.log(1 - a * a + 1e-6).sum(-1)
        return a, log_prob

    def deterministic(self, x):
        mean, _ = self.body(x).chunk(2, dim=-1)
        return torch.tanh(mean)


class Sac:
    def __init__(self, obs, act, lr=3e-4, gamma=0.99, tau=0.005):
        self.actor = SacActor(obs, act)
        self.q1, self.q2 = mlp(obs + act, 1), mlp(obs + act, 1)
        self.q1_t, self.q2_t = mlp(obs + act, 1), mlp(obs + act, 1)
        self.q1_t.load_state_dict(self.q1.state_dict())
        self.q2_t.load_state_dict(self.q2.state_dict())
        self.log_alpha = torch.zeros(1, requires_grad=True)
        self.target_entropy = -float(act)
        self.actor_opt = torch.optim.Adam(self.actor.parameters(), lr=lr)
        self.critic_opt = torch.optim.Adam(list(self.q1.parameters()) + list(self.q2.parameters()), lr=lr)
        self.alpha_opt = torch.optim.Adam([self.log_alpha], lr=lr)
        self.gamma, self.tau = gamma, tau

    def update(self, obs, act, rew, next_obs, done):
        alpha = self.log_alpha.exp().detach()
        with torch.no_grad():
            na, nlp = self.actor.sample(next_obs)
            nx = torch.cat([next_obs, na], -1)
            q_next = torch.min(self.q1_t(nx), self.q2_t(nx)).squeeze(-1) - alpha * nlp
            target = rew + self.gamma * (1 - done) * q_next
        x = torch.cat([obs, act], -1)
        critic_loss = F.mse_loss(self.q1(x).squeeze(-1), target) + F.mse_loss(self.q2(x).squeeze(-1), target)
        self.critic_opt.zero_grad()
        critic_loss.backward()
        self.critic_opt.step()

        a, lp = self.actor.sample(obs)
        xa = torch.cat([obs, a], -1)
        actor_loss = (alpha * lp - torch.min(self.q1(xa), self.q2(xa)).squeeze(-1)).mean()
        self.actor_opt.zero_grad()
        actor_loss.backward()
        self.actor_opt.step()

        alpha_loss = -(self.log_alpha * (lp.detach() + self.target_entropy)).mean()
        self.alpha_opt.zero_grad()
        alpha_loss.backward()
        self.alpha_opt.step()

        polyak(self.q1, self.q1_t, self.tau)
        polyak(self.q2, self.q2_t, self.tau)
        return critic_loss.item()

    def act(self, obs):
        with torch.no_grad():
            a, _ = self.actor.sample(torch.as_tensor(obs).unsqueeze(0))
        return a[0].numpy()


class Td3:
    def __init__(self, obs, act, lr=1e-3, gamma=0.99, tau=0.005, delay=2):
        self.actor, self.actor_t = mlp(obs, act), mlp(obs, act)
        self.actor_t.load_state_dict(self.actor.state_dict())
        self.q1, self.q2 = mlp(obs + act, 1), mlp(obs + act, 1)
        self.q1_t, self.q2_t = mlp(obs + act, 1), mlp(obs + act, 1)
        self.q1_t.load_state_dict(self.q1.state_dict())
        self.q2_t.load_state_dict(self.q2.state_dict())
        self.actor_opt = torch.optim.Adam(self.actor.parameters(), lr=lr)
        self.critic_opt = torch.optim.Adam(list(self.q1.parameters()) + list(self.q2.parameters()), lr=lr)
        self.gamma, self.tau, self.delay, self.n = gamma, tau, delay, 0

    def update(self, obs, act, rew, next_obs, done):
        with torch.no_grad():
            noise = (torch.randn_like(act) * 0.2).clamp(-0.5, 0.5)
            na = (torch.tanh(self.actor_t(next_obs)) + noise).clamp(-1, 1)
            nx = torch.cat([next_obs, na], -1)
            target = rew + self.gamma * (1 - done) * torch.min(self.q1_t(nx), self.q2_t(nx)).squeeze(-1)
        x = torch.cat([obs, act], -1)
        critic_loss = F.mse_loss(self.q1(x).squeeze(-1), target) + F.mse_loss(self.q2(x).squeeze(-1), target)
        self.critic_opt.zero_grad()
        critic_loss.backward()
        self.critic_opt.step()
        self.n += 1
        if self.n % self.delay == 0:
            actor_loss = -self.q1(torch.cat([obs, torch.tanh(self.actor(obs))], -1)).mean()
            self.actor_opt.zero_grad()
            actor_loss.backward()
            self.actor_opt.step()
            polyak(self.actor, self.actor_t, self.tau)
            polyak(self.q1, self.q1_t, self.tau)
            polyak(self.q2, self.q2_t, self.tau)
        return critic_loss.item()


def polyak(net, target, tau):
    with torch.no_grad():
        for p, t in zip(net.parameters(), target.parameters()):
            t.mul_(1 - tau).add_(p, alpha=tau)


def synthetic_batch(seed):
    g = np.random.default_rng(seed)
    t = lambda x: torch.as_tensor(np.asarray(x, dtype=np.float32))
    return (
        t(g.standard_normal((BATCH, OBS))),
        t(g.uniform(-1, 1, (BATCH, ACT))),
        t(g.standard_normal(BATCH)),
        t(g.standard_normal((BATCH, OBS))),
        t((g.random(BATCH) < 0.02).astype(np.float32)),
    )


def time_updates(learner, batch, warmup, updates):
    """Median wall and CPU milliseconds per update (CPU: this process, all its threads)."""
    for _ in range(warmup):
        learner.update(*batch)
    walls, cpus = [], []
    for _ in range(updates):
        c0, t0 = time.process_time(), time.perf_counter()
        learner.update(*batch)  # .item() inside: the step is complete when it returns
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    return statistics.median(walls), statistics.median(cpus)


class Pendulum:
    """Pendulum-v1's equations (g = 10, m = l = 1, dt = 0.05, max speed 8, max torque 2, 200 steps)."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def reset(self):
        self.th, self.thdot = self.rng.uniform([-math.pi, -1.0], [math.pi, 1.0])
        self.t = 0
        return self.obs()

    def obs(self):
        return np.array([math.cos(self.th), math.sin(self.th), self.thdot], dtype=np.float32)

    def step(self, u):
        u = float(np.clip(u, -2.0, 2.0))
        norm = ((self.th + math.pi) % (2 * math.pi)) - math.pi
        cost = norm**2 + 0.1 * self.thdot**2 + 0.001 * u**2
        self.thdot = float(np.clip(self.thdot + (3 * 10 / 2 * math.sin(self.th) + 3.0 * u) * 0.05, -8, 8))
        self.th = self.th + self.thdot * 0.05
        self.t += 1
        return self.obs(), -cost, self.t >= 200


def training_rate(steps, seed=0):
    """Env steps per second of a plain SAC loop on Pendulum-v1 (act, step, store, sample, update)."""
    torch.manual_seed(seed)
    env, sac = Pendulum(seed), Sac(3, 1, lr=1e-3)
    rng = np.random.default_rng(seed + 1)
    obs_buf = np.zeros((steps, 3), np.float32)
    next_buf = np.zeros((steps, 3), np.float32)
    act_buf = np.zeros((steps, 1), np.float32)
    rew_buf = np.zeros(steps, np.float32)
    obs = env.reset()
    t0 = time.perf_counter()
    for step in range(steps):
        action = rng.uniform(-1, 1, 1).astype(np.float32) if step < 100 else sac.act(obs)
        next_obs, reward, truncated = env.step(2.0 * action[0])
        obs_buf[step], act_buf[step], rew_buf[step], next_buf[step] = obs, action, reward, next_obs
        obs = env.reset() if truncated else next_obs
        if step >= 100:
            idx = rng.integers(0, step + 1, BATCH)
            sac.update(
                torch.as_tensor(obs_buf[idx]),
                torch.as_tensor(act_buf[idx]),
                torch.as_tensor(rew_buf[idx]),
                torch.as_tensor(next_buf[idx]),
                torch.zeros(BATCH),
            )
    return steps / (time.perf_counter() - t0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--updates", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--train-steps", type=int, default=1500)
    p.add_argument("--threads", default=",".join(str(t) for t in sorted({1, 2, os.cpu_count() or 1})))
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    per_threads = []
    for threads in [int(t) for t in a.threads.split(",")]:
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        batch = synthetic_batch(2)
        sac_ms, sac_cpu = time_updates(Sac(OBS, ACT), batch, a.warmup, a.updates)
        td3_ms, td3_cpu = time_updates(Td3(OBS, ACT), batch, a.warmup, 2 * a.updates)
        per_threads.append({"threads": threads, "sac_ms": sac_ms, "td3_ms": td3_ms, "sac_cpu_ms": sac_cpu, "td3_cpu_ms": td3_cpu})
    best = min(per_threads, key=lambda r: r["sac_ms"])
    torch.set_num_threads(best["threads"])
    result = {
        "torch": torch.__version__,
        "per_threads": per_threads,
        "best": {"threads": best["threads"], "sac_ms": best["sac_ms"], "td3_ms": best["td3_ms"]},
        "train_steps": a.train_steps,
        "pendulum_sac_steps_per_s": training_rate(a.train_steps) if a.train_steps > 0 else None,
    }
    if a.json:
        print(json.dumps(result))
    else:
        for r in per_threads:
            print(f"torch {result['torch']}, {r['threads']} thread(s): SAC update {r['sac_ms']:.1f} ms (CPU {r['sac_cpu_ms']:.1f}), TD3 update {r['td3_ms']:.1f} ms (CPU {r['td3_cpu_ms']:.1f})")
        if result["pendulum_sac_steps_per_s"] is not None:
            print(f"Pendulum-v1 SAC training ({best['threads']} thread(s)): {result['pendulum_sac_steps_per_s']:.1f} steps/s")


if __name__ == "__main__":
    main()
