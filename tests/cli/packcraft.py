#!/usr/bin/env python3
"""packcraft.py - git packs and version-2 indexes written by hand: what
stock git accepts but never writes, and what it refuses, for the tests of
verify's pack reader (t0008; vault/packread.c).

  packcraft.py chain PACKDIR BLOB DEPTH        replace PACKDIR's one pack (made with
      --window=0: no deltas) by one whose object BLOB is the top of an
      OFS_DELTA chain DEPTH deep, each delta copying its base byte by byte
      (3 bytes of delta a byte: ~3x the blob inflated, per level); valid:
      git index-pack and fsck accept it.
  packcraft.py refloop PACKDIR BLOB SIZE       BLOB made a REF_DELTA on a new name
      X, X a REF_DELTA on BLOB; each delta SIZE bytes of zeros inflated.
  packcraft.py dupe PACKDIR BLOB OTHER         a second pack, newer, in which OTHER's
      bytes are filed under BLOB's name (idx names re-sorted)
  packcraft.py samename PACKDIR BLOB OTHER     the one pack again, OTHER's entry
      filed under BLOB's name too: one index naming BLOB twice
  packcraft.py relist PACKDIR BLOB N         the one pack's index listing BLOB's
      name N times, every entry at its one offset (the pack's count and
      checksums fixed to match)
  packcraft.py bigsize PACKDIR BLOB SIZE       BLOB's header declares SIZE bytes
  packcraft.py padhdr PACKDIR BLOB            BLOB's header padded to 10 bytes
  packcraft.py many PACKDIR N                  N more packs of one new blob each
  packcraft.py midxpoint PACKDIR BLOB OTHER    PACKDIR's multi-pack-index (git
      multi-pack-index write) pointing BLOB's name at OTHER's pack and offset
      (its checksum made again)
  packcraft.py midxrename PACKDIR BLOB         the multi-pack-index's entry for BLOB
      filed under BLOB's name with its last byte one more (the order kept):
      the index leaves BLOB out
  packcraft.py graph GRAPH COMMIT FIELD VALUE   in a commit-graph file git wrote,
      COMMIT's FIELD (tree, oid: a name; parent1: a place, or none; level,
      time, fan255, bloomhashes: a number; bloomzero: its changed-path
      filter all zeros; dupchunk: the second chunk's ID the first's; VALUE
      unused for those two) said to be VALUE; the checksum made again
  packcraft.py midxdot PACKDIR                 the multi-pack-index's first pack
      named "./ck-X.idx" (its "pa" made "./": the same length)
  packcraft.py loose OBJECTS NAME FILE         a loose object in OBJECTS filed under
      NAME, FILE's bytes as a blob; FILE "-garbage" writes bytes zlib refuses
"""
import hashlib
import os
import struct
import sys
import zlib


def read_idx(path):
    d = open(path, 'rb').read()
    assert d[:8] == b'\xfftOc\x00\x00\x00\x02'
    n = struct.unpack('>I', d[8 + 255 * 4:8 + 256 * 4])[0]
    names = [d[1032 + 20 * i:1052 + 20 * i] for i in range(n)]
    ob = 1032 + 24 * n
    offs = []
    large = 1032 + 28 * n
    for i in range(n):
        v = struct.unpack('>I', d[ob + 4 * i:ob + 4 * i + 4])[0]
        if v & 0x80000000:
            j = v & 0x7fffffff
            v = struct.unpack('>Q', d[large + 8 * j:large + 8 * j + 8])[0]
        offs.append(v)
    return names, offs


def entries(idxpath):
    """(name, raw entry bytes) of each object, in pack order"""
    names, offs = read_idx(idxpath)
    pack = open(idxpath[:-4] + '.pack', 'rb').read()
    order = sorted(zip(offs, names))
    out = []
    for k, (o, nm) in enumerate(order):
        end = order[k + 1][0] if k + 1 < len(order) else len(pack) - 20
        out.append((nm, pack[o:end]))
    return out


