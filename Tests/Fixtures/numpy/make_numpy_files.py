#!/usr/bin/env python3
"""Writes the NumPy files the data tests read, the way users make them (numpy.save, savez,
savez_compressed), into the directory given; and the same samples as a CSV of round-trip
decimals. Deterministic: the same bytes on every run.

usage: make_numpy_files.py DIR
"""
import os
import sys

import numpy as np

d = sys.argv[1]
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
