#!/usr/bin/env python3
"""mkpdf - PDFs for the tests, written byte by byte with a valid xref.

  mkpdf.py KIND FILE [ARG]

  honest        one page, its content a Flate stream
  filler SIZE   exactly SIZE bytes: one page and one stream of
                pseudo-random bytes (nothing deflates); a valid PDF that
                stands in for a large drawing
  js            JavaScript in the catalog's /OpenAction
  launch        a /Launch action in the catalog's /OpenAction
  exe           an embedded file 'setup.exe' that starts with MZ
  disguised     an embedded file named 'notes.txt' that starts with MZ
  attach        an embedded text file 'notes.txt'
  pages N       N pages, the page tree's /Count saying so
  lying-pages N N pages, the page tree's /Count saying 1
  bomb BYTES    a page whose Flate content stream inflates to BYTES
                (a multiple of 16 MiB) of zeros
  damaged       a PDF header, then bytes that hold no object
  page-aa       a /Launch action as the page's close action (/AA /C)
  widget-aa     a widget whose /Parent field has a /Launch action as
                its recalculate action (/AA /C), reached only by /Parent
  kids-repeat N a page tree of one page listed N times, /Count 1
  untyped N     N page-tree leaves without /Type, /Count 1
  arrays N      an array of N empty arrays in the catalog
  bomb-length BYTES   bomb, its /Length saying 10
  bomb-flate2 BYTES   bomb deflated twice: /Filter [/FlateDecode /FlateDecode]
  bomb-hex BYTES      bomb in hex: /Filter [/ASCIIHexDecode /FlateDecode]
  bomb-lzw BYTES      BYTES (about) of zeros in LZW: /Filter /LZWDecode
  bomb-dct            a stream of /Filter [/DCTDecode /FlateDecode]
  exe-long, exe-dot, exe-js, exe-unix, exe-hex, exe-a85, embed-dct, long-name
                an embedded file: a name of 130 characters ending .exe;
                'run.bat. '; 'macro.js'; 'notes.txt' starting MZ under
                /EF /Unix, in ASCIIHex, in [/ASCII85Decode /FlateDecode];
                'photo.jpg' in /DCTDecode; a text file named 119 'a' and
                an e acute (UTF-16)
  exe-dos       an embedded text file named 'notes.txt' in /UF and /F,
                'SETUP.EXE' in /DOS
  png-launch    launch, after a PNG's signature and header chunk: a PNG
                to libmagic, a PDF to a reader (a PNG/PDF polyglot)
  big-array N   an array of N integers in the catalog (2N bytes)
  big-dict N    a dictionary of N keys in the catalog
  os-array N    an array of N integers in an object stream (deflated:
                a few kilobytes for 10 million)
  os-dict N     a dictionary of N keys in an object stream
  os-pad N      an object stream holding [1] and N spaces
  bomb-hex-nul BYTES  bomb-hex, a NUL (white space in PDF) and a stray
                byte or two before its digits
  bomb-a85-nul BYTES  bomb in [/ASCII85Decode /FlateDecode], NULs and
                "<~" before it
  exe-hex-nul, exe-a85-nul
                exe-hex and exe-a85 with NULs between their digits
  flate-under BYTES   a Flate stream of BYTES zeros in [/ASCIIHexDecode
                /FlateDecode]
  pred-rows N   10 streams of 16 bytes, each /Predictor 12 with rows of
                N bytes (/Columns N)
  pred-size BYTES     a Flate stream of rows of 1000 bytes, /Predictor 12,
                inflating to BYTES (a multiple of 1001)
  bomb-pred BYTES     bomb deflated again behind a PNG predictor:
                /Filter [/FlateDecode /FlateDecode], the first /Predictor 12
  exe-png, exe-tiff   'notes.txt' starting MZ behind a PNG predictor (rows
                of 8, Sub and Up) and a TIFF predictor (2, Colors 1)
  odd           a /DecodeParms array shorter than /Filter, a file
                specification whose /EF is not a dictionary

qpdf itself (qpdf --object-streams=generate, --encrypt) makes the
object-stream and encrypted variants from these.
"""
import os
import struct
import sys
import zlib


def write(path, objs, extra=b''):
    out = bytearray(b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b'%d 0 obj\n' % i + body + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objs) + 1)
    for o in offsets:
        out += b'%010d 00000 n \n' % o
    out += b'trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n' % (
        len(objs) + 1, extra, xref)
    with open(path, 'wb') as f:
        f.write(out)
    return len(out)


def stream(d, data):
    return b'<< %s /Length %d >>\nstream\n' % (d, len(data)) + data + b'\nendstream'


