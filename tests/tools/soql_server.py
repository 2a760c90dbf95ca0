#!/usr/bin/env python3
"""A minimal HTTPS server answering /resource/{id}.{json,csv,geojson}?<params>
by running `cscc soql` (tests only, until `cscc serve` answers these itself).

Usage: soql_server.py CSCC DATA_DIR CERT KEY PORT_FILE

Listens on 127.0.0.1 on a free port, writes the port to PORT_FILE, and serves
until killed. soda-js only speaks https, hence the certificate. Each request
runs `cscc --data DATA_DIR soql ID --format EXT --header PARAM=VALUE...` and
relays its status, Content-Type, X-SODA2-Fields, X-SODA2-Types and body.
"""
import http.server
import ssl
import subprocess
import sys
import urllib.parse

CSCC, DATA, CERT, KEY, PORT_FILE = sys.argv[1:6]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        parts = url.path.split("/")
        if len(parts) != 3 or parts[1] != "resource" or "." not in parts[2]:
            self.send_error(404)
            return
        ds, ext = parts[2].rsplit(".", 1)
        params = [f"{k}={v}" for k, v in urllib.parse.parse_qsl(url.query, keep_blank_values=True)]
        p = subprocess.run([CSCC, "-q", "--data", DATA, "soql", ds, "--format", ext, "--header"]
                           + params, capture_output=True)
        head, _, body = p.stdout.partition(b"\n\n")
        headers = dict(line.split(": ", 1) for line in head.decode().splitlines() if ": " in line)
        status = int(headers.pop("Status", "500"))
        self.send_response(status)
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(PORT_FILE + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(PORT_FILE + ".tmp", PORT_FILE)
    srv.serve_forever()


if __name__ == "__main__":
    main()
