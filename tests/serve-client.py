#!/usr/bin/python3
"""serve-client.py - the clients a test of `qvault serve` needs and curl is
not: one that trickles its request a byte at a time, and many at once.

  trickle HOST PORT FILE DELAY   send FILE's bytes one by one, DELAY seconds
                                 apart, until the server closes; print
                                 "cut after N of M bytes" or "sent all M bytes",
                                 then the status line of any answer
  many HOST PORT N PATH TOKEN    N connections at once, each asking GET PATH
                                 with the token; print how many answers of
                                 each status came ("200 x1000")
"""
import collections
import resource
import selectors
import socket
import sys
import time


def trickle(host, port, path, delay):
    data = open(path, "rb").read()
    s = socket.create_connection((host, int(port)))
    sent = 0
    answer = b""
    for i in range(len(data)):
        try:
            s.sendall(data[i:i + 1])
        except OSError:
            break
        sent += 1
        time.sleep(float(delay))
        # a server that gave up says so with an answer or its end
        s.setblocking(False)
        try:
            got = s.recv(4096)
            answer += got
            if not got:
                break
        except BlockingIOError:
            pass
        except OSError:
            break
        finally:
            s.setblocking(True)
    if sent < len(data):
        print("cut after %d of %d bytes" % (sent, len(data)))
    else:
        print("sent all %d bytes" % len(data))
    if answer:
        print(answer.split(b"\r\n", 1)[0].decode("latin-1"))


def many(host, port, n, path, token):
    n = int(n)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    request = ("GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
               "Connection: close\r\n\r\n" % (path, host, token)).encode()
    sel = selectors.DefaultSelector()
    answers = {}
    socks = []
    # every connection open before the first request goes out: N at once
    for _ in range(n):
        s = socket.create_connection((host, int(port)))
        socks.append(s)
    for s in socks:
        s.sendall(request)
        s.setblocking(False)
        answers[s] = b""
        sel.register(s, selectors.EVENT_READ)
    deadline = time.time() + 120
    while answers and sel.get_map() and time.time() < deadline:
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            try:
                got = s.recv(65536)
            except OSError:
                got = b""
            if got:
                answers[s] += got
            else:
                sel.unregister(s)
                s.close()
    count = collections.Counter()
    for s, a in answers.items():
        line = a.split(b"\r\n", 1)[0].split(b" ")
        count[line[1].decode() if len(line) > 1 else "none"] += 1
    print(" ".join("%s x%d" % (k, v) for k, v in sorted(count.items())))


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "trickle":
        trickle(*sys.argv[2:])
    elif len(sys.argv) == 7 and sys.argv[1] == "many":
        many(*sys.argv[2:])
    else:
        sys.exit(__doc__)
