#!/usr/bin/python3
"""webauthn.py - a browser and its passkey, for scripted attacks on the
portal with curl: what navigator.credentials.create() and .get() send.

  key NAME                  a P-256 passkey: NAME.pem (its private half)
  create NAME CHALLENGE [OPT=VALUE...]
                            {"attestation_object", "client_data"} as JSON
  get NAME CHALLENGE [OPT=VALUE...]
                            {"authenticator_data", "client_data", "signature"}

  challenge NS FILE         the base64url challenge of signing FILE in SSHSIG namespace NS

CHALLENGE is the base64url text the portal gave.  Options, each a way to
make an answer the portal must refuse:
  rp=localhost              the relying party whose SHA-256 leads authData
  origin=http://localhost:8443
                            clientDataJSON's origin
  type=webauthn.create|webauthn.get
  flags=0x45 (create) 0x05 (get)   UP 0x01, UV 0x04, AT 0x40, ED 0x80
  counter=0                 the signature counter
  rest=,"crossOrigin":false}     what follows the origin in clientDataJSON
  fmt=none                  the attestation's format
  client=TEXT               clientDataJSON itself, as given
"""
import base64
import hashlib
import json
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def cbor_head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    if n < 256:
        return bytes([major << 5 | 24, n])
    if n < 65536:
        return bytes([major << 5 | 25]) + struct.pack(">H", n)
    return bytes([major << 5 | 26]) + struct.pack(">I", n)


def cbor(x):
    if isinstance(x, int):
        return cbor_head(0, x) if x >= 0 else cbor_head(1, -1 - x)
    if isinstance(x, bytes):
        return cbor_head(2, len(x)) + x
    if isinstance(x, str):
        return cbor_head(3, len(x.encode())) + x.encode()
    if isinstance(x, dict):
        return cbor_head(5, len(x)) + b"".join(cbor(k) + cbor(v) for k, v in x.items())
    raise TypeError(x)


def load(name):
    with open(name + ".pem", "rb") as f:
        return serialization.load_pem_private_key(f.read(), None)


def options(kind, challenge, opts):
    o = {"rp": "localhost", "origin": "http://localhost:8443", "type": "webauthn." + kind,
         "flags": "0x45" if kind == "create" else "0x05", "counter": "0",
         "rest": ',"crossOrigin":false}', "fmt": "none"}
    o.update(opt.split("=", 1) for opt in opts)
    if "client" not in o:
        o["client"] = ('{"type":"%s","challenge":"%s","origin":"%s"' %
                       (o["type"], challenge, o["origin"])) + o["rest"]
    return o


def cmd_key(name):
    key = ec.generate_private_key(ec.SECP256R1())
    with open(name + ".pem", "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))


def cmd_create(name, challenge, opts):
    o = options("create", challenge, opts)
    nums = load(name).public_key().public_numbers()
    cose = {1: 2, 3: -7, -1: 1, -2: nums.x.to_bytes(32, "big"), -3: nums.y.to_bytes(32, "big")}
    cred = hashlib.sha256(name.encode()).digest()
    auth = (hashlib.sha256(o["rp"].encode()).digest() + bytes([int(o["flags"], 0)]) +
            struct.pack(">I", int(o["counter"])) + bytes(16) + struct.pack(">H", len(cred)) +
            cred + cbor(cose))
    att = cbor({"fmt": o["fmt"], "attStmt": {}, "authData": auth})
    print(json.dumps({"attestation_object": b64u(att), "client_data": b64u(o["client"].encode())}))


def cmd_get(name, challenge, opts):
    o = options("get", challenge, opts)
    client = o["client"].encode()
    auth = (hashlib.sha256(o["rp"].encode()).digest() + bytes([int(o["flags"], 0)]) +
            struct.pack(">I", int(o["counter"])))
    sig = load(name).sign(auth + hashlib.sha256(client).digest(), ec.ECDSA(hashes.SHA256()))
    print(json.dumps({"authenticator_data": b64u(auth), "client_data": b64u(client),
                      "signature": b64u(sig)}))


def cmd_challenge(ns, path):
    def string(b):
        return struct.pack(">I", len(b)) + b
    with open(path, "rb") as f:
        h = hashlib.sha512(f.read()).digest()
    print(b64u(b"SSHSIG" + string(ns.encode()) + string(b"") + string(b"sha512") + string(h)))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "challenge":
        cmd_challenge(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "key":
        cmd_key(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "create":
        cmd_create(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif len(sys.argv) >= 4 and sys.argv[1] == "get":
        cmd_get(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit(__doc__)
