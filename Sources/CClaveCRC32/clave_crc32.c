// CRC-32 by folding 128-bit blocks with carry-less multiplication.
//
// In a reflected CRC the first bit of the message is its highest-degree coefficient, so bit m of a 16-byte block
// read little-endian stands for x^(127 - m), counted from the block's end. Moving a block D bits further down the
// message multiplies it by x^D; modulo P, its first 8 bytes (L, standing for L·x^64) become L·(x^(64+D) mod P) and
// its last 8 bytes (H) become H·(x^D mod P), both products under 97 bits. A carry-less product of two such
// reflected halves comes out one bit off (it stands for x times the product), so the constants are taken one
// degree lower: x^(D+63) and x^(D-1) modulo P, placed with x^j at bit 63 - j. XORing a block so moved into the
// block D bits later keeps the message congruent modulo P, and the CRC depends only on that; once one block is
// left, its CRC is taken bit by bit. Four blocks fold in parallel (D = 512) to hide the multiplier's latency,
// then into one (D = 128). The constants are computed by Scripts/crc32-fold-constants.py.

#include "clave_crc32.h"

#if defined(__x86_64__)

#include <immintrin.h>

#define CLAVE_FOLD_TARGET __attribute__((target("pclmul,sse2")))

CLAVE_FOLD_TARGET static inline __m128i fold(__m128i block, __m128i constants, __m128i next) {
    __m128i low = _mm_clmulepi64_si128(block, constants, 0x00);
    __m128i high = _mm_clmulepi64_si128(block, constants, 0x11);
    return _mm_xor_si128(_mm_xor_si128(low, high), next);
}

CLAVE_FOLD_TARGET static inline __m128i load(const uint8_t *p) { return _mm_loadu_si128((const __m128i *)p); }

CLAVE_FOLD_TARGET static size_t fold_pclmul(uint32_t *reg, const uint8_t *data, size_t length) {
    // {x^575 mod P, x^511 mod P} and {x^191 mod P, x^127 mod P}, each as the low and high 64 bits.
    const __m128i by512 = _mm_set_epi64x((long long)0xcad38e8f00000000ULL, (long long)0x653d982200000000ULL);
    const __m128i by128 = _mm_set_epi64x((long long)0x9ba54c6f00000000ULL, (long long)0x65673b4600000000ULL);

    const uint8_t *p = data;
    size_t left = length;
    __m128i a0 = _mm_xor_si128(load(p), _mm_cvtsi32_si128((int)*reg));
    __m128i a1 = load(p + 16);
    __m128i a2 = load(p + 32);
    __m128i a3 = load(p + 48);
    p += 64;
    left -= 64;
    while (left >= 64) {
        a0 = fold(a0, by512, load(p));
        a1 = fold(a1, by512, load(p + 16));
        a2 = fold(a2, by512, load(p + 32));
        a3 = fold(a3, by512, load(p + 48));
        p += 64;
        left -= 64;
    }
    __m128i a = fold(a0, by128, a1);
    a = fold(a, by128, a2);
    a = fold(a, by128, a3);
    while (left >= 16) {
        a = fold(a, by128, load(p));
        p += 16;
        left -= 16;
    }

    uint8_t last[16];
    _mm_storeu_si128((__m128i *)last, a);
    uint32_t crc = 0;
    for (int i = 0; i < 16; i++) {
        crc ^= last[i];
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    *reg = crc;
    return length - left;
}

size_t clave_crc32_fold(uint32_t *reg, const uint8_t *data, size_t length) {
    if (length < 64) return 0;
    static int supported = -1;
    if (supported < 0) {
        __builtin_cpu_init();
        supported = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse2");
    }
    if (!supported) return 0;
    return fold_pclmul(reg, data, length);
}

#else

size_t clave_crc32_fold(uint32_t *reg, const uint8_t *data, size_t length) {
    (void)reg;
    (void)data;
    (void)length;
    return 0;
}

#endif
