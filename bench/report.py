"""Turns the raw measurements into the figures of issue 6 (JSON) and the markdown table."""

import collections
import re

import attribution
import endpoint
import floors

TARGETS = {"binary_mb": 28, "peak_rss_mb": 20, "apply_ratio": 1.2, "destroy_ratio": 1.2, "startup_fraction": 0.02}

# Configure calls (GetCallerIdentity) a step needs: terraform configures one provider per graph
# walk that talks to AWS — plan (refresh); apply = plan walk + apply walk; destroy = refresh plan
# walk + destroy plan walk + apply walk.
WALKS = {"refresh": 1, "apply": 2, "destroy": 3}

_KEY = re.compile(r'\[[^\]]*\]')


def config_addr(addr):
    """module.service["carts"].awsecs_x.this["k"] -> module.service.awsecs_x.this"""
    return _KEY.sub("", addr)


def _counter(calls):
    return collections.Counter(f'{c["service"]}:{c["op"]}' for c in calls)


def floor_calls(resources, step):
    """The floor multiset of calls for one step of one stack."""
    need = collections.Counter()
    for _ in range(WALKS[step]):
        need.update(floors.CONFIGURE)
    for _, mode, rtype, _ in resources:
        if mode == "data":
            if step in ("apply", "refresh", "destroy"):
                need.update(floors.calls(rtype, "read"))
            continue
        if step == "apply":
            need.update(floors.calls(rtype, "create"))
        elif step == "refresh":
            need.update(floors.calls(rtype, "read"))
        else:
            need.update(floors.calls(rtype, "read"))  # destroy refreshes first
            need.update(floors.calls(rtype, "delete"))
    return need


def _critical_path(nodes, deps, cost, reverse=False):
    """Longest cost path through the DAG; deps maps node -> set of nodes it waits for."""
    if reverse:
        rdeps = {n: set() for n in nodes}
        for n, ds in deps.items():
            for d in ds:
                if d in rdeps:
                    rdeps[d].add(n)
        deps = rdeps
    memo = {}

    def finish(n, seen=()):
        if n in memo:
            return memo[n]
        best = max((finish(d, seen + (n,)) for d in deps.get(n, ()) if d not in seen), default=0.0)
        memo[n] = best + cost[n]
        return memo[n]

    return max((finish(n) for n in nodes), default=0.0)


def _graph(resources):
    """Managed instance addresses and, per address, the instances it waits for (from the state's
    config-level dependencies, expanded to every instance of the depended-on resource)."""
    managed = [r for r in resources if r[1] == "managed"]
    by_config = collections.defaultdict(list)
    for addr, _, _, _ in managed:
        by_config[config_addr(addr)].append(addr)
    deps = {addr: {a for d in ds for a in by_config.get(config_addr(d), [])} - {addr} for addr, _, _, ds in managed}
    return [r[0] for r in managed], deps


def measured_path(resources, step_result, step):
    """The same critical path, each resource costing its measured hook window: the provider's
    time on the path, without terraform's start-up, plan walk and scheduling gaps."""
    nodes, deps = _graph(resources)
    took = {n: sum(e - s for base, s, e in step_result["windows"].get(n, []) if base == "apply") for n in nodes}
    return round(_critical_path(nodes, deps, took, reverse=(step == "destroy")), 3)


