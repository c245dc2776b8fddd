#!/usr/bin/env python3
"""mkdrawing - a synthetic vector drawing as CAD programs export one, for
the PDF check's benchmark (bench/run section 12).

    mkdrawing.py OUT.pdf [BYTES]

One A3 page whose drawing is one Flate content stream of paths (lines,
arcs as Bezier curves) and dimension labels in one font: few objects and
one large stream, the shape of a drawing exported by a CAD program (the
manuals section 12 also checks are the opposite: thousands of small
objects).  About BYTES (default 1 MiB) in all; the same bytes every run.
"""
import os
import random
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from mkpdf import write  # noqa: E402 (the path above first)


def content(target):
    """Drawing operators whose Flate compression is about `target` bytes."""
    rnd = random.Random(7)
    ops, size = [b"0.5 w 0 G\n"], 0
    while True:
        r, x, y = rnd.random(), rnd.uniform(20, 1170), rnd.uniform(20, 821)
        if r < 0.7:
            s = b"%.2f %.2f m %.2f %.2f l S\n" % (x, y, x + rnd.uniform(-80, 80),
                                                 y + rnd.uniform(-80, 80))
        elif r < 0.9:
            k = rnd.uniform(2, 30)
            s = b"%.2f %.2f m %.2f %.2f %.2f %.2f %.2f %.2f c S\n" % (
                x, y, x + k, y, x + k, y + k, x, y + k)
        else:
            s = b"BT /F1 6 Tf %.2f %.2f Td (%d.%02d +/-0.%02d) Tj ET\n" % (
                x, y, rnd.randint(1, 99), rnd.randint(0, 99), rnd.randint(1, 20))
        ops.append(s)
        size += len(s)
        # compressing is the slow part: measure every 4 KB of operators
        if size % 4096 < len(s):
            packed = zlib.compress(b"".join(ops), 6)
            if len(packed) >= target - 600:
                return packed


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: mkdrawing.py OUT.pdf [BYTES]")
    stream = content(int(sys.argv[2]) if len(sys.argv) == 3 else 1048576)
    # tests/mkpdf.py writes the objects, the cross-reference table and the trailer
    write(sys.argv[1], [b"<< /Type /Catalog /Pages 2 0 R >>",
                        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1191 842]"
                        b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
                        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream +
                        b"\nendstream",
                        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])


if __name__ == "__main__":
    main()
