#!/usr/bin/env python3
"""A local RFC 3161 timestamp authority for the tests, on 127.0.0.1.

    tsa.py DIR

DIR holds what tests/cli/tsa.sh made with openssl: tsa.cnf (the
`openssl ts -reply` configuration) and the keys and certificates it
names.  Writes the port it listens on to DIR/port.  For each POST, reads
DIR/mode (one word) and answers:

    good       openssl ts -reply of the request, signed by tsa.crt
    other      a token, as good, but over other bytes than those asked
    expired    a token signed by expired.crt (its validity ended in 2021)
    untrusted  a token signed by a TSA of another CA (other-tsa.crt)
    garbage    200 and bytes that are no TimeStampResp
    error      HTTP 500
    hang       nothing, for 60 seconds

Each request's body is kept in DIR/last.tsq.
"""
import http.server
import os
import subprocess
import sys
import tempfile
import time

DIR = sys.argv[1]


def reply(query, section=None, signer=None, key=None):
    with tempfile.TemporaryDirectory(dir=DIR) as tmp:
        q = os.path.join(tmp, "q.tsq")
        r = os.path.join(tmp, "r.tsr")
        with open(q, "wb") as f:
            f.write(query)
        argv = ["openssl", "ts", "-reply", "-config", os.path.join(DIR, "tsa.cnf"),
                "-queryfile", q, "-out", r]
        if signer:
            argv += ["-signer", os.path.join(DIR, signer), "-inkey", os.path.join(DIR, key)]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(r, "rb") as f:
            return f.read()


def other_query():
    with tempfile.TemporaryDirectory(dir=DIR) as tmp:
        data = os.path.join(tmp, "other")
        with open(data, "wb") as f:
            f.write(b"other bytes than the signature\n")
        return subprocess.run(["openssl", "ts", "-query", "-data", data, "-sha256", "-cert"],
                              check=True, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL).stdout


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(os.path.join(DIR, "last.tsq"), "wb") as f:
            f.write(body)
        with open(os.path.join(DIR, "mode")) as f:
            mode = f.read().strip()
        status, out = 200, b""
        if mode == "good":
            out = reply(body)
        elif mode == "other":
            out = reply(other_query())
        elif mode == "expired":
            out = reply(body, signer="expired.crt", key="expired.key")
        elif mode == "untrusted":
            out = reply(body, signer="other-tsa.crt", key="other-tsa.key")
        elif mode == "garbage":
            out = b"<html>not a timestamp</html>\n"
        elif mode == "error":
            status, out = 500, b"internal error\n"
        elif mode == "hang":
            time.sleep(60)
            return
        self.send_response(status)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
server.serve_forever()