def wall_floor(resources, step, latency, parallelism=10, medians=None, serial=False):
    """Critical-path floor (seconds) of apply or destroy at `latency` per call, and its parts.
    With `medians` (per-operation service seconds) each needed call also costs the endpoint's time
    (endpoint-aware floor); with `serial` the endpoint's total needed work bounds the graph part too."""
    managed = [r for r in resources if r[1] == "managed"]
    data = [r for r in resources if r[1] == "data"]
    nodes, deps = _graph(resources)
    kind = "create" if step == "apply" else "delete"
    cost = {addr: endpoint.chain_cost(rtype, kind, latency, medians, serial) for addr, _, rtype, _ in managed}
    path = _critical_path(nodes, deps, cost, reverse=(step == "destroy"))
    work = sum(cost.values()) / parallelism
    graph = max(path, work)
    if medians is not None and serial:
        graph_ops = collections.Counter()
        for _, _, rtype, _ in managed:
            graph_ops.update(floors.calls(rtype, kind))
        graph = max(graph, endpoint.service_work(graph_ops, medians))
    # Data sources are read in the plan walk; subnets filter on the VPC's ID (read after it).
    data_cost = {rtype: endpoint.chain_cost(rtype, "read", latency, medians, serial) for _, _, rtype, _ in data}
    data_path = max(data_cost.values(), default=0.0)
    if "awsecs_subnets" in data_cost and "awsecs_vpc" in data_cost:
        data_path = max(data_path, data_cost["awsecs_vpc"] + data_cost["awsecs_subnets"])
    configure = WALKS[step] * sum(endpoint.step_cost(op, latency, medians or {}, serial) for op in floors.CONFIGURE)
    parts = {"configure_s": configure, "graph_s": graph}
    if step == "apply":
        parts["data_s"] = data_path
    else:
        read = max((endpoint.chain_cost(r[2], "read", latency, medians, serial) for r in resources), default=0.0)
        parts["refresh_s"] = max(read, data_path)
    total = sum(parts.values())
    if medians is not None and serial:
        # A serial endpoint must serve every needed call of the step one after the other.
        total = max(total, endpoint.service_work(floor_calls(resources, step), medians))
    return round(total, 3), {k: round(v, 3) for k, v in parts.items()}


def where_time_goes(step_result, resources, step, latency, top=8):
    """Per resource: measured hook window vs its floor chain at this latency, largest excess first."""
    kind = "create" if step == "apply" else "delete"
    rtype_of = {addr: (mode, rtype) for addr, mode, rtype, _ in resources}
    rows = []
    for addr, ws in step_result["windows"].items():
        if addr not in rtype_of:
            continue
        mode, rtype = rtype_of[addr]
        took = sum(e - s for base, s, e in ws if base == "apply")
        floor = floors.depth(rtype, "read" if mode == "data" else kind) * latency
        rows.append({"resource": addr, "took_s": round(took, 3), "floor_s": round(floor, 3),
                     "excess_s": round(took - floor, 3)})
    rows.sort(key=lambda r: -r["excess_s"])
    return rows[:top]


def economy(stack_result):
    resources = [tuple(r) for r in stack_result["resources"]]
    managed = sum(1 for r in resources if r[1] == "managed")
    out = {"resources": managed, "data_sources": len(resources) - managed, "steps": {}}
    for step in ("apply", "refresh", "destroy"):
        res = stack_result["economy"][step]
        actual = _counter(res["calls"])
        need = floor_calls(resources, step)
        excess = {k: v for k, v in sorted((actual - need).items())}
        missing = {k: v for k, v in sorted((need - actual).items())}
        out["steps"][step] = {
            "calls": sum(actual.values()),
            "floor": sum(need.values()),
            "calls_per_resource": round(sum(actual.values()) / max(managed, 1), 2),
            "excess": excess,
            "below_floor": missing,
            "by_operation": dict(sorted(actual.items())),
            "provider_processes": res["providers"],
            # -parallelism=1: each call falls in exactly one resource's hook window.
            "by_resource": {k: dict(collections.Counter(v)) for k, v in sorted(res["by_resource"].items())},
        }
    return out


