#!/usr/bin/python3
"""passkey.py - a stand-in for a FIDO authenticator and the browser around
it, enough for the tests of passkey keys: an OpenSSH security-key public
key (sk-ecdsa-sha2-nistp256@openssh.com, PROTOCOL.u2f) and SSHSIG
signatures by it (PROTOCOL.sshsig) of both types OpenSSH 9.2 verifies.

  key NAME APP COMMENT     a P-256 key: NAME.pem (its private half, PKCS#8)
                           and NAME.pub (the OpenSSH line, application APP)
  sign NAME FILE [OPT=VALUE...]
                           the armored SSHSIG of FILE by NAME, on stdout

sign's options, each a way to make a signature a verifier must refuse:
  kind=webauthn|sk         webauthn-sk-ecdsa-... (a browser's), or
                           sk-ecdsa-... (ssh-keygen with a security key)
  ns=qvault-ack            the SSHSIG namespace
  flags=0x05 counter=7     the authenticator's flags (UP 0x01, UV 0x04,
                           AT 0x40, ED 0x80) and signature counter
  ext=HEX                  the authenticator data's extensions (CBOR)
  type=webauthn.get origin=https://APP
                           clientDataJSON's type and origin
  blob_origin=ORIGIN       the origin the signature blob names (default:
                           clientDataJSON's)
  challenge=FILE2          the challenge is FILE2's signed data, not FILE's
  rest=,"crossOrigin":false}
                           what follows the origin in clientDataJSON
  s=low|high               which of ECDSA's two s the signature carries
  trail=HEX                bytes after the signature blob's end (inside it)
  cut=N                    the SSHSIG blob without its last N bytes

A webauthn signature is made as a browser and an authenticator make one:
clientDataJSON carries the challenge (base64url of the SSHSIG signed data,
unpadded: how ssh-ecdsa-sk.c reads it), and the authenticator signs
authenticatorData (SHA256(RP id) || flags || counter || extensions) ||
SHA256(clientDataJSON) with ECDSA P-256 over SHA-256.
"""
import base64
import hashlib
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551
SK = b"sk-ecdsa-sha2-nistp256@openssh.com"
WEBAUTHN = b"webauthn-sk-ecdsa-sha2-nistp256@openssh.com"


def string(b):
    return struct.pack(">I", len(b)) + b


def mpint(v):
    b = v.to_bytes(33, "big").lstrip(b"\0")
    return string(b"\0" + b if b[0] & 0x80 else b)


def sha256(b):
    return hashlib.sha256(b).digest()


def key_blob(key, app):
    q = key.public_key().public_bytes(serialization.Encoding.X962,
                                      serialization.PublicFormat.UncompressedPoint)
    return string(SK) + string(b"nistp256") + string(q) + string(app)


def application(blob):
    """The last string of a key blob."""
    p = 0
    for _ in range(4):
        (n,) = struct.unpack(">I", blob[p:p + 4])
        last, p = blob[p + 4:p + 4 + n], p + 4 + n
    return last


def cmd_key(name, app, comment):
    key = ec.generate_private_key(ec.SECP256R1())
    with open(name + ".pem", "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    line = SK + b" " + base64.b64encode(key_blob(key, app.encode()))
    with open(name + ".pub", "wb") as f:
        f.write(line + b" " + comment.encode() + b"\n")


def signed_data(ns, path):
    """What SSHSIG signs: magic, namespace, reserved, hash name, H(message)."""
    with open(path, "rb") as f:
        h = hashlib.sha512(f.read()).digest()
    return b"SSHSIG" + string(ns) + string(b"") + string(b"sha512") + string(h)


def armor(raw):
    b = base64.b64encode(raw).decode()
    lines = [b[i:i + 70] for i in range(0, len(b), 70)]
    return "\n".join(["-----BEGIN SSH SIGNATURE-----"] + lines +
                     ["-----END SSH SIGNATURE-----"])


def cmd_sign(name, path, opts):
    with open(name + ".pem", "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    with open(name + ".pub") as f:
        pub = base64.b64decode(f.read().split()[1])
    app = application(pub).decode()
    o = {"kind": "webauthn", "ns": "qvault-ack", "flags": "0x05", "counter": "7",
         "ext": "", "type": "webauthn.get", "origin": "https://" + app,
         "challenge": path, "rest": ',"crossOrigin":false}', "s": "low",
         "trail": "", "cut": "0"}
    o.update(opt.split("=", 1) for opt in opts)
    ns = o["ns"].encode()
    flags, counter, ext = int(o["flags"], 0), int(o["counter"]), bytes.fromhex(o["ext"])
    auth = sha256(app.encode()) + bytes([flags]) + struct.pack(">I", counter) + ext
    if o["kind"] == "sk":
        msg = auth + sha256(signed_data(ns, path))
    else:
        challenge = base64.urlsafe_b64encode(signed_data(ns, o["challenge"])).rstrip(b"=")
        client = (b'{"type":"' + o["type"].encode() + b'","challenge":"' + challenge +
                  b'","origin":"' + o["origin"].encode() + b'"' + o["rest"].encode())
        msg = auth + sha256(client)
    r, s = decode_dss_signature(key.sign(msg, ec.ECDSA(hashes.SHA256())))
    if (s > N // 2) != (o["s"] == "high"):
        s = N - s
    sig = string(SK if o["kind"] == "sk" else WEBAUTHN) + string(mpint(r) + mpint(s))
    sig += bytes([flags]) + struct.pack(">I", counter)
    if o["kind"] != "sk":
        sig += string(o.get("blob_origin", o["origin"]).encode()) + string(client) + string(ext)
    sig += bytes.fromhex(o["trail"])
    raw = (b"SSHSIG" + struct.pack(">I", 1) + string(pub) + string(ns) + string(b"") +
           string(b"sha512") + string(sig))
    print(armor(raw[:len(raw) - int(o["cut"])]))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "key":
        cmd_key(*sys.argv[2:5])
    elif len(sys.argv) >= 4 and sys.argv[1] == "sign":
        cmd_sign(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit(__doc__)
