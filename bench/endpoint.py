"""The endpoint's own time: per-operation service time, whether the endpoint is serial, and the cost
of a floor chain once each needed call also pays that service time.

The proxy records, per call, the upstream span: request forwarded -> answer read, with the injected
latency excluded. On AWS that is the service's processing; on moto it is moto's Python, which is
several ms to tens of ms per call and, with the GIL, largely serial. A floor that charges only the
injected latency asks the provider to beat the endpoint itself; the endpoint-aware floor charges
each needed call latency + its operation's isolated service time (median over the economy cycle:
latency 0, parallelism 1, so no call waits for another inside the endpoint).
"""

import collections
import statistics

import floors


def op_name(call):
    return f'{call["service"]}:{call["op"]}'


def service_s(call):
    """Seconds the endpoint took for one call (forward -> answer read), injected latency excluded."""
    return max(call["up_end"] - call["up_start"], 0.0)


def service_medians(calls):
    """{"service:Operation": median service seconds} plus "*" = the median over every call (used for an
    operation the run never made, which the floor may still name)."""
    by_op = collections.defaultdict(list)
    for c in calls:
        by_op[op_name(c)].append(service_s(c))
    med = {op: statistics.median(v) for op, v in by_op.items()}
    every = [service_s(c) for c in calls]
    med["*"] = statistics.median(every) if every else 0.0
    return med


def svc_of(medians, op):
    return medians.get(op, medians.get("*", 0.0))


def union_s(intervals):
    """Total length covered by [(start, end)] intervals (overlaps counted once)."""
    total, cur_s, cur_e = 0.0, None, None
    for s, e in sorted(intervals):
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s
    return total


def serial_check(calls, medians, threshold=1.15):
    """Is the endpoint serial? From a concurrent run: calls in flight inside the endpoint at once
    (sum of spans / busy time) against how much work got done per second of busy time (isolated
    service time of those calls / busy time). A parallel endpoint with overlapping calls does more
    than one second of isolated work per busy second; a serial one does about one (or less: contention).
    Only judged when calls did overlap (otherwise the run cannot tell)."""
    spans = [(c["up_start"], c["up_end"]) for c in calls]
    busy = union_s(spans)
    in_flight = sum(e - s for s, e in spans) / busy if busy else 0.0
    isolated = sum(svc_of(medians, op_name(c)) for c in calls)
    speedup = isolated / busy if busy else 0.0
    inflation = {}
    by_op = collections.defaultdict(list)
    for c in calls:
        by_op[op_name(c)].append(service_s(c))
    for op, v in by_op.items():
        if op in medians and medians[op] > 0 and len(v) >= 3:
            inflation[op] = round(statistics.median(v) / medians[op], 2)
    overlapped = in_flight >= 1.2
    return {
        "calls": len(calls),
        "busy_s": round(busy, 3),
        "mean_in_flight_while_busy": round(in_flight, 2),
        "isolated_work_s": round(isolated, 3),
        "work_per_busy_second": round(speedup, 2),
        "median_service_inflation": round(statistics.median(inflation.values()), 2) if inflation else None,
        "overlapped": overlapped,
        "serial": overlapped and speedup <= threshold,
    }


def step_cost(step, latency, medians, serial):
    """One round trip of a floor chain: a call, or a group of independent calls sent together (they
    share the latency; a serial endpoint still serves them one after the other)."""
    if isinstance(step, tuple):
        svcs = [svc_of(medians, op) for op in step]
        return latency + (sum(svcs) if serial else max(svcs, default=0.0))
    return latency + svc_of(medians, step)


def chain_cost(rtype, kind, latency, medians=None, serial=False):
    """Seconds of one resource's floor chain: latency-only when `medians` is None (the classic floor),
    else latency + the endpoint's service time per needed call."""
    if medians is None:
        return floors.depth(rtype, kind) * latency
    return sum(step_cost(s, latency, medians, serial) for s in floors.chain(rtype, kind))


def service_work(ops, medians):
    """Isolated service seconds of a multiset of needed calls: what a serial endpoint must spend."""
    return sum(svc_of(medians, op) * n for op, n in ops.items())