def hdr(t, size):
    c = (t << 4) | (size & 15)
    size >>= 4
    b = bytearray()
    while size:
        b.append(c | 0x80)
        c = size & 0x7f
        size >>= 7
    b.append(c)
    return bytes(b)


def ofs(back):
    b = bytearray([back & 0x7f])
    back >>= 7
    while back:
        back -= 1
        b.insert(0, 0x80 | (back & 0x7f))
        back >>= 7
    return bytes(b)


def varint(v):
    b = bytearray()
    while True:
        c = v & 0x7f
        v >>= 7
        if v:
            b.append(c | 0x80)
        else:
            b.append(c)
            return bytes(b)


def oid(t, data):
    tn = {1: b'commit', 2: b'tree', 3: b'blob', 4: b'tag'}[t]
    return hashlib.sha1(tn + b' ' + str(len(data)).encode() + b'\0' + data).digest()


def write(dirpath, objs, names_order=None, name_prefix='pack-'):
    """objs: list of (name, builder) where builder(offset) -> raw entry bytes"""
    body = bytearray(b'PACK' + struct.pack('>II', 2, len(objs)))
    idx = []
    prev = None
    for nm, build in objs:
        at = len(body)
        raw = build(at, prev) if callable(build) else build
        prev = at
        idx.append((nm, at, zlib.crc32(raw) & 0xffffffff))
        body += raw
    body += hashlib.sha1(body).digest()
    sha = body[-20:]
    idx.sort(key=lambda e: e[0]) if names_order is None else names_order(idx)
    fan = [0] * 256
    for nm, _, _ in idx:
        fan[nm[0]] += 1
    for i in range(1, 256):
        fan[i] += fan[i - 1]
    out = bytearray(b'\xfftOc' + struct.pack('>I', 2))
    out += b''.join(struct.pack('>I', f) for f in fan)
    out += b''.join(e[0] for e in idx)
    out += b''.join(struct.pack('>I', e[2]) for e in idx)
    out += b''.join(struct.pack('>I', e[1]) for e in idx)
    out += sha
    out += hashlib.sha1(out).digest()
    base = os.path.join(dirpath, name_prefix + sha.hex())
    open(base + '.pack', 'wb').write(body)
    open(base + '.idx', 'wb').write(out)
    return base


def only_pack(d):
    idx = [f for f in os.listdir(d) if f.endswith('.idx')]
    assert len(idx) == 1, idx
    return os.path.join(d, idx[0])


def inflate_entry(raw):
    i = 0
    c = raw[0]
    t = (c >> 4) & 7
    while raw[i] & 0x80:
        i += 1
    i += 1
    assert t in (1, 2, 3, 4), 'repack with --window=0 first'
    return t, zlib.decompress(raw[i:])


def drop_old(d, keep):
    for f in os.listdir(d):
        p = os.path.join(d, f)
        if not p.startswith(keep):
            os.unlink(p)


def chain(d, blob_hex, depth):
    idxp = only_pack(d)
    ents = entries(idxp)
    blob = bytes.fromhex(blob_hex)
    top = [raw for nm, raw in ents if nm == blob][0]
    t, content = inflate_entry(top)
    objs = [(nm, raw) for nm, raw in ents if nm != blob]
    L = len(content)
    # level i (0..depth) holds content[:L-depth+i] + nothing: R_0 is the full
    # object, each next one byte longer; the last is content itself
    lens = [L - depth + i for i in range(depth + 1)]
    assert lens[0] > 0
    base = content[:lens[0]]
    objs.append((oid(3, base), hdr(3, len(base)) + zlib.compress(base, 9)))
    prev_at = [None]

    # one copy of 1 byte for each byte: from the first place its value
    # occurs (3-byte offset: 5 bytes an instruction, all alike)
    first = {}
    for j, c in enumerate(content):
        first.setdefault(c, j)
    instr = {c: bytes([0x80 | 0x07 | 0x10]) + struct.pack('<I', o)[:3] + b'\x01'
             for c, o in first.items()}
    stream = b''.join(instr[c] for c in content)

    def level(i):
        n = lens[i]
        r = content[:n]
        # base R_{i-1} = content[:n-1]: copy each of its bytes, insert the last
        dl = varint(lens[i - 1]) + varint(n) + stream[:5 * lens[i - 1]] + b'\x01' + r[-1:]
        return r, dl

    for i in range(1, depth + 1):
        r, dl = level(i)
        z = zlib.compress(dl, 9)
        # the base is the entry written just before
        objs.append((oid(3, r), lambda at, prev, dl=dl, z=z: hdr(6, len(dl)) + ofs(at - prev) + z))
    base = write(d, objs)
    drop_old(d, base)
    return base


