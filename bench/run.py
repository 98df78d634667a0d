"""bench/run: size, peak RSS, API economy, wall time against the critical-path floor, start-up.

Called by bench/run (which prepares the toolchain and the binary); writes bench/results/latest.json
and bench/results/latest.md. See bench/README.md for what each figure means."""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import floors  # noqa: E402
import harness  # noqa: E402
import proxy as proxy_mod  # noqa: E402
import report  # noqa: E402
import startup  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HASHICORP_AWS_UNZIPPED_MB = 830  # hashicorp/aws 6.50 binary, unzipped (published figure)
HASHICORP_AWS_RSS_MB = 100  # hashicorp/aws per provider process (published figure)


def start_moto(run_dir):
    env = dict(os.environ, MOTO_RUN_DIR=run_dir)
    out = subprocess.run(["bash", "scripts/moto", "start"], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def stop_moto(run_dir):
    env = dict(os.environ, MOTO_RUN_DIR=run_dir)
    subprocess.run(["bash", "scripts/moto", "stop"], cwd=ROOT, env=env, capture_output=True)


def tf_env(provider_dir, run_dir, endpoint):
    cli = os.path.join(run_dir, "cli.tfrc")
    with open(cli, "w") as f:
        f.write('provider_installation {\n  dev_overrides {\n'
                f'    "registry.terraform.io/awsecs/awsecs" = "{provider_dir}"\n'
                '  }\n  direct {}\n}\n')
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "TF_")) and k not in ("CI",)}
    env.update(TF_CLI_CONFIG_FILE=cli, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1", TF_INPUT="0",
               AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true", NO_PROXY="127.0.0.1,localhost")
    return env


def run_step(tf, rec, rss, key, args):
    rec.step = rss.step = key
    p, start, end = tf.run(*args, check=False, log_name=key.replace(":", "-"))
    rec.step = rss.step = "idle"
    time.sleep(0.1)  # let the watcher see the exiting provider once more
    ok = p.returncode == 0 or (args[0] == "plan" and p.returncode in (0, 2))
    if not ok:
        raise RuntimeError(f"{key}: terraform {args[0]} failed ({p.returncode}); log in {tf.run_dir}\n{p.stdout[-2000:]}")
    calls = rec.take(key)
    windows = harness.resource_windows(p.stdout)
    return {
        "wall_s": round(end - start, 3),
        "exit": p.returncode,
        "calls": calls,
        "windows": windows,
        "by_resource": harness.attribute_calls(calls, windows),
        "providers": rss.processes(key),
        "peak_rss_kb": rss.peak_kb(key),
    }


def cycle(tf, rec, rss, label, latency, parallelism, refresh):
    """apply, (optionally) a no-change plan, destroy — at the given latency and parallelism."""
    rec.latency = latency
    common = ["-input=false", "-no-color", "-json", f"-parallelism={parallelism}", f"-state={tf.state}"]
    out = {"latency_ms": int(latency * 1000), "parallelism": parallelism}
    out["apply"] = run_step(tf, rec, rss, f"{label}:apply", ["apply", "-auto-approve", *common])
    state = tf.state_json()
    if refresh:
        out["refresh"] = run_step(tf, rec, rss, f"{label}:refresh", ["plan", "-detailed-exitcode", *common])
    out["destroy"] = run_step(tf, rec, rss, f"{label}:destroy", ["destroy", "-auto-approve", *common])
    rec.latency = 0
    return out, state


def bench_stack(stack, terraform, env_base, rec, rss, latency):
    example = os.path.join(ROOT, "examples", "terraform", stack)
    run_dir = os.path.join(ROOT, ".tools", "run", "bench", stack)
    os.makedirs(run_dir, exist_ok=True)
    for f in ("bench.tfstate", "bench.tfstate.backup"):
        if os.path.exists(os.path.join(run_dir, f)):
            os.remove(os.path.join(run_dir, f))
    env = dict(env_base, TF_DATA_DIR=os.path.join(run_dir, "tfdata"))
    tf = harness.Terraform(terraform, example, run_dir, env)
    print(f"bench: {stack}: init", file=sys.stderr)
    tf.run("init", "-input=false", "-no-color", log_name="init")
    result = {}
    print(f"bench: {stack}: calls (latency 0, parallelism 1)", file=sys.stderr)
    result["economy"], state = cycle(tf, rec, rss, f"{stack}:economy", 0, 1, refresh=True)
    print(f"bench: {stack}: overhead (latency 0, parallelism 10)", file=sys.stderr)
    result["zero"], _ = cycle(tf, rec, rss, f"{stack}:zero", 0, 10, refresh=False)
    print(f"bench: {stack}: latency {int(latency * 1000)} ms (parallelism 10)", file=sys.stderr)
    result["latency"], _ = cycle(tf, rec, rss, f"{stack}:latency", latency, 10, refresh=False)
    # Same latency, one resource at a time: each call falls in one hook window (where time goes).
    print(f"bench: {stack}: attribution (latency {int(latency * 1000)} ms, parallelism 1)", file=sys.stderr)
    result["attribution"], _ = cycle(tf, rec, rss, f"{stack}:attrib", latency, 1, refresh=False)
    result["resources"] = harness.state_resources(state)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--binary", required=True)
    ap.add_argument("--profile", default="release")
    ap.add_argument("--latency-ms", type=int, default=50)
    ap.add_argument("--stacks", default="dks,sockshop,hit-counter")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    args = ap.parse_args()
    latency = args.latency_ms / 1000
    stacks = [s for s in args.stacks.split(",") if s]
    terraform = os.environ.get("TF_ACC_TERRAFORM_PATH", os.path.join(ROOT, ".tools", "bin", "terraform"))

    run_dir = os.path.join(ROOT, ".tools", "run", "bench")
    os.makedirs(run_dir, exist_ok=True)
    provider_dir = os.path.join(run_dir, "provider")
    os.makedirs(provider_dir, exist_ok=True)
    link = os.path.join(provider_dir, harness.BINARY_NAME)
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(os.path.abspath(args.binary), link)

    moto_dir = os.path.join(ROOT, ".tools", "run", "moto-bench")
    endpoint = start_moto(moto_dir)
    proxy = proxy_mod.Proxy(endpoint)
    rss = harness.RssWatcher(args.binary)
    env = tf_env(provider_dir, run_dir, proxy.endpoint)
    try:
        measured = {"stacks": {}}
        print("bench: start-up", file=sys.stderr)
        measured["startup"] = startup.measure(terraform, os.path.join(ROOT, "examples", "terraform", "dks"),
                                              os.path.join(run_dir, "startup"), env, link)
        for stack in stacks:
            measured["stacks"][stack] = bench_stack(stack, terraform, env, proxy.recorder, rss, latency)
    finally:
        rss.close()
        proxy.close()
        stop_moto(moto_dir)

    meta = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                 text=True).stdout.strip(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
        "binary": os.path.abspath(args.binary),
        "profile": args.profile,
        "binary_bytes": os.path.getsize(args.binary),
        "latency_ms": args.latency_ms,
        "references": {"hashicorp_aws_unzipped_mb": HASHICORP_AWS_UNZIPPED_MB,
                       "hashicorp_aws_rss_mb": HASHICORP_AWS_RSS_MB},
    }
    summary = report.summarize(meta, measured, latency)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "latest.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
        f.write("\n")
    md = report.markdown(summary)
    with open(os.path.join(args.out, "latest.md"), "w") as f:
        f.write(md)
    print(md)


if __name__ == "__main__":
    main()