PAGE = b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>'
TEXT = zlib.compress(b'BT /F1 12 Tf 72 720 Td (qvault) Tj ET\n')


def one_page(catalog, more=(), content=None):
    return [catalog, b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>', PAGE,
            content or stream(b'/Filter /FlateDecode', TEXT)] + list(more)


def bomb(size):
    # one chunk deflated after a full flush is the same bytes each time
    chunk, count = b'\0' * (1 << 24), size >> 24
    c = zlib.compressobj(9)
    first = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(count):
        adler = zlib.adler32(chunk, adler)
    return first + again * (count - 1) + c.flush()[:-4] + adler.to_bytes(4, 'big')


def filler(path, size):
    # the stream's length shifts the rest by its digits: settle it
    length, rnd = 0, os.urandom
    for _ in range(4):
        total = write(path, one_page(CATALOG, [stream(b'', b'\0' * length)]))
        length += size - total
    if length < 0:
        sys.exit('mkpdf: %d bytes are too few for a PDF' % size)
    got = write(path, one_page(CATALOG, [stream(b'', rnd(length))]))
    assert got == size, (got, size)


def write_os(path, plain, packed):
    """Objects 1.. of `plain`, then those of `packed` in one object
    stream (deflated), then the object stream and a cross-reference
    stream, which an object stream needs."""
    first = len(plain) + 1
    heads, bodies = [], bytearray()
    for k, b in enumerate(packed):
        heads.append(b'%d %d' % (first + k, len(bodies)))
        bodies += b + b'\n'
    head = b' '.join(heads) + b'\n'
    osnum = first + len(packed)
    xnum = osnum + 1
    out, offs = bytearray(b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'), {}
    for i, body in enumerate(plain, 1):
        offs[i] = len(out)
        out += b'%d 0 obj\n' % i + body + b'\nendobj\n'
    offs[osnum] = len(out)
    out += b'%d 0 obj\n' % osnum + stream(
        b'/Type /ObjStm /N %d /First %d /Filter /FlateDecode' % (len(packed), len(head)),
        zlib.compress(head + bytes(bodies), 9)) + b'\nendobj\n'
    offs[xnum] = len(out)
    rows = bytearray(b'\0\0\0\0\0\xff\xff')
    for i in range(1, xnum + 1):
        if i in offs:
            rows += b'\1' + offs[i].to_bytes(4, 'big') + b'\0\0'
        else:
            rows += b'\2' + osnum.to_bytes(4, 'big') + (i - first).to_bytes(2, 'big')
    out += b'%d 0 obj\n' % xnum + stream(
        b'/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R' % (xnum + 1), bytes(rows)) + b'\nendobj\n'
    out += b'startxref\n%d\n%%%%EOF\n' % offs[xnum]
    with open(path, 'wb') as f:
        f.write(out)


def junk(body):
    """one page, and `body` as object 5, which the catalog's /Junk names"""
    return one_page(b'<< /Type /Catalog /Pages 2 0 R /Junk 5 0 R >>', [body])


CATALOG = b'<< /Type /Catalog /Pages 2 0 R >>'
MZ = b'MZ\x90\x00\x03\x00\x00\x00This program cannot be run in DOS mode'


def lzw_zeros(size):
    # the codes a decoder reads for `size` zeros: 0, then each new code
    # one zero longer (258 is "00"), then the longest again and again;
    # widths as EarlyChange 1 has them
    codes, out, nxt = [0], 1, 258
    while nxt < 4095 and out < size:
        codes.append(nxt)
        out += nxt - 256
        nxt += 1
    while out < size:
        codes.append(nxt - 1)
        out += nxt - 1 - 256
    codes.append(257)
    bits, nbits, data, nxt = 0, 0, bytearray(), 258
    for i, c in enumerate(codes):
        width = 12 if nxt + 1 >= 2048 else 11 if nxt + 1 >= 1024 else 10 if nxt + 1 >= 512 else 9
        bits, nbits = bits << width | c, nbits + width
        while nbits >= 8:
            data.append(bits >> (nbits - 8) & 255)
            nbits -= 8
        if i and nxt < 4096:
            nxt += 1
    if nbits:
        data.append(bits << (8 - nbits) & 255)
    return bytes(data)


def png_rows(data, width, tags=(1, 2)):
    """`data` in rows of `width` bytes behind PNG predictors (Sub, Up, ...)"""
    out, prev = bytearray(), bytes(width)
    for k in range(0, len(data), width):
        row = data[k:k + width].ljust(width, b'\0')
        tag = tags[(k // width) % len(tags)]
        if tag == 1:
            enc = bytes((row[x] - (row[x - 1] if x else 0)) & 255 for x in range(width))
        elif tag == 2:
            enc = bytes((row[x] - prev[x]) & 255 for x in range(width))
        else:
            enc = row
        out += bytes([tag]) + enc
        prev = row
    return bytes(out)


def tiff_row(data):
    """`data` as one row of 8-bit samples behind TIFF predictor 2 (Colors 1)"""
    return bytes((data[x] - (data[x - 1] if x else 0)) & 255 for x in range(len(data)))


def embed(path, name, data, filt=b'', key=b'/F'):
    write(path, one_page(
        b'<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(x) 5 0 R] >> >> >>',
        [b'<< /Type /Filespec /F %s /UF %s /EF << %s 6 0 R >> >>' % (name, name, key),
         stream(b'/Type /EmbeddedFile ' + filt, data)]))


def main():
    kind, path = sys.argv[1], sys.argv[2]
    arg = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    if kind == 'honest':
        write(path, one_page(CATALOG))
    elif kind == 'filler':
        filler(path, arg)
    elif kind == 'js':
        write(path, one_page(b'<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>',
                             [b'<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>']))
    elif kind == 'launch':
        write(path, one_page(b'<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>',
                             [b'<< /Type /Action /S /Launch /F (calc.exe) >>']))
    elif kind in ('exe', 'disguised', 'attach'):
        name = b'setup.exe' if kind == 'exe' else b'notes.txt'
        data = (b'inspection notes\n' if kind == 'attach' else
                b'MZ\x90\x00\x03\x00\x00\x00This program cannot be run in DOS mode')
        write(path, one_page(
            b'<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(%s) 5 0 R] >> >> >>' % name,
            [b'<< /Type /Filespec /F (%s) /UF (%s) /EF << /F 6 0 R >> >>' % (name, name),
             stream(b'/Type /EmbeddedFile /Filter /FlateDecode', zlib.compress(data))]))
    elif kind in ('pages', 'lying-pages'):
        kids = b' '.join(b'%d 0 R' % (i + 4) for i in range(arg))
        objs = [CATALOG, b'<< /Type /Pages /Kids [%s] /Count %d >>' % (
                    kids, 1 if kind == 'lying-pages' else arg),
                stream(b'', b'BT ET')]
        objs += [b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>'] * arg
        write(path, objs)
    elif kind == 'bomb':
        write(path, one_page(CATALOG, content=stream(b'/Filter /FlateDecode', bomb(arg))))
    elif kind == 'page-aa':
        write(path, [CATALOG, b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
                     b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R'
                     b' /AA << /C << /S /Launch /F (calc.exe) >> >> >>',
                     stream(b'/Filter /FlateDecode', TEXT)])
    elif kind == 'widget-aa':
        write(path, [CATALOG, b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
                     b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R'
                     b' /Annots [5 0 R] >>',
                     stream(b'/Filter /FlateDecode', TEXT),
                     b'<< /Type /Annot /Subtype /Widget /Rect [0 0 10 10] /P 3 0 R /Parent 6 0 R >>',
                     b'<< /FT /Tx /T (total) /Kids [5 0 R]'
                     b' /AA << /C << /S /Launch /F (calc.exe) >> >> >>'])
    elif kind in ('kids-repeat', 'untyped'):
        if kind == 'kids-repeat':
            kids = b' '.join([b'3 0 R'] * arg)
            leaves = [PAGE]
        else:
            kids = b' '.join(b'%d 0 R' % (i + 5) for i in range(arg))
            leaves = [b'<< /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>'] * arg
        objs = [CATALOG, b'<< /Type /Pages /Kids [%s] /Count 1 >>' % kids]
        objs += leaves[:1] if kind == 'kids-repeat' else [PAGE]
        objs += [stream(b'/Filter /FlateDecode', TEXT)]
        if kind == 'untyped':
            objs += leaves
        write(path, objs)
    elif kind == 'arrays':
        write(path, one_page(b'<< /Type /Catalog /Pages 2 0 R /Junk [%s] >>' % (b'[]' * arg)))
    elif kind == 'bomb-length':
        data = bomb(arg)
        write(path, one_page(CATALOG, content=stream(b'/Filter /FlateDecode', data).replace(
            b'/Length %d' % len(data), b'/Length 10', 1)))
    elif kind == 'bomb-flate2':
        write(path, one_page(CATALOG, content=stream(b'/Filter [/FlateDecode /FlateDecode]',
                                                     zlib.compress(bomb(arg), 9))))
    elif kind == 'bomb-hex':
        write(path, one_page(CATALOG, content=stream(b'/Filter [/ASCIIHexDecode /FlateDecode]',
                                                     bomb(arg).hex().encode() + b'>')))
    elif kind == 'bomb-lzw':
        write(path, one_page(CATALOG, content=stream(b'/Filter /LZWDecode', lzw_zeros(arg))))
    elif kind in ('bomb-many', 'bomb-many-cut'):
        # streams each inflating to a little under what libqvault decodes
        # in one buffer (4 MiB), past the budget together; cut: without
        # their checksum, which libdeflate refuses and zlib counts
        one = zlib.compress(b'\0' * 4000000, 9)
        if kind == 'bomb-many-cut':
            one = one[:-4]
        count = arg // 4000000 + 1
        refs = b' '.join(b'%d 0 R' % (5 + i) for i in range(count))
        write(path, one_page(b'<< /Type /Catalog /Pages 2 0 R /Parts [%s] >>' % refs,
                             [stream(b'/Filter /FlateDecode', one)] * count))
    elif kind == 'bomb-cut':
        # a bomb cut in half: no end, no checksum; still arg / 2 bytes
        data = bomb(arg)
        write(path, one_page(CATALOG, content=stream(b'/Filter /FlateDecode', data[:len(data) // 2])))
    elif kind == 'big-flate':
        # arg bytes of '0' and '1' at random: inflates about 8 times, honest
        data = bytes(0x30 | (b & 1) for b in os.urandom(arg))
        write(path, one_page(CATALOG, content=stream(b'/Filter /FlateDecode', zlib.compress(data, 9))))
    elif kind == 'bomb-dct':
        write(path, one_page(CATALOG, content=stream(b'/Filter [/DCTDecode /FlateDecode]', b'\xff\xd8' * 8)))
    elif kind == 'exe-long':
        embed(path, b'(' + b'a' * 130 + b'.exe)', zlib.compress(b'notes\n'), b'/Filter /FlateDecode')
    elif kind == 'exe-dot':
        embed(path, b'(run.bat. )', b'echo\n')
    elif kind == 'exe-js':
        embed(path, b'(macro.js)', b'WScript.Echo(1)\n')
    elif kind == 'exe-unix':
        embed(path, b'(notes.txt)', MZ, key=b'/Unix')
    elif kind == 'exe-hex':
        embed(path, b'(notes.txt)', MZ.hex().encode() + b'>', b'/Filter /AHx')
    elif kind == 'exe-a85':
        import base64
        embed(path, b'(notes.txt)', base64.a85encode(zlib.compress(MZ)) + b'~>',
              b'/Filter [/ASCII85Decode /FlateDecode]')
    elif kind == 'embed-dct':
        embed(path, b'(photo.jpg)', b'\xff\xd8\xff\xe0' + b'\0' * 16, b'/Filter /DCTDecode')
    elif kind == 'long-name':
        name = b'<' + (b'\xfe\xff' + ('a' * 119 + '\u00e9').encode('utf-16-be')).hex().encode() + b'>'
        embed(path, name, b'inspection notes\n')
    elif kind == 'exe-dos':
        write(path, one_page(
            b'<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(x) 5 0 R] >> >> >>',
            [b'<< /Type /Filespec /UF (notes.txt) /F (notes.txt) /DOS (SETUP.EXE) /EF << /F 6 0 R >> >>',
             stream(b'/Type /EmbeddedFile', b'notes\n')]))
    elif kind == 'big-array':
        write(path, junk(b'[' + b'0 ' * arg + b']'))
    elif kind == 'big-dict':
        write(path, junk(b'<<' + b''.join(b'/k%d 0' % i for i in range(arg)) + b'>>'))
    elif kind == 'os-array':
        write_os(path, junk(b'[6 0 R]'), [b'[' + b'0 ' * arg + b']'])
    elif kind == 'os-dict':
        write_os(path, junk(b'[6 0 R]'), [b'<<' + b''.join(b'/k%d 0' % i for i in range(arg)) + b'>>'])
    elif kind == 'os-pad':
        write_os(path, junk(b'[6 0 R]'), [b'[1]' + b' ' * arg])
    elif kind == 'bomb-hex-nul':
        write(path, one_page(CATALOG, content=stream(b'/Filter [/ASCIIHexDecode /FlateDecode]',
                                                     b'\0 \0x' + bomb(arg).hex().encode() + b'>')))
    elif kind == 'bomb-a85-nul':
        import base64
        data = base64.a85encode(bomb(arg), wrapcol=76).replace(b'\n', b'\n\0')
        write(path, one_page(CATALOG, content=stream(b'/Filter [/A85 /FlateDecode]',
                                                     b'\0<~' + data + b'~>')))
    elif kind == 'exe-hex-nul':
        embed(path, b'(notes.txt)', b'\0'.join(MZ.hex()[k:k + 2].encode() for k in range(0, len(MZ) * 2, 2)) + b'>',
              b'/Filter /AHx')
    elif kind == 'exe-a85-nul':
        import base64
        embed(path, b'(notes.txt)', b'\0'.join(bytes([b]) for b in base64.a85encode(zlib.compress(MZ))) + b'~>',
              b'/Filter [/ASCII85Decode /FlateDecode]')
    elif kind == 'flate-under':
        c = zlib.compressobj(9)
        data = b''.join(c.compress(b'\0' * (1 << 20)) for _ in range(arg >> 20)) + c.flush()
        write(path, one_page(CATALOG, content=stream(b'/Filter [/ASCIIHexDecode /FlateDecode]',
                                                     data.hex().encode() + b'>')))
    elif kind == 'pred-rows':
        one = stream(b'/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns %d >>' % arg,
                     zlib.compress(b'\2' * 16))
        refs = b' '.join(b'%d 0 R' % (5 + i) for i in range(10))
        write(path, one_page(b'<< /Type /Catalog /Pages 2 0 R /Parts [%s] >>' % refs, [one] * 10))
    elif kind == 'pred-size':
        c = zlib.compressobj(9)
        row = b'\2' + b'\0' * 1000
        block = row * 1000
        data = b''.join(c.compress(block) for _ in range(arg // len(block)))
        data += c.compress(row * (arg % len(block) // len(row))) + c.flush()
        write(path, one_page(CATALOG, content=stream(
            b'/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 1000 >>', data)))
    elif kind == 'bomb-pred':
        inner = bomb(arg)
        write(path, one_page(CATALOG, content=stream(
            b'/Filter [/FlateDecode /FlateDecode] /DecodeParms [<< /Predictor 12 /Columns 64 >> null]',
            zlib.compress(png_rows(inner, 64), 9))))
    elif kind == 'exe-png':
        embed(path, b'(notes.txt)', zlib.compress(png_rows(MZ, 8)),
              b'/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 8 >>')
    elif kind == 'exe-tiff':
        embed(path, b'(notes.txt)', zlib.compress(tiff_row(MZ)),
              b'/Filter /FlateDecode /DecodeParms << /Predictor 2 /Columns %d >>' % len(MZ))
    elif kind == 'odd':
        write(path, one_page(
            b'<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(x) 5 0 R] >> >> >>',
            [b'<< /Type /Filespec /F (notes.txt) /EF 7 >>'],
            content=stream(b'/Filter [/FlateDecode /LZWDecode] /DecodeParms [null]',
                           zlib.compress(lzw_zeros(1000)))))
    elif kind == 'slow-head':
        # an embedded file whose first bytes never come: 8 MiB of spaces that
        # /ASCIIHexDecode reads as nothing, named under every key of 300
        # file specifications (a reader that decodes it for each name spends
        # minutes)
        spec = b'<< /Type /Filespec /F (notes.txt) /EF << /F 6 0 R /UF 6 0 R /DOS 6 0 R /Mac 6 0 R /Unix 6 0 R >> >>'
        names = b' '.join(b'(x%d) 5 0 R' % i for i in range(300))
        write(path, one_page(
            b'<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [%s] >> >> >>' % names,
            [spec, stream(b'/Type /EmbeddedFile /Filter [/FlateDecode /ASCIIHexDecode]',
                          zlib.compress(b' ' * (8 << 20)))]))
    elif kind == 'png-launch':
        # a PNG's signature and header chunk, then the launch PDF: libmagic
        # names a PNG, a PDF reader finds the header in the first 1024 bytes
        sys.argv[1] = 'launch'
        main()
        with open(path, 'rb') as f:
            pdf = f.read()
        ihdr = b'IHDR' + struct.pack('>IIBBBBB', 1, 1, 8, 2, 0, 0, 0)
        png = (b'\x89PNG\r\n\x1a\n' + struct.pack('>I', 13) + ihdr +
               struct.pack('>I', zlib.crc32(ihdr)))
        with open(path, 'wb') as f:
            f.write(png + pdf)
    elif kind == 'damaged':
        with open(path, 'wb') as f:
            f.write(b'%PDF-1.4\n' + bytes(range(256)) * 40 + b'\n%%EOF\n')
    else:
        sys.exit('mkpdf: no kind %r' % kind)


if __name__ == '__main__':
    main()