def refloop(d, blob_hex, size):
    idxp = only_pack(d)
    ents = entries(idxp)
    blob = bytes.fromhex(blob_hex)
    objs = [(nm, raw) for nm, raw in ents if nm != blob]
    other = hashlib.sha1(b'no such object').digest()
    dl = varint(size) + varint(size) + b'\x00' * (size - 2 * len(varint(size)))
    z = zlib.compress(dl, 9)
    objs.append((blob, hdr(7, len(dl)) + other + z))
    objs.append((other, hdr(7, len(dl)) + blob + z))
    base = write(d, objs)
    drop_old(d, base)
    return base


def dupe(d, blob_hex, other_hex):
    """a second pack: OTHER's entry under BLOB's name (and under its own)"""
    idxp = only_pack(d)
    ents = entries(idxp)
    raw = [r for nm, r in ents if nm == bytes.fromhex(other_hex)][0]
    objs = [(bytes.fromhex(blob_hex), raw)]
    return write(d, objs)


def samename(d, blob_hex, other_hex):
    ents = entries(only_pack(d))
    raw = [r for nm, r in ents if nm == bytes.fromhex(other_hex)][0]
    base = write(d, ents + [(bytes.fromhex(blob_hex), raw)])
    drop_old(d, base)
    return base


def relist(d, blob_hex, n):
    idxp = only_pack(d)
    raw = open(idxp, 'rb').read()
    cnt = struct.unpack('>I', raw[8 + 255 * 4:8 + 256 * 4])[0]
    names = [raw[1032 + 20 * i:1052 + 20 * i] for i in range(cnt)]
    crcs = [raw[1032 + 20 * cnt + 4 * i:1032 + 20 * cnt + 4 * i + 4] for i in range(cnt)]
    offs = [raw[1032 + 24 * cnt + 4 * i:1032 + 24 * cnt + 4 * i + 4] for i in range(cnt)]
    b = bytes.fromhex(blob_hex)
    k = names.index(b)
    ents = sorted([(names[i], crcs[i], offs[i]) for i in range(cnt) if i != k] +
                  [(b, crcs[k], offs[k])] * n)
    fan = [0] * 256
    for e in ents:
        fan[e[0][0]] += 1
    for i in range(1, 256):
        fan[i] += fan[i - 1]
    out = bytearray(raw[:8]) + b''.join(struct.pack('>I', f) for f in fan)
    out += b''.join(e[0] for e in ents) + b''.join(e[1] for e in ents) + b''.join(e[2] for e in ents)
    packp = idxp[:-4] + '.pack'
    body = bytearray(open(packp, 'rb').read()[:-20])
    body[8:12] = struct.pack('>I', len(ents))
    body += hashlib.sha1(body).digest()
    os.chmod(packp, 0o644)
    open(packp, 'wb').write(body)
    out += body[-20:]
    out += hashlib.sha1(out).digest()
    os.chmod(idxp, 0o644)
    open(idxp, 'wb').write(out)