def timing(stack_result, latency):
    resources = [tuple(r) for r in stack_result["resources"]]
    # The endpoint's isolated service time per operation: the economy cycle (latency 0, parallelism
    # 1: no call waits for another inside the endpoint), all three of its steps.
    iso_calls = [c for step in ("apply", "refresh", "destroy") for c in stack_result["economy"][step]["calls"]]
    medians = endpoint.service_medians(iso_calls)
    # Serial or not: judged on the concurrent latency cycle (parallelism 10), both steps together.
    conc_calls = stack_result["latency"]["apply"]["calls"] + stack_result["latency"]["destroy"]["calls"]
    serial = endpoint.serial_check(conc_calls, medians)
    out = {"endpoint": {"serial_check": serial, "median_service_ms": {k: round(v * 1000, 1) for k, v in sorted(medians.items())}}}
    for step in ("apply", "destroy"):
        floor, parts = wall_floor(resources, step, latency)
        efloor, eparts = wall_floor(resources, step, latency, medians=medians, serial=serial["serial"])
        path = measured_path(resources, stack_result["latency"][step], step)
        wall = stack_result["latency"][step]["wall_s"]
        zero = stack_result["zero"][step]["wall_s"]
        out[step] = {
            "wall_s": wall,
            "floor_s": floor,
            "floor_parts": parts,
            "ratio": round(wall / floor, 2) if floor else None,
            # Provider time on the critical path (measured hook windows) against the graph part
            # of the floor: the provider's share.
            "path_s": path,
            # The same path in the 0 ms run: moto's and the provider's own processing, plus
            # any fixed sleeps (they do not shrink with latency).
            "path_zero_latency_s": measured_path(resources, stack_result["zero"][step], step),
            "path_floor_s": parts["graph_s"],
            "path_ratio": round(path / parts["graph_s"], 2) if parts["graph_s"] else None,
            # Endpoint-aware floor (the target row): each needed call costs latency + its
            # operation's isolated service time; a serial endpoint also bounds by its total work.
            "endpoint_floor_s": efloor,
            "endpoint_floor_parts": eparts,
            "endpoint_ratio": round(wall / efloor, 2) if efloor else None,
            "endpoint_path_floor_s": eparts["graph_s"],
            "endpoint_path_ratio": round(path / eparts["graph_s"], 2) if eparts["graph_s"] else None,
            "zero_latency_wall_s": zero,
            # The time latency added, against the latency part of the floor: what the provider's
            # call pattern costs, with terraform's and moto's own time taken out.
            "latency_added_s": round(wall - zero, 3),
            "latency_ratio": round((wall - zero) / floor, 2) if floor else None,
            "calls": len(stack_result["latency"][step]["calls"]),
            "where_time_goes": where_time_goes(stack_result["latency"][step], resources, step, latency),
        }
        if "attribution" in stack_result:
            out[step]["attribution"] = attribution.summarize_step(
                stack_result["attribution"][step], resources, step, latency, medians, serial["serial"])
    return out


def summarize(meta, measured, latency):
    stacks = measured["stacks"]
    mb = meta["binary_bytes"] / 1e6
    rss_kb = {name: max(s[c]["apply"]["peak_rss_kb"] for c in ("economy", "zero", "latency")) for name, s in stacks.items()}
    rss_stack = "sockshop" if "sockshop" in rss_kb else next(iter(rss_kb), None)
    rss_mb = rss_kb[rss_stack] / 1024 if rss_stack else None
    su = measured["startup"]
    summary = {
        "meta": meta,
        "targets": TARGETS,
        "binary": {"mb": round(mb, 2), "ratio_to_hashicorp_aws": round(mb / meta["references"]["hashicorp_aws_unzipped_mb"], 4),
                   "profile": meta["profile"]},
        "peak_rss": {"stack": rss_stack, "mb": round(rss_mb, 1) if rss_mb is not None else None,
                     "ratio_to_hashicorp_aws": round(rss_mb / meta["references"]["hashicorp_aws_rss_mb"], 3) if rss_mb is not None else None,
                     "per_stack_mb": {k: round(v / 1024, 1) for k, v in rss_kb.items()}},
        "startup": su,
        "stacks": {name: {"economy": economy(s), "timing": timing(s, latency)} for name, s in stacks.items()},
    }
    return summary


def _ok(value, target, le=True):
    if value is None:
        return "n/a"
    return "yes" if (value <= target if le else value >= target) else "**no**"


