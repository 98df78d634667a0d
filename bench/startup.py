"""Start-up: time from provider process start to its schema served, against a whole `terraform plan`.

Measurements:
- the figure: from terraform's own trace log (TF_LOG=trace) during `terraform plan` of DKS,
  "starting plugin" (just before exec) to "No provider meta schema returned" (the GetProviderSchema
  answer decoded), for the first provider process of the plan;
- the denominator: the same plan's wall time WITHOUT any logging (trace logging writes ~1.7 MB and
  slows terraform itself, so a traced plan would inflate both sides); the traced plan time is kept
  for reference;
- the breakdown of that span, from terraform's timestamps (ms) and the provider's own start-up lines
  (which terraform relays into the same log at trace: `plugin server listening` with
  serve_entered_ms / tls_setup_ms / handshake_written_ms since main, `TLS connection accepted`,
  `GetProviderSchema answered` with build_ms), into the provider's part and terraform's client work;
- directly: exec the binary with the go-plugin environment and time the handshake line on stdout,
  both plaintext and with a PLUGIN_CLIENT_CERT (AutoMTLS, as terraform starts it).
"""

import datetime as dt
import os
import re
import statistics
import subprocess
import time
from datetime import datetime

_T = re.compile(r"^(\d{4}-\d\d-\d\dT[\d:.]+)(Z|[+-]\d\d:\d\d)")
_FIELD = re.compile(r'(\w+)=("[^"]*"|\S+)')
COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"


def _parse_ts(s):
    m = _T.match(s)
    return datetime.fromisoformat(m.group(1) + ("+00:00" if m.group(2) == "Z" else m.group(2))).timestamp() if m else None


def _fields(line):
    return {k: v.strip('"') for k, v in _FIELD.findall(line)}


def _fnum(fields, key):
    try:
        return float(fields[key])
    except (KeyError, ValueError):
        return None


def schema_spans(trace_path):
    """Per provider process whose schema terraform requested: the timestamps of its start-up
    milestones (terraform's clock for terraform's lines, the provider's own for its lines)."""
    spans, cur, asked_for = [], None, None
    with open(trace_path, errors="replace") as f:
        for line in f:
            when = _parse_ts(line)
            if "to read its schema" in line and "awsecs" in line:
                asked_for = when  # terraform begins instantiating (client cert generation follows)
            elif "provider: starting plugin:" in line and "terraform-provider-awsecs" in line:
                cur = {"init": asked_for, "start": when}
            elif cur is None:
                continue
            elif "provider: using plugin:" in line:
                cur.setdefault("handshake_read", when)
            elif "plugin server listening" in line:
                f_ = _fields(line)
                cur["provider_ts_handshake"] = _parse_ts(f_.get("timestamp", ""))
                for k in ("serve_entered_ms", "tls_setup_ms", "handshake_written_ms"):
                    cur[k] = _fnum(f_, k)
            elif "AutoMTLS set up" in line:
                f_ = _fields(line)
                cur["certificate_ms"] = _fnum(f_, "certificate_ms")
            elif "TLS connection accepted" in line:
                cur.setdefault("tls_accepted", _parse_ts(_fields(line).get("timestamp", "")))
            elif "GRPCProvider: GetProviderSchema" in line:
                cur.setdefault("schema_asked", when)
            elif "GetProviderSchema answered" in line:
                f_ = _fields(line)
                cur["schema_answered"] = _parse_ts(f_.get("timestamp", ""))
                cur["schema_build_ms"] = _fnum(f_, "build_ms")
                cur["schema_bytes"] = _fnum(f_, "encoded_bytes")
            elif "schema_asked" in cur and "No provider meta schema returned" in line:
                cur["schema_decoded"] = when
                spans.append(cur)
                cur = None
    return spans


