#!/usr/bin/env python3
"""Prints the folding constants of Sources/CClaveCRC32/clave_crc32.c.

For a fold over D bits, the block's first 8 bytes are multiplied by x^(D+63) mod P and its last 8 bytes by
x^(D-1) mod P (the carry-less product of two reflected halves stands for x times their product), each written
reflected into 64 bits: the coefficient of x^j at bit 63 - j.
"""

P = 0x1_04C1_1DB7  # the CRC-32 polynomial x^32 + x^26 + ... + 1, x^k at bit k


def x_power_mod_p(exponent: int) -> int:
    remainder = 1
    for _ in range(exponent):
        remainder <<= 1
        if remainder & (1 << 32):
            remainder ^= P
    return remainder


def reflected64(polynomial: int) -> int:
    return sum(1 << (63 - j) for j in range(32) if polynomial >> j & 1)


for distance in (512, 128):
    first = reflected64(x_power_mod_p(distance + 63))
    second = reflected64(x_power_mod_p(distance - 1))
    print(f"D = {distance}: first 8 bytes 0x{first:016x}, last 8 bytes 0x{second:016x}")