def rewrite(d, blob_hex, entry):
    """PACKDIR's one pack again, BLOB's entry made by entry(type, content)"""
    ents = entries(only_pack(d))
    blob = bytes.fromhex(blob_hex)
    objs = [(nm, entry(*inflate_entry(raw)) if nm == blob else raw) for nm, raw in ents]
    base = write(d, objs)
    drop_old(d, base)
    return base


def bigsize(d, blob_hex, size):
    return rewrite(d, blob_hex, lambda t, content: hdr(t, size) + zlib.compress(content))


def padhdr(d, blob_hex):
    """BLOB's header written in 10 bytes: its size padded with zero
    continuation bytes (git and libgit2 read it; git never writes it)"""
    def padded(t, content):
        h = bytearray(hdr(t, len(content)))
        while len(h) < 10:
            h[-1] |= 0x80
            h.append(0)
        return bytes(h) + zlib.compress(content)
    return rewrite(d, blob_hex, padded)


def many(d, n):
    """n packs of one new blob each (what n imports or pulls leave, gc off)"""
    for i in range(n):
        data = b'blob %d of a vault that was never repacked\n' % i
        write(d, [(oid(3, data), hdr(3, len(data)) + zlib.compress(data))])


def loose(objects, name_hex, path):
    """FILE's bytes as a loose blob filed under NAME (whatever they hash to)"""
    if path == '-garbage':
        raw = b'not zlib at all\n'
    else:
        data = open(path, 'rb').read()
        raw = zlib.compress(b'blob %d\0' % len(data) + data)
    os.makedirs(os.path.join(objects, name_hex[:2]), exist_ok=True)
    with open(os.path.join(objects, name_hex[:2], name_hex[2:]), 'wb') as f:
        f.write(raw)


def midx_chunks(m):
    assert m[:4] == b'MIDX'
    chunks = {}
    for i in range(m[6] + 1):
        cid = bytes(m[12 + 12 * i:16 + 12 * i])
        chunks[cid] = struct.unpack('>Q', m[16 + 12 * i:24 + 12 * i])[0]
    return chunks


def midxrename(d, blob_hex):
    path = os.path.join(d, 'multi-pack-index')
    m = bytearray(open(path, 'rb').read())
    chunks = midx_chunks(m)
    n = struct.unpack('>I', m[chunks[b'OIDF'] + 255 * 4:chunks[b'OIDF'] + 256 * 4])[0]
    names = [bytes(m[chunks[b'OIDL'] + 20 * i:chunks[b'OIDL'] + 20 * i + 20]) for i in range(n)]
    a = names.index(bytes.fromhex(blob_hex))
    new = names[a][:19] + bytes([(names[a][19] + 1) & 0xff])
    assert names[a][19] != 0xff and (a + 1 == n or new < names[a + 1])
    m[chunks[b'OIDL'] + 20 * a:chunks[b'OIDL'] + 20 * a + 20] = new
    m[-20:] = hashlib.sha1(bytes(m[:-20])).digest()
    open(path, 'wb').write(bytes(m))


def midxpoint(d, blob_hex, other_hex):
    path = os.path.join(d, 'multi-pack-index')
    m = bytearray(open(path, 'rb').read())
    assert m[:4] == b'MIDX'
    chunks = {}
    for i in range(m[6] + 1):
        cid = bytes(m[12 + 12 * i:16 + 12 * i])
        chunks[cid] = struct.unpack('>Q', m[16 + 12 * i:24 + 12 * i])[0]
    n = struct.unpack('>I', m[chunks[b'OIDF'] + 255 * 4:chunks[b'OIDF'] + 256 * 4])[0]
    names = [bytes(m[chunks[b'OIDL'] + 20 * i:chunks[b'OIDL'] + 20 * i + 20]) for i in range(n)]
    a = names.index(bytes.fromhex(blob_hex))
    b = names.index(bytes.fromhex(other_hex))
    o = chunks[b'OOFF']
    m[o + 8 * a:o + 8 * a + 8] = m[o + 8 * b:o + 8 * b + 8]
    m[-20:] = hashlib.sha1(bytes(m[:-20])).digest()
    open(path, 'wb').write(bytes(m))


