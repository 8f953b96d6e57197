"""Child HTTP service on 127.0.0.1 for readiness tests.

Usage: http_service.py PORT FAILS
  GET /health answers 503 to the first FAILS requests, then 200; GET /down always answers 503.
"""

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAILS = int(sys.argv[2])
seen = {"health": 0}


class Handler(BaseHTTPRequestHandler):
    """Answer /health and /down."""

    def do_GET(self) -> None:
        """Send the status the path calls for."""
        status = 503
        if self.path == "/health":
            seen["health"] += 1
            status = 200 if seen["health"] > FAILS else 503
        body = str(status).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt: str, *args: object) -> None:
        """Log one line per request on stderr, like a service would."""
        sys.stderr.write(f"{self.path} {args[1] if len(args) > 1 else ''}\n")


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.timeout = 60
    server.serve_forever()