def breakdown(span):
    """The span in ms: which part is the provider's and which terraform's. Missing provider lines
    (an older binary) leave the provider-side parts out."""
    ms = lambda a, b: round((b - a) * 1000, 1) if a is not None and b is not None else None  # noqa: E731
    out = {
        "total_ms": ms(span["start"], span["schema_decoded"]),
        "terraform_before_exec_ms": ms(span.get("init"), span["start"]),  # go-plugin client cert etc.
    }
    hs_ms = span.get("handshake_written_ms")
    if hs_ms is not None and span.get("provider_ts_handshake") is not None:
        main_at = span["provider_ts_handshake"] - hs_ms / 1000
        out["provider"] = {
            "exec_to_main_ms": ms(span["start"], main_at),
            "main_to_serve_ms": span.get("serve_entered_ms"),  # runtime + schemas built
            "tls_setup_ms": span.get("tls_setup_ms"),  # server key + certificate (first use of the RNG)
            "certificate_ms": span.get("certificate_ms"),
            "main_to_handshake_ms": hs_ms,
            "schema_build_ms": span.get("schema_build_ms"),
            "schema_bytes": span.get("schema_bytes"),
        }
        out["terraform"] = {
            "read_handshake_ms": ms(span["provider_ts_handshake"], span.get("handshake_read")),
            "dial_and_tls_ms": ms(span.get("handshake_read"), span.get("tls_accepted")),
            "to_schema_request_ms": ms(span.get("tls_accepted") or span.get("handshake_read"), span.get("schema_asked")),
            "answer_to_decoded_ms": ms(span.get("schema_answered"), span["schema_decoded"]),
        }
        prov = (out["provider"]["exec_to_main_ms"] or 0) + hs_ms + (span.get("schema_build_ms") or 0)
        out["provider_ms"] = round(prov, 1)
        out["terraform_ms"] = round(out["total_ms"] - prov, 1)
    return out


def _client_cert_pem():
    """A client certificate shaped like terraform's AutoMTLS one: ECDSA P-521, self-signed, CA."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP521R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HashiCorp"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA512()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def handshake_ms(binary, runs=5, mtls=False):
    """Median ms from exec to the go-plugin handshake line; with `mtls` a client certificate is
    given, so the provider generates its server certificate as it does under terraform."""
    env = {"PATH": os.environ.get("PATH", ""), "TF_PLUGIN_MAGIC_COOKIE": COOKIE, "PLUGIN_PROTOCOL_VERSIONS": "5"}
    if mtls:
        env["PLUGIN_CLIENT_CERT"] = _client_cert_pem()
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


def _median_dicts(ds):
    """Median of each numeric leaf over a list of same-shaped dicts."""
    out = {}
    for k in ds[0]:
        vals = [d.get(k) for d in ds]
        if isinstance(vals[0], dict):
            out[k] = _median_dicts([v for v in vals if isinstance(v, dict)])
        else:
            nums = [v for v in vals if isinstance(v, (int, float))]
            out[k] = round(statistics.median(nums), 1) if nums else None
    return out


def measure(terraform, example_dir, run_dir, env, binary, runs=3):
    os.makedirs(run_dir, exist_ok=True)
    env = dict(env, TF_DATA_DIR=os.path.join(run_dir, "tfdata"))
    subprocess.run([terraform, f"-chdir={example_dir}", "init", "-input=false", "-no-color"], env=env,
                   check=True, capture_output=True, stdin=subprocess.DEVNULL)
    state = os.path.join(run_dir, "empty.tfstate")
    plan = [terraform, f"-chdir={example_dir}", "plan", "-input=false", "-no-color", f"-state={state}"]
    # One untimed plan first: moto's first answers and the page cache are not start-up.
    subprocess.run(plan, env=env, check=True, capture_output=True, stdin=subprocess.DEVNULL)
    traced, plain, parts, totals, starts = [], [], [], [], 0
    for i in range(runs):
        # The denominator: a plan with no logging at all.
        t0 = time.monotonic()
        subprocess.run(plan, env=env, check=True, capture_output=True, stdin=subprocess.DEVNULL)
        plain.append(time.monotonic() - t0)
        trace = os.path.join(run_dir, f"plan-trace-{i}.log")
        if os.path.exists(trace):
            os.remove(trace)  # terraform appends to TF_LOG_PATH
        t0 = time.monotonic()
        subprocess.run(plan, env=dict(env, TF_LOG="trace", TF_LOG_PATH=trace), check=True, capture_output=True,
                       stdin=subprocess.DEVNULL)
        traced.append(time.monotonic() - t0)
        spans = schema_spans(trace)
        if not spans:
            raise RuntimeError(f"no provider start/schema found in {trace}")
        parts.append(breakdown(spans[0]))
        totals.append(sum(s["schema_decoded"] - s["start"] for s in spans))
        starts = len(spans)
    plan_s = statistics.median(plain)
    b = _median_dicts(parts)
    first_s = b["total_ms"] / 1000
    return {
        "plan_s": round(plan_s, 3),
        "plan_traced_s": round(statistics.median(traced), 3),
        "start_to_schema_ms": b["total_ms"],
        "fraction_of_plan": round(first_s / plan_s, 4),
        "breakdown": b,
        "all_starts_ms": round(statistics.median(totals) * 1000, 1),
        "starts_per_plan": starts,
        "handshake_ms": handshake_ms(binary),
        "handshake_mtls_ms": handshake_ms(binary, mtls=True),
        "runs": runs,
    }
