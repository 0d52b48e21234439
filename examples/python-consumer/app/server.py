"""The Python service: answers with its version, a health check, and Prometheus metrics.

GET /         -> {"version": ...}  (counted in http_requests_total{version,code})
GET /healthz  -> {"version": ..., "ok": true}
GET /metrics  -> Prometheus text format; counters exported at 0 from the start.
Every answer carries x-version: the version this process runs (the suite reads it back).
VERSION and PORT come from the environment (the deploy script sets them); ERROR_RATE in
app/config.py makes a share of requests fail (a bad release).
"""
import json
import os
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from app.config import ERROR_RATE

VERSION = os.environ.get("VERSION", "0.0.0")
COUNTS = {"200": 0, "500": 0}
LOCK = threading.Lock()


def answer(path):
    """The status and body for a path (pure: tested without a server)."""
    if path == "/healthz":
        return 200, {"version": VERSION, "ok": True}
    code = 500 if random.random() < ERROR_RATE else 200
    return code, {"version": VERSION}


def metrics():
    lines = ["# HELP http_requests_total Requests served.", "# TYPE http_requests_total counter"]
    with LOCK:
        for code, n in sorted(COUNTS.items()):
            lines.append(f'http_requests_total{{version="{VERSION}",code="{code}"}} {n}')
    return "\n".join(lines) + "\n"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/metrics":
            body, kind, code = metrics().encode(), "text/plain; version=0.0.4", 200
        else:
            code, doc = answer(self.path)
            body, kind = json.dumps(doc).encode(), "application/json"
            if self.path != "/healthz":
                with LOCK:
                    COUNTS[str(code)] = COUNTS.get(str(code), 0) + 1
        self.send_response(code)
        self.send_header("content-type", kind)
        self.send_header("x-version", VERSION)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
