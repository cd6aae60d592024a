#!/usr/bin/env python3
"""Generates the G.711 golden vectors the codec tests compare against.

The vectors come from CPython's audioop module, an implementation of the ITU-T G.711
reference behaviour (the same algorithm as Sun's public-domain g711.c, mu-law on the 14-bit
convention, A-law on the 13-bit convention). They are produced outside the project so the
Java implementation is checked against an independent one.

Files (all little-endian, no header):
  ulaw_encode.bin, alaw_encode.bin  65,536 bytes: the code for every 16-bit sample s,
                                    stored at offset s + 32768 (s = -32768 .. 32767)
  ulaw_decode.bin, alaw_decode.bin  256 signed 16-bit samples: the value of every code 0..255

Run with Python 3.11 or 3.12 (audioop was removed in 3.13):
  python3 codec/src/test/resources/g711/generate.py codec/src/test/resources/g711
"""
import audioop
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
every_sample = struct.pack("<65536h", *range(-32768, 32768))
every_code = bytes(range(256))

with open(os.path.join(out, "ulaw_encode.bin"), "wb") as f:
    f.write(audioop.lin2ulaw(every_sample, 2))
with open(os.path.join(out, "alaw_encode.bin"), "wb") as f:
    f.write(audioop.lin2alaw(every_sample, 2))
with open(os.path.join(out, "ulaw_decode.bin"), "wb") as f:
    f.write(audioop.ulaw2lin(every_code, 2))
with open(os.path.join(out, "alaw_decode.bin"), "wb") as f:
    f.write(audioop.alaw2lin(every_code, 2))
