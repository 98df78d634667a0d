"""Where each resource's time goes: its hook window split into time inside AWS calls (the calls its
floor chain needs vs calls above the floor) and time outside any call (provider CPU, sleeps in
waiters and retries, terraform's own RPC and state handling).

Measured on the attribution cycle (injected latency, -parallelism=1): hook windows do not overlap,
so every call belongs to the one window holding it, and the call pattern pays the same latency as
the wall-time run. The largest gap between calls inside a window names the calls on either side,
which is where a fixed sleep or poll interval shows up.
"""

import collections

import endpoint
import floors


def _interval(call):
    """The call's span as seen by the provider (arrival at the proxy -> answer sent), in epoch seconds."""
    return call["wall_start"], call["wall_start"] + (call["end"] - call["start"])


def _clip(spans, lo, hi):
    return [(max(s, lo), min(e, hi)) for s, e in spans if min(e, hi) > max(s, lo)]


def _gaps(spans, lo, hi):
    """[(gap seconds, what ended before it, what started after it)] between merged call spans."""
    merged = []
    for s, e, op in sorted(spans):
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e, merged[-1][2], op)
        else:
            merged.append((s, e, op, op))
    out, prev_end, prev_op = [], lo, "hook start"
    for s, e, first, last in merged:
        out.append((s - prev_end, prev_op, first))
        prev_end, prev_op = e, last
    out.append((hi - prev_end, prev_op, "hook end"))
    return out


def split_resources(step_result, resources, step, latency, medians, serial):
    """Per managed resource of one step: window, needed-call time, above-floor time, outside-call
    time, the endpoint-aware floor of its chain, and the largest gap between its calls."""
    kind = "create" if step == "apply" else "delete"
    rtype_of = {addr: rtype for addr, mode, rtype, _ in resources if mode == "managed"}
    calls = sorted(step_result["calls"], key=lambda c: c["wall_start"])
    rows = []
    for addr, ws in step_result["windows"].items():
        if addr not in rtype_of:
            continue
        rtype = rtype_of[addr]
        for base, lo, hi in ws:
            if base != "apply":
                continue
            mine = [c for c in calls if lo - 0.002 <= c["wall_start"] <= hi + 0.002]
            need = collections.Counter(floors.calls(rtype, kind))
            needed, above, above_ops = [], [], collections.Counter()
            for c in mine:
                op = endpoint.op_name(c)
                if need[op] > 0:
                    need[op] -= 1
                    needed.append(_interval(c))
                else:
                    above.append(_interval(c))
                    above_ops[op] += 1
            window = hi - lo
            in_calls = endpoint.union_s(_clip(needed + above, lo, hi))
            in_needed = endpoint.union_s(_clip(needed, lo, hi))
            gaps = _gaps([(*_interval(c), endpoint.op_name(c)) for c in mine], lo, hi)
            gap = max(gaps, default=(0.0, "", ""))
            floor_s = endpoint.chain_cost(rtype, kind, latency, medians, serial)
            rows.append({
                "resource": addr,
                "window_s": round(window, 3),
                "floor_s": round(floor_s, 3),
                "excess_s": round(window - floor_s, 3),
                "needed_calls_s": round(in_needed, 3),
                "above_floor_calls_s": round(in_calls - in_needed, 3),
                "above_floor_ops": dict(sorted(above_ops.items())),
                "outside_calls_s": round(window - in_calls, 3),
                "endpoint_service_s": round(sum(endpoint.service_s(c) for c in mine), 3),
                "calls": len(mine),
                "largest_gap_s": round(gap[0], 3),
                "largest_gap_between": f"{gap[1]} -> {gap[2]}",
            })
    rows.sort(key=lambda r: -r["excess_s"])
    return rows


def summarize_step(step_result, resources, step, latency, medians, serial, top=8):
    rows = split_resources(step_result, resources, step, latency, medians, serial)
    spans = [(s, e) for ws in step_result["windows"].values() for base, s, e in ws if base == "apply"]
    totals = {k: round(sum(r[k] for r in rows), 3) for k in
              ("window_s", "floor_s", "needed_calls_s", "above_floor_calls_s", "outside_calls_s")}
    totals["wall_s"] = step_result["wall_s"]
    totals["outside_any_window_s"] = round(step_result["wall_s"] - endpoint.union_s(spans), 3)
    return {"totals": totals, "top": rows[:top]}
