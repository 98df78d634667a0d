"""Start-up: time from provider process start to its schema served, against a whole `terraform plan`.

Two measurements:
- from terraform's own trace log (TF_LOG=trace) during `terraform plan` of DKS: "starting plugin"
  (just before exec) to "No provider meta schema returned" (the GetProviderSchema answer decoded),
  for the first provider process of the plan; the plan's wall time is the denominator.
- directly: exec the binary with the go-plugin environment and time the handshake line on stdout
  (no terraform involved), the part that is only the provider's.
"""

import os
import re
import statistics
import subprocess
import time
from datetime import datetime

_T = re.compile(r"^(\d{4}-\d\d-\d\dT[\d:.]+)(Z|[+-]\d\d:\d\d)")


def _when(line):
    m = _T.match(line)
    return datetime.fromisoformat(m.group(1) + ("+00:00" if m.group(2) == "Z" else m.group(2))).timestamp() if m else None


def schema_spans(trace_path):
    """[(start, schema_served)] per provider process whose schema terraform requested."""
    spans, start, asked = [], None, False
    with open(trace_path, errors="replace") as f:
        for line in f:
            if "provider: starting plugin:" in line and "terraform-provider-awsecs" in line:
                start, asked = _when(line), False
            elif "GRPCProvider: GetProviderSchema" in line and start is not None:
                asked = True
            elif asked and "No provider meta schema returned" in line:
                spans.append((start, _when(line)))
                start, asked = None, False
    return spans


def handshake_ms(binary, runs=5):
    """Median ms from exec to the go-plugin handshake line (no TLS client cert: plaintext mode)."""
    env = {"PATH": os.environ.get("PATH", ""), "TF_PLUGIN_MAGIC_COOKIE":
           "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
           "PLUGIN_PROTOCOL_VERSIONS": "5"}
    out = []
    for _ in range(runs):
        t0 = time.monotonic()
        p = subprocess.Popen([binary], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
        line = p.stdout.readline()
        out.append((time.monotonic() - t0) * 1000)
        p.terminate()
        p.wait()
        if "|" not in line:
            raise RuntimeError(f"no handshake line from {binary}: {line!r}")
    return round(statistics.median(out), 1)


def measure(terraform, example_dir, run_dir, env, binary, runs=3):
    os.makedirs(run_dir, exist_ok=True)
    env = dict(env, TF_DATA_DIR=os.path.join(run_dir, "tfdata"))
    subprocess.run([terraform, f"-chdir={example_dir}", "init", "-input=false", "-no-color"], env=env,
                   check=True, capture_output=True, stdin=subprocess.DEVNULL)
    plans, firsts, totals = [], [], []
    for i in range(runs):
        trace = os.path.join(run_dir, f"plan-trace-{i}.log")
        if os.path.exists(trace):
            os.remove(trace)  # terraform appends to TF_LOG_PATH
        state = os.path.join(run_dir, "empty.tfstate")
        t0 = time.monotonic()
        subprocess.run([terraform, f"-chdir={example_dir}", "plan", "-input=false", "-no-color", f"-state={state}"],
                       env=dict(env, TF_LOG="trace", TF_LOG_PATH=trace), check=True, capture_output=True,
                       stdin=subprocess.DEVNULL)
        plans.append(time.monotonic() - t0)
        spans = schema_spans(trace)
        if not spans:
            raise RuntimeError(f"no provider start/schema found in {trace}")
        firsts.append(spans[0][1] - spans[0][0])
        totals.append(sum(e - s for s, e in spans))
    plan_s = statistics.median(plans)
    first_s = statistics.median(firsts)
    return {
        "plan_s": round(plan_s, 3),
        "start_to_schema_ms": round(first_s * 1000, 1),
        "fraction_of_plan": round(first_s / plan_s, 4),
        "all_starts_ms": round(statistics.median(totals) * 1000, 1),
        "starts_per_plan": len(spans),
        "handshake_ms": handshake_ms(binary),
        "runs": runs,
    }
