#!/usr/bin/env python3
"""CRC-32C (Castagnoli) of a file, or of standard input, in 8 hex digits.

An independent check of the checksum cscc records for each imported file:
a plain bit-by-bit table implementation, nothing shared with cscc's C code.
"""
import sys

POLY = 0x82F63B78
TABLE = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ POLY if c & 1 else c >> 1
    TABLE.append(c)


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    t = TABLE
    for b in data:
        crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def main():
    f = open(sys.argv[1], "rb") if len(sys.argv) > 1 else sys.stdin.buffer
    crc = 0
    while True:
        chunk = f.read(1 << 20)
        if not chunk:
            break
        crc = crc32c(chunk, crc)
    print("%08x" % crc)


if __name__ == "__main__":
    main()