def graph(path, commit_hex, field, value):
    raw = bytearray(open(path, 'rb').read())
    assert raw[:4] == b'CGPH'
    ch = {}
    for i in range(raw[6]):
        ch[bytes(raw[8 + 12 * i:12 + 12 * i])] = struct.unpack('>Q', raw[12 + 12 * i:20 + 12 * i])[0]
    n = struct.unpack('>I', raw[ch[b'OIDF'] + 1020:ch[b'OIDF'] + 1024])[0]
    oids = [bytes(raw[ch[b'OIDL'] + 20 * i:ch[b'OIDL'] + 20 * i + 20]) for i in range(n)]
    k = oids.index(bytes.fromhex(commit_hex))
    at = ch[b'CDAT'] + 36 * k
    if field == 'bloomhashes':
        raw[ch[b'BDAT'] + 4:ch[b'BDAT'] + 8] = struct.pack('>I', int(value))
    elif field == 'dupchunk':
        raw[8 + 12:8 + 16] = raw[8:12]
    elif field == 'bloomzero':
        bidx, bdat = ch[b'BIDX'], ch[b'BDAT'] + 12
        start = struct.unpack('>I', raw[bidx + 4 * (k - 1):bidx + 4 * k])[0] if k else 0
        end = struct.unpack('>I', raw[bidx + 4 * k:bidx + 4 * k + 4])[0]
        raw[bdat + start:bdat + end] = bytes(end - start)
    elif field == 'fan255':
        raw[ch[b'OIDF'] + 1020:ch[b'OIDF'] + 1024] = struct.pack('>I', int(value))
    elif field == 'oid':
        raw[ch[b'OIDL'] + 20 * k:ch[b'OIDL'] + 20 * k + 20] = bytes.fromhex(value)
    elif field == 'tree':
        raw[at:at + 20] = bytes.fromhex(value)
    elif field == 'parent1':
        raw[at + 20:at + 24] = struct.pack('>I', 0x70000000 if value == 'none' else int(value))
    elif field in ('level', 'time'):
        hi, lo = struct.unpack('>II', raw[at + 28:at + 36])
        if field == 'level':
            hi = (int(value) << 2) | (hi & 3)
        else:
            hi, lo = (hi & ~3) | (int(value) >> 32), int(value) & 0xffffffff
        raw[at + 28:at + 36] = struct.pack('>II', hi, lo)
    raw[-20:] = hashlib.sha1(bytes(raw[:-20])).digest()
    os.chmod(path, 0o644)
    open(path, 'wb').write(bytes(raw))


def midxdot(d):
    path = os.path.join(d, 'multi-pack-index')
    m = bytearray(open(path, 'rb').read())
    at = midx_chunks(m)[b'PNAM']
    assert m[at:at + 5] == b'pack-'
    m[at:at + 2] = b'./'
    m[-20:] = hashlib.sha1(bytes(m[:-20])).digest()
    open(path, 'wb').write(bytes(m))


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'chain':
        print(chain(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    elif cmd == 'refloop':
        print(refloop(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    elif cmd == 'dupe':
        print(dupe(sys.argv[2], sys.argv[3], sys.argv[4]))
    elif cmd == 'samename':
        print(samename(sys.argv[2], sys.argv[3], sys.argv[4]))
    elif cmd == 'relist':
        relist(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == 'bigsize':
        print(bigsize(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    elif cmd == 'padhdr':
        print(padhdr(sys.argv[2], sys.argv[3]))
    elif cmd == 'many':
        many(sys.argv[2], int(sys.argv[3]))
    elif cmd == 'midxdot':
        midxdot(sys.argv[2])
    elif cmd == 'midxrename':
        midxrename(sys.argv[2], sys.argv[3])
    elif cmd == 'midxpoint':
        midxpoint(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == 'graph':
        graph(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif cmd == 'loose':
        loose(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
