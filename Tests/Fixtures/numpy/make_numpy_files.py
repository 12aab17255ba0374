#!/usr/bin/env python3
"""Writes the NumPy files the data tests read, the way users make them (numpy.save, savez,
savez_compressed), into the directory given; and the same samples as a CSV of round-trip
decimals. Deterministic: the same bytes on every run. Also damaged compressed archives: a
deflate stream with bytes flipped in its middle, and one cut short (written here as a zip whose
directory states the cut length, the true CRC-32 and the true size).

usage: make_numpy_files.py DIR
       make_numpy_files.py DIR --large ROWS COLS   (only large.npz, savez_compressed, ROWS x COLS)
"""
import io
import os
import struct
import sys
import zipfile
import zlib

import numpy as np

d = sys.argv[1]
if len(sys.argv) == 5 and sys.argv[2] == "--large":
    # Eighths in [-1/2, 1/2): exact in binary, so they compress about 11:1 (a file small on disk,
    # large in memory); the last column is the target.
    rows, cols = int(sys.argv[3]), int(sys.argv[4])
    big = np.random.default_rng(7).integers(-4, 4, size=(rows, cols)).astype(np.float64) / 8
    np.savez_compressed(os.path.join(d, "large.npz"), x=big[:, :-1], y=big[:, -1:])
    sys.exit(0)
rng = np.random.default_rng(12)
x = rng.standard_normal((300, 4))
y = x @ rng.standard_normal((4, 2)) + 0.1 * rng.standard_normal((300, 2))
a = np.hstack([x, y])
with open(os.path.join(d, "samples.csv"), "w") as f:
    for row in a:
        f.write(",".join(repr(float(v)) for v in row) + "\n")
np.save(os.path.join(d, "c.npy"), a)
np.save(os.path.join(d, "fortran.npy"), np.asfortranarray(a))
np.save(os.path.join(d, "bigendian.npy"), a.astype(">f8"))
np.save(os.path.join(d, "f32.npy"), a.astype(np.float32))
with open(os.path.join(d, "f32.csv"), "w") as f:
    for row in a.astype(np.float32).astype(np.float64):
        f.write(",".join(repr(float(v)) for v in row) + "\n")
np.savez(os.path.join(d, "xy.npz"), x=x, y=y)
np.savez(os.path.join(d, "named.npz"), inputs=x, target=y[:, 0], extra=x[:, :1])
np.savez_compressed(os.path.join(d, "compressed.npz"), x=x, y=y)
np.savez_compressed(os.path.join(d, "named_compressed.npz"), inputs=x, target=y[:, 0], extra=x[:, :1])
# Many 1 MB blocks of rows and many 256 KiB windows of inflated bytes, not aligned with rows.
wide = np.random.default_rng(5).standard_normal((20000, 20))
np.savez(os.path.join(d, "wide.npz"), x=wide[:, :17], y=wide[:, 17:])
np.savez_compressed(os.path.join(d, "wide_compressed.npz"), x=wide[:, :17], y=wide[:, 17:])
np.save(os.path.join(d, "int.npy"), np.arange(12).reshape(6, 2))
np.save(os.path.join(d, "object.npy"), np.array([[1, "a"]], dtype=object), allow_pickle=True)
np.save(os.path.join(d, "3d.npy"), np.zeros((2, 3, 4)))
np.save(os.path.join(d, "1d.npy"), np.zeros(5))
with open(os.path.join(d, "c.npy"), "rb") as f:
    whole = f.read()
with open(os.path.join(d, "truncated.npy"), "wb") as f:
    f.write(whole[:-8])
with open(os.path.join(d, "badmagic.npy"), "wb") as f:
    f.write(b"\x93NUMPX" + whole[6:])


def npy_bytes(array):
    b = io.BytesIO()
    np.save(b, array)
    return b.getvalue()


def write_zip(path, members):
    """A classic zip of (name, method, stored bytes, crc32, uncompressed size) members."""
    out, cd = bytearray(), bytearray()
    for name, method, data, crc, size in members:
        n = name.encode()
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data),
                          size, len(n), 0, 0, 0, 0, 0, len(out)) + n
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size, len(n), 0)
        out += n + data
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(cd), len(out), 0)
    with open(path, "wb") as f:
        f.write(bytes(out + cd + eocd))


# Bytes flipped in the middle of x's deflate stream.
corrupt = os.path.join(d, "corrupt.npz")
np.savez_compressed(corrupt, x=x, y=y)
with zipfile.ZipFile(corrupt) as z:
    info = z.getinfo("x.npy")
with open(corrupt, "rb") as f:
    data = bytearray(f.read())
local = info.header_offset
start = local + 30 + struct.unpack("<H", data[local + 26:local + 28])[0] + struct.unpack("<H", data[local + 28:local + 30])[0]
middle = start + info.compress_size // 2
for i in range(middle, middle + 8):
    data[i] ^= 0xFF
with open(corrupt, "wb") as f:
    f.write(bytes(data))

# x's deflate stream cut to half its length; the directory says so, with x's true CRC and size.
members = []
for name, array in (("x.npy", x), ("y.npy", y)):
    raw = npy_bytes(array)
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    stream = c.compress(raw) + c.flush()
    members.append((name, 8, stream[:len(stream) // 2] if name == "x.npy" else stream, zlib.crc32(raw), len(raw)))
write_zip(os.path.join(d, "truncated.npz"), members)
# The same writer with whole streams: a well-formed archive (so the cut is the only fault above).
write_zip(os.path.join(d, "rewritten.npz"),
          [(n, 8, zlib.compress(npy_bytes(a), 6)[2:-4], zlib.crc32(npy_bytes(a)), len(npy_bytes(a)))
           for n, a in (("x.npy", x), ("y.npy", y))])
# A compressed array in Fortran order (x.T.T-style views numpy writes so).
np.savez_compressed(os.path.join(d, "fortran_compressed.npz"), x=np.asfortranarray(x), y=y)

# Not finite: NaN and ±inf where numpy users meet them (a missing value, a division by zero),
# in C and Fortran order, in a stored and a compressed .npz, in a 2-D and a 1-D array.
nan = a.copy()
nan[7, 2] = np.nan
np.save(os.path.join(d, "nan.npy"), nan)
inf = a.copy()
inf[11, 5] = np.inf
np.save(os.path.join(d, "inf_fortran.npy"), np.asfortranarray(inf))
np.savez(os.path.join(d, "nan.npz"), x=nan[:, :4], y=y)
target = y[:, 0].copy()
target[250] = -np.inf
np.savez_compressed(os.path.join(d, "neginf_compressed.npz"), x=x, target=target)
# numpy.savetxt's default layout: '%.18e' separated by single spaces.
np.savetxt(os.path.join(d, "savetxt.txt"), a)
np.savetxt(os.path.join(d, "savetxt.csv"), a)
# NumPy files under names that are not theirs (a file named `data`, what <(cat …) hands over).
with open(os.path.join(d, "data"), "wb") as f:
    f.write(whole)
with open(os.path.join(d, "xy.npz"), "rb") as src, open(os.path.join(d, "archive"), "wb") as f:
    f.write(src.read())
