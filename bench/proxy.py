"""Recording, latency-injecting HTTP proxy between the provider and the AWS endpoint (moto).

Every request is recorded as (step, service, operation, start, end, upstream start/end); `latency`
seconds are slept before forwarding, so each API call costs one simulated round trip. The upstream
span (request forwarded -> answer read, injected latency excluded) is the endpoint's own service
time, which the endpoint-aware floor and the serial-endpoint check use. Connections are kept alive
like the SDK's own pool, so the proxy adds no connect cost per call.
"""

import http.client
import http.server
import re
import threading
import time
import urllib.parse

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def operation_of(method, path, headers, body):
    """(service, operation) of one AWS request: signing scope + X-Amz-Target / Action / path."""
    m = _SCOPE.search(headers.get("Authorization", ""))
    service = m.group(1) if m else "?"
    target = headers.get("X-Amz-Target")
    if target:
        return service, target.rsplit(".", 1)[-1]
    # Smithy RPC v2 CBOR: /service/<Service>/operation/<Operation>
    m = re.search(r"/operation/([A-Za-z0-9]+)$", path.split("?")[0])
    if m:
        return service, m.group(1)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    if "Action" in query:
        return service, query["Action"][0]
    if body and b"Action=" in body:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return service, form["Action"][0]
    return service, f"{method} {path.split('?')[0]}"


class Recorder:
    """Shared state: the upstream, the injected latency, the current step and the records."""

    def __init__(self, upstream):
        u = urllib.parse.urlsplit(upstream)
        self.host, self.port = u.hostname, u.port or 80
        self.latency = 0.0
        self.step = "idle"
        self.calls = []
        self.lock = threading.Lock()

    def take(self, step):
        with self.lock:
            return [c for c in self.calls if c["step"] == step]


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The answer goes out as two writes (headers, body); with Nagle on, the body waits for the
    # client's delayed ACK of the headers (~40 ms on Linux): a cost of the proxy, not of the call.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def _upstream(self):
        conn = getattr(self, "_conn", None)
        if conn is None:
            rec = self.server.recorder
            conn = http.client.HTTPConnection(rec.host, rec.port, timeout=300)
            self._conn = conn
        return conn

    def _forward(self):
        rec = self.server.recorder
        start, wall_start = time.monotonic(), time.time()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        service, op = operation_of(self.command, self.path, self.headers, body)
        if rec.latency:
            time.sleep(rec.latency)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        up_start = time.monotonic()
        for attempt in (1, 2):
            conn = self._upstream()
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                up_end = time.monotonic()
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                self._conn = None
                if attempt == 2:
                    raise
        self.send_response_only(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length", "keep-alive"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        with rec.lock:
            rec.calls.append({"step": rec.step, "service": service, "op": op,
                              "status": resp.status, "start": start, "end": time.monotonic(),
                              "up_start": up_start, "up_end": up_end, "wall_start": wall_start})

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _forward


class Proxy:
    """Runs the proxy on a free loopback port in a daemon thread."""

    def __init__(self, upstream):
        self.recorder = Recorder(upstream)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.recorder = self.recorder
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
