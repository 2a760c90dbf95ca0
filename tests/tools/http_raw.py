#!/usr/bin/env python3
"""http_raw.py - raw-socket clients for the server tests: what curl cannot do.

  slow-header HOST:PORT SECONDS  send a header a byte every 0.5 s; print how many
                                 seconds passed until the server closed the connection
  slow-body HOST:PORT SECONDS    send a POST header, then its body a byte every 0.5 s;
                                 print the seconds until the server closed
  conns HOST:PORT N [WAIT]       open N connections at once, wait WAIT seconds (default 2;
                                 less than the server's header timeout) and send a request
                                 on each; print "served refused" counts
  in-flight HOST:PORT FLAG       send a POST header and half its body, create FLAG, wait for
                                 FLAG to be removed, send the rest; print the status line
  keepalive HOST:PORT PATH N     N requests on one connection; print the statuses
  framing HOST:PORT HEADERS      a POST of a 13-byte body with HEADERS (lines joined by
                                 "|") in place of its Content-Length; then a GET on the
                                 same connection. Print the first status line's code,
                                 and "closed" or the second answer's status code
Every wait is bounded (at most 60 s in all).
"""
import os
import socket
import sys
import time


def connect(hp):
    host, port = hp.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=30)
    return s


def closed_after(s, start, limit, trickle):
    """Trickles bytes of `trickle` until the peer closes; seconds until then."""
    i = 0
    while time.time() - start < limit:
        try:
            if i < len(trickle):
                s.send(trickle[i:i + 1])
                i += 1
            s.settimeout(0.5)
            try:
                data = s.recv(4096)
                if data == b"":
                    return time.time() - start
                # a response (408 or the like) before closing is fine; keep reading
            except socket.timeout:
                pass
        except (BrokenPipeError, ConnectionResetError):
            return time.time() - start
    return -1


def read_response(f):
    """Reads one answer from the file f of a connection: its status code, or "closed"."""
    status = f.readline().decode().split(" ")
    length = 0
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    f.read(length)
    return status[1] if len(status) > 1 else "closed"


def main():
    cmd, hp = sys.argv[1], sys.argv[2]
    if cmd == "slow-header":
        limit = float(sys.argv[3])
        s = connect(hp)
        start = time.time()
        hdr = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 400 + b"\r\n\r\n"
        print("%.1f" % closed_after(s, start, limit, hdr))
    elif cmd == "slow-body":
        limit = float(sys.argv[3])
        s = connect(hp)
        body = b'{"by":"area"}' + b" " * 400
        s.send(b"POST /api/v1/analyses/counts HTTP/1.1\r\nHost: x\r\n"
               b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
        start = time.time()
        print("%.1f" % closed_after(s, start, limit, body))
    elif cmd == "conns":
        n = int(sys.argv[3])
        socks, served, refused = [], 0, 0
        for _ in range(n):
            try:
                socks.append(connect(hp))
            except OSError:
                refused += 1
        # the server accepts (and closes those over its limit) on its own
        # thread: give it time on a loaded machine (ASan, a busy CI) before asking
        time.sleep(float(sys.argv[4]) if len(sys.argv) > 4 else 2.0)
        for s in socks:
            try:
                s.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                s.settimeout(5)
                data = s.recv(4096)
                if data.startswith(b"HTTP/1.1 200"):
                    served += 1
                else:
                    refused += 1
            except OSError:
                refused += 1
        print(served, refused)
    elif cmd == "in-flight":
        flag = sys.argv[3]
        s = connect(hp)
        body = b'{"by":["area"],"from":"2016-01-01"}'
        s.send(b"POST /api/v1/analyses/counts HTTP/1.1\r\nHost: x\r\n"
               b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
        s.send(body[:10])
        open(flag, "w").close()
        start = time.time()
        while os.path.exists(flag) and time.time() - start < 30:
            time.sleep(0.05)
        s.send(body[10:])
        s.settimeout(30)
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        print(data.split(b"\r\n")[0].decode() if data else "closed")
    elif cmd == "keepalive":
        path, n = sys.argv[3], int(sys.argv[4])
        s = connect(hp)
        out = []
        f = s.makefile("rb")
        for _ in range(n):
            s.send(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode())
            out.append(read_response(f))
        print(" ".join(out))
    elif cmd == "framing":
        hdrs = sys.argv[3].replace("|", "\r\n").encode()
        s = connect(hp)
        s.send(b"POST /api/v1/analyses/counts HTTP/1.1\r\nHost: x\r\n"
               b"Content-Type: application/json\r\n" + hdrs + b"\r\n\r\n{\"by\":\"area\"}")
        f = s.makefile("rb")
        out = [read_response(f)]
        try:
            s.send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            nxt = f.readline().decode().split(" ")
            out.append(nxt[1] if len(nxt) > 1 else "closed")
        except OSError:
            out.append("closed")
        print(" ".join(out))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
