#!/usr/bin/python3
"""portal-client.py - a browser and a passkey for the portal, without a
browser: what navigator.credentials.create() and .get() send, made with
python3-cryptography (an ES256 key, attestation "none"), posted as
portal/portal.js posts it.  For the demo and the benchmark, which need a
session on machines with no browser; the real browser's tests are
tests/browser/.

  enroll BASE LINK KEY        make a passkey (KEY.pem, its counter in
                              KEY.count) at the enrollment LINK
  login BASE NAME KEY         log in; prints the session cookie's value
                              and the CSRF token, one per line
  ack BASE COOKIE CSRF KEY DOC REV MEANING
                              acknowledge DOC@REV with the passkey; prints
                              the new session cookie and CSRF token
  act BASE COOKIE CSRF KEY PATH FIELDS
                              an act signed with the passkey at PATH (as
                              /pos/PO/ack), FIELDS the form's (JSON); prints
                              the new session cookie and CSRF token

BASE is the portal's origin (https://HOST:PORT or http://localhost:PORT);
with TLS, QVAULT_CACERT names the certificate to trust.
"""
import base64
import hashlib
import json
import os
import ssl
import struct
import sys
import urllib.error
import urllib.request

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64u(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def cbor_head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    if n < 256:
        return bytes([major << 5 | 24, n])
    return bytes([major << 5 | 25]) + struct.pack(">H", n)


def cbor_text(s):
    return cbor_head(3, len(s)) + s.encode()


def cbor_bytes(b):
    return cbor_head(2, len(b)) + b


class Opener:
    def __init__(self, base):
        self.base = base
        ctx = None
        if base.startswith("https:"):
            ctx = ssl.create_default_context(cafile=os.environ.get("QVAULT_CACERT"))
        self.ctx = ctx

    def post(self, path, body, cookie=None, csrf=None):
        req = urllib.request.Request(self.base + path, data=json.dumps(body).encode(),
                                     method="POST")
        req.add_header("Content-Type", "application/json")
        req.add_header("Origin", self.base)
        if cookie:
            req.add_header("Cookie", "__Host-qvault=" + cookie)
        if csrf:
            req.add_header("X-CSRF-Token", csrf)
        try:
            with urllib.request.urlopen(req, context=self.ctx) as r:
                return json.load(r), r.headers.get_all("Set-Cookie") or []
        except urllib.error.HTTPError as e:
            sys.exit("portal-client: %s: %s %s" % (path, e.code, e.read().decode()[:300]))


def rp_of(base):
    return base.split("://", 1)[1].split(":", 1)[0]


def session_of(cookies):
    for c in cookies:
        if c.startswith("__Host-qvault="):
            return c.split("=", 1)[1].split(";", 1)[0]
    sys.exit("portal-client: no session cookie came back")


def next_count(key):
    path = key + ".count"
    n = int(open(path).read()) + 1 if os.path.exists(path) else 1
    open(path, "w").write(str(n))
    return n


def assertion(base, key, challenge):
    """What navigator.credentials.get() answers: user present and verified."""
    priv = serialization.load_pem_private_key(open(key + ".pem", "rb").read(), None)
    auth = hashlib.sha256(rp_of(base).encode()).digest() + bytes([0x05]) + \
        struct.pack(">I", next_count(key))
    client = json.dumps({"type": "webauthn.get", "challenge": challenge, "origin": base,
                         "crossOrigin": False}, separators=(",", ":")).encode()
    sig = priv.sign(auth + hashlib.sha256(client).digest(), ec.ECDSA(hashes.SHA256()))
    return {"authenticator_data": b64u(auth), "client_data": b64u(client),
            "signature": b64u(sig)}


def cmd_enroll(base, link, key):
    secret, name = link.split("#", 1)[1].split(".", 1)
    web = Opener(base)
    o, _ = web.post("/enroll/options", {"name": name, "secret": secret})
    priv = ec.generate_private_key(ec.SECP256R1())
    open(key + ".pem", "wb").write(priv.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    open(key + ".count", "w").write("0")
    nums = priv.public_key().public_numbers()
    cose = b"\xa5\x01\x02\x03\x26\x20\x01\x21" + cbor_bytes(nums.x.to_bytes(32, "big")) + \
        b"\x22" + cbor_bytes(nums.y.to_bytes(32, "big"))
    cred_id = os.urandom(16)
    auth = hashlib.sha256(o["rp"]["id"].encode()).digest() + bytes([0x45]) + \
        struct.pack(">I", 0) + bytes(16) + struct.pack(">H", len(cred_id)) + cred_id + cose
    att = b"\xa3" + cbor_text("fmt") + cbor_text("none") + cbor_text("attStmt") + b"\xa0" + \
        cbor_text("authData") + cbor_bytes(auth)
    client = json.dumps({"type": "webauthn.create", "challenge": o["challenge"],
                         "origin": base, "crossOrigin": False},
                        separators=(",", ":")).encode()
    r, _ = web.post("/enroll", {"name": name, "secret": secret,
                                "attestation_object": b64u(att),
                                "client_data": b64u(client)})
    print(r["user"])


def cmd_login(base, name, key):
    web = Opener(base)
    o, _ = web.post("/login/options", {"name": name})
    a = assertion(base, key, o["challenge"])
    a["name"] = name
    r, cookies = web.post("/login", a)
    sid = session_of(cookies)
    # the CSRF token is on every page, for the page's forms and script
    req = urllib.request.Request(base + "/inbox", headers={"Cookie": "__Host-qvault=" + sid})
    with urllib.request.urlopen(req, context=web.ctx) as page:
        text = page.read().decode()
    csrf = text.split('<meta name="csrf" content="', 1)[1].split('"', 1)[0]
    print(sid)
    print(csrf)


def cmd_ack(base, cookie, csrf, key, doc, rev, meaning):
    web = Opener(base)
    where = "/documents/%s/%s" % (doc, rev)
    s, _ = web.post(where + "/statement", {"meaning": meaning}, cookie, csrf)
    a = assertion(base, key, s["challenge"])
    a["statement"] = s["statement"]
    r, cookies = web.post(where + "/ack", a, cookie, csrf)
    print(session_of(cookies))
    print(r["csrf"])


def cmd_act(base, cookie, csrf, key, where, fields):
    """An act signed with the passkey (a PO's answer, an FAI disposition, an
    NCR's close): the record the vault makes, signed as the page's script
    has the passkey sign it."""
    web = Opener(base)
    form = json.loads(fields)
    s, _ = web.post(where + "/statement", form, cookie, csrf)
    a = assertion(base, key, s["challenge"])
    a.update(form)
    a["record"] = s["record"]
    r, cookies = web.post(where + "/sign", a, cookie, csrf)
    print(session_of(cookies))
    print(r["csrf"])


def main(argv):
    cmds = {"enroll": (cmd_enroll, 3), "login": (cmd_login, 3), "ack": (cmd_ack, 7),
            "act": (cmd_act, 6)}
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][1]:
        sys.exit(__doc__)
    cmds[argv[1]][0](*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