def markdown(s):
    m, t = s["meta"], s["targets"]
    lines = [f"# Benchmark results ({m['date']})", "",
             f"Commit `{m['commit']}`, {m['profile']} binary, {m['machine']}; local AWS = moto behind the "
             f"recording proxy; injected latency {m['latency_ms']} ms per call for the wall-time rows.", "",
             "| figure | measured | reference / floor | ratio | target | met |", "|---|---|---|---|---|---|"]
    b = s["binary"]
    lines.append(f"| binary size (stripped, {b['profile']}) | {b['mb']} MB | hashicorp/aws 830 MB | {b['ratio_to_hashicorp_aws']} "
                 f"| <= {t['binary_mb']} MB | {_ok(b['mb'], t['binary_mb'])} |")
    r = s["peak_rss"]
    lines.append(f"| provider peak RSS, {r['stack']} apply | {r['mb']} MB | hashicorp/aws 100 MB | {r['ratio_to_hashicorp_aws']} "
                 f"| <= {t['peak_rss_mb']} MB | {_ok(r['mb'], t['peak_rss_mb'])} |")
    su = s["startup"]
    lines.append(f"| start-up: process start -> schema served | {su['start_to_schema_ms']} ms | DKS `terraform plan` {su['plan_s']} s (no logging) "
                 f"| {su['fraction_of_plan']:.2%} | <= 2% | {_ok(su['fraction_of_plan'], t['startup_fraction'])} |")
    for name, st in s["stacks"].items():
        e = st["economy"]
        ref = e["steps"]["refresh"]
        lines.append(f"| {name}: no-change plan calls ({e['resources']} resources, {e['data_sources']} data) | {ref['calls']} | floor {ref['floor']} "
                     f"| {ref['calls'] / max(ref['floor'], 1):.2f} | = floor | {'yes' if ref['calls'] == ref['floor'] and not ref['excess'] else '**no**'} |")
        for step in ("apply", "destroy"):
            ec = e["steps"][step]
            lines.append(f"| {name}: {step} calls | {ec['calls']} ({ec['calls_per_resource']}/resource) | floor {ec['floor']} "
                         f"| {ec['calls'] / max(ec['floor'], 1):.2f} | (economy) | {'yes' if not ec['excess'] else '**no**'} |")
        for step in ("apply", "destroy"):
            tm = st["timing"][step]
            lines.append(f"| {name}: {step} @ {m['latency_ms']} ms, provider time on the critical path vs endpoint-aware floor | {tm['path_s']} s "
                         f"| latency + service time floor {tm['endpoint_path_floor_s']} s | {tm['endpoint_path_ratio']} | <= 1.2 "
                         f"| {_ok(tm['endpoint_path_ratio'], t[step + '_ratio'])} |")
            lines.append(f"| {name}: {step} @ {m['latency_ms']} ms, the same vs latency-only floor (0 ms run: {tm['path_zero_latency_s']} s) | {tm['path_s']} s "
                         f"| latency-only floor {tm['path_floor_s']} s | {tm['path_ratio']} | (reported) | |")
            lines.append(f"| {name}: {step} @ {m['latency_ms']} ms, whole wall (terraform + moto: 0 ms run {tm['zero_latency_wall_s']} s) "
                         f"| {tm['wall_s']} s | endpoint-aware {tm['endpoint_floor_s']} s / latency-only {tm['floor_s']} s "
                         f"| {tm['endpoint_ratio']} / {tm['ratio']} | (reported) | |")
    b = su.get("breakdown") or {}
    if b.get("provider"):
        p, tf = b["provider"], b["terraform"]
        lines += ["", "## Start-up, where the time goes (median of the traced plans)", "",
                  f"- provider {b['provider_ms']} ms: exec -> main {p['exec_to_main_ms']}, main -> serving {p['main_to_serve_ms']} "
                  f"(runtime, schemas), TLS set-up {p['tls_setup_ms']} (of which the server certificate {p['certificate_ms']}), "
                  f"handshake written at {p['main_to_handshake_ms']} after main; GetProviderSchema answer built in {p['schema_build_ms']} "
                  f"({p['schema_bytes']:.0f} bytes)",
                  f"- terraform {b['terraform_ms']} ms: reading the handshake line {tf['read_handshake_ms']}, dial + TLS "
                  f"{tf['dial_and_tls_ms']}, to the schema request {tf['to_schema_request_ms']}, answer -> decoded "
                  f"{tf['answer_to_decoded_ms']}; before exec (go-plugin's client certificate) {b['terraform_before_exec_ms']} ms, "
                  f"outside the span",
                  f"- bare exec -> handshake line: {su['handshake_ms']} ms plaintext, {su.get('handshake_mtls_ms')} ms with a client "
                  f"certificate (AutoMTLS); traced plan {su.get('plan_traced_s')} s vs {su['plan_s']} s untraced; "
                  f"{su['starts_per_plan']} schema request(s) per plan"]
    lines += ["", "## Calls above the floor (latency 0, parallelism 1)", ""]
    for name, st in s["stacks"].items():
        for step, ec in st["economy"]["steps"].items():
            ex = ", ".join(f"{k} +{v}" for k, v in ec["excess"].items()) or "none"
            lines.append(f"- **{name} {step}**: {ex}")
    lines += ["", f"## Where apply/destroy time goes @ {m['latency_ms']} ms (resource hook window vs its floor chain)", ""]
    for name, st in s["stacks"].items():
        for step in ("apply", "destroy"):
            tm = st["timing"][step]
            parts = ", ".join(f"{k} {v}" for k, v in tm["floor_parts"].items())
            top = "; ".join(f"{w['resource']} {w['took_s']}s (floor {w['floor_s']})" for w in tm["where_time_goes"][:5])
            lines.append(f"- **{name} {step}** floor parts: {parts}. Largest: {top}")
    lines += ["", "## The endpoint (moto): service time and whether it is serial", ""]
    for name, st in s["stacks"].items():
        sc = st["timing"]["endpoint"]["serial_check"]
        med = st["timing"]["endpoint"]["median_service_ms"]
        lines.append(f"- **{name}**: median isolated service time {med.get('*')} ms per call (economy cycle). Latency cycle: "
                     f"{sc['calls']} calls, endpoint busy {sc['busy_s']} s with {sc['mean_in_flight_while_busy']} calls in flight on average, "
                     f"{sc['work_per_busy_second']} s of isolated work per busy second, median service time x{sc['median_service_inflation']} "
                     f"vs isolated: **{'serial' if sc['serial'] else 'not shown serial'}**"
                     f"{' (its total needed work bounds the floor)' if sc['serial'] else ''}.")
    lines += ["", f"## Where each resource's time goes @ {m['latency_ms']} ms, parallelism 1 (attribution cycle)", "",
              "Hook window = needed calls + calls above the floor + outside any call (provider CPU, waiter/retry sleeps, "
              "terraform's RPC and state handling); floor = the endpoint-aware chain.", ""]
    for name, st in s["stacks"].items():
        for step in ("apply", "destroy"):
            at = st["timing"][step].get("attribution")
            if not at:
                continue
            tt = at["totals"]
            lines.append(f"- **{name} {step}**: windows {tt['window_s']} s (floor {tt['floor_s']} s) = needed calls {tt['needed_calls_s']} s "
                         f"+ above floor {tt['above_floor_calls_s']} s + outside calls {tt['outside_calls_s']} s; "
                         f"wall {tt['wall_s']} s of which {tt['outside_any_window_s']} s outside every hook window (terraform)")
            for r in at["top"][:5]:
                ops = ", ".join(f"{k.split(':')[1]} x{v}" for k, v in r["above_floor_ops"].items()) or "none"
                lines.append(f"  - {r['resource']}: {r['window_s']} s vs floor {r['floor_s']} s: needed {r['needed_calls_s']}, "
                             f"above floor {r['above_floor_calls_s']} ({ops}), outside calls {r['outside_calls_s']} "
                             f"(largest gap {r['largest_gap_s']} s: {r['largest_gap_between']})")
    lines += ["", "Figures are from one run on a shared machine; see bench/README.md for how each is defined.", ""]
    return "\n".join(lines)
