"""Runs terraform against the proxy and collects what the benchmark reports: calls per step and per
resource, wall times, per-resource apply windows, and the provider's peak RSS (VmHWM)."""

import json
import os
import subprocess
import threading
import time
from datetime import datetime

BINARY_NAME = "terraform-provider-awsecs"


class RssWatcher:
    """Polls /proc for provider processes and keeps each one's last VmHWM (peak resident set).

    VmHWM only grows, so the last value read before a process exits is its peak up to then."""

    def __init__(self, binary, interval=0.02):
        self.binary = os.path.realpath(binary)
        self.interval = interval
        self.peaks = {}  # pid -> (kB, step)
        self.step = "idle"
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    if os.readlink(f"/proc/{pid}/exe") != self.binary:
                        continue
                    with open(f"/proc/{pid}/status") as f:
                        for line in f:
                            if line.startswith("VmHWM:"):
                                kb = int(line.split()[1])
                                key = int(pid)
                                old = self.peaks.get(key, (0, self.step))
                                self.peaks[key] = (max(kb, old[0]), old[1] if key in self.peaks else self.step)
                except OSError:
                    continue
            time.sleep(self.interval)

    def peak_kb(self, step):
        return max((kb for kb, s in self.peaks.values() if s == step), default=0)

    def processes(self, step):
        return sum(1 for _, s in self.peaks.values() if s == step)

    def close(self):
        self._stop.set()


def _ts(s):
    """Terraform's JSON UI timestamp (RFC 3339 with local offset) as epoch seconds."""
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


class Terraform:
    """One stack's terraform working directory, pointed at the provider build and the proxy."""

    def __init__(self, terraform, example_dir, run_dir, env):
        self.terraform = terraform
        self.example_dir = example_dir
        self.run_dir = run_dir
        self.env = env
        self.state = os.path.join(run_dir, "bench.tfstate")

    def run(self, *args, check=True, log_name=None):
        cmd = [self.terraform, f"-chdir={self.example_dir}", *args]
        start = time.time()
        p = subprocess.run(cmd, env=self.env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        end = time.time()
        if log_name:
            with open(os.path.join(self.run_dir, log_name + ".log"), "w") as f:
                f.write(p.stdout)
                f.write("\n--- stderr ---\n")
                f.write(p.stderr)
        if check and p.returncode != 0:
            raise RuntimeError(f"terraform {' '.join(args[:1])} failed ({p.returncode}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
        return p, start, end

    def state_json(self):
        with open(self.state) as f:
            return json.load(f)


def resource_windows(json_lines):
    """Per resource address: [(kind, start, end)] from the JSON UI's *_start/*_complete hooks."""
    open_, windows = {}, {}
    for line in json_lines.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        kind = msg.get("type", "")
        hook = msg.get("hook") or {}
        addr = (hook.get("resource") or {}).get("addr")
        if not addr or "@timestamp" not in msg:
            continue
        t = _ts(msg["@timestamp"])
        if kind in ("apply_start", "refresh_start"):
            open_[(addr, kind[:-6])] = t
        elif kind in ("apply_complete", "refresh_complete", "apply_errored"):
            base = kind.split("_")[0]
            s = open_.pop((addr, base), None)
            if s is not None:
                windows.setdefault(addr, []).append((base, s, t))
    return windows


def attribute_calls(calls, windows):
    """With -parallelism=1 hook windows do not overlap: each call belongs to the window holding it.
    Calls outside every window are the provider's own (Configure) or terraform's plan-time work."""
    flat = sorted((s, e, addr) for addr, ws in windows.items() for _, s, e in ws)
    per = {}
    for c in calls:
        owner = "(outside any resource: configure / plan)"
        for s, e, addr in flat:
            if s - 0.002 <= c["wall_start"] <= e + 0.002:
                owner = addr
                break
        per.setdefault(owner, []).append(f'{c["service"]}:{c["op"]}')
    return per


def state_resources(state):
    """[(address, mode, type, dependencies)] of every instance in a v4 state file."""
    out = []
    for r in state.get("resources", []):
        prefix = (r["module"] + ".") if r.get("module") else ""
        base = ("data." if r["mode"] == "data" else "") + f'{r["type"]}.{r["name"]}'
        for inst in r.get("instances", []):
            key = inst.get("index_key")
            addr = prefix + base + ("" if key is None else (f'["{key}"]' if isinstance(key, str) else f"[{key}]"))
            out.append((addr, r["mode"], r["type"], inst.get("dependencies", [])))
    return out
