// scrypt's ROMix (RFC 7914 sections 3 to 5), written for Clave from the RFC's description.
//
// A block of 128·r bytes is handled as 32·r 32-bit words, read from and written back to the bytes in little-endian
// order (RFC 7914 section 3: the Salsa20/8 input and output are little-endian words). Inside, a block is 2·r
// Salsa20 blocks of 16 words each.

#include "clave_scrypt.h"

#include <stdlib.h>
#include <string.h>

/// Number of 32-bit words in a 64-byte Salsa20 block.
#define SALSA_WORDS 16

static uint32_t load32_le(const uint8_t *bytes) {
    return (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
}

static void store32_le(uint8_t *bytes, uint32_t word) {
    bytes[0] = (uint8_t)word;
    bytes[1] = (uint8_t)(word >> 8);
    bytes[2] = (uint8_t)(word >> 16);
    bytes[3] = (uint8_t)(word >> 24);
}

#define ROTATE_LEFT(word, count) (((word) << (count)) | ((word) >> (32 - (count))))

/// One Salsa20 quarter-round on words a, b, c, d of x: b ^= (a + d) <<< 7; c ^= (b + a) <<< 9;
/// d ^= (c + b) <<< 13; a ^= (d + c) <<< 18. A macro so that unoptimized (debug) builds stay fast.
#define QUARTER_ROUND(x, a, b, c, d)                       \
    do {                                                   \
        (x)[b] ^= ROTATE_LEFT((x)[a] + (x)[d], 7);         \
        (x)[c] ^= ROTATE_LEFT((x)[b] + (x)[a], 9);         \
        (x)[d] ^= ROTATE_LEFT((x)[c] + (x)[b], 13);        \
        (x)[a] ^= ROTATE_LEFT((x)[d] + (x)[c], 18);        \
    } while (0)

/// Salsa20/8 core (RFC 7914 section 3), in place: four double rounds (a column round then a row round) on a copy
/// of the 16 words, then the input added back word by word.
static void salsa20_8(uint32_t block[SALSA_WORDS]) {
    uint32_t x[SALSA_WORDS];
    memcpy(x, block, sizeof x);
    for (int double_round = 0; double_round < 4; double_round++) {
        // Columns: each quarter-round starts on the diagonal and goes down its column.
        QUARTER_ROUND(x, 0, 4, 8, 12);
        QUARTER_ROUND(x, 5, 9, 13, 1);
        QUARTER_ROUND(x, 10, 14, 2, 6);
        QUARTER_ROUND(x, 15, 3, 7, 11);
        // Rows: each quarter-round starts on the diagonal and goes along its row.
        QUARTER_ROUND(x, 0, 1, 2, 3);
        QUARTER_ROUND(x, 5, 6, 7, 4);
        QUARTER_ROUND(x, 10, 11, 8, 9);
        QUARTER_ROUND(x, 15, 12, 13, 14);
    }
    for (int i = 0; i < SALSA_WORDS; i++) {
        block[i] += x[i];
    }
}

/// scryptBlockMix (RFC 7914 section 4): output = BlockMix(input), both 2·r Salsa20 blocks; they must not overlap.
///
/// X starts as the last input block; for each input block B[i], X = Salsa20/8(X xor B[i]) is Y[i]. The output is
/// the even-numbered Y first, then the odd-numbered: (Y[0], Y[2], …, Y[2r−2], Y[1], Y[3], …, Y[2r−1]).
static void block_mix(const uint32_t *input, uint32_t *output, size_t r) {
    uint32_t x[SALSA_WORDS];
    memcpy(x, input + (2 * r - 1) * SALSA_WORDS, sizeof x);
    for (size_t i = 0; i < 2 * r; i++) {
        const uint32_t *block = input + i * SALSA_WORDS;
        for (int k = 0; k < SALSA_WORDS; k++) {
            x[k] ^= block[k];
        }
        salsa20_8(x);
        size_t position = i / 2 + (i % 2) * r;
        memcpy(output + position * SALSA_WORDS, x, sizeof x);
    }
}

/// Integerify (RFC 7914 section 5): the first 8 bytes of the last Salsa20 block of x, as a little-endian integer.
static uint64_t integerify(const uint32_t *x, size_t r) {
    const uint32_t *last = x + (2 * r - 1) * SALSA_WORDS;
    return (uint64_t)last[0] | (uint64_t)last[1] << 32;
}

/// scryptROMix (RFC 7914 section 5) on x, 32·r words, in place. v holds n blocks of 32·r words and t one; both are
/// scratch space.
static void romix(uint32_t *x, uint32_t *t, uint32_t *v, size_t n, size_t r) {
    size_t words = 32 * r;
    // V[i] = X; X = BlockMix(X), for i = 0 … n−1.
    for (size_t i = 0; i < n; i++) {
        uint32_t *vi = v + i * words;
        memcpy(vi, x, words * sizeof *x);
        block_mix(vi, x, r);
    }
    // j = Integerify(X) mod n; X = BlockMix(X xor V[j]), n times. n is a power of two, so mod n is a mask.
    for (size_t i = 0; i < n; i++) {
        size_t j = (size_t)(integerify(x, r) & (uint64_t)(n - 1));
        const uint32_t *vj = v + j * words;
        for (size_t k = 0; k < words; k++) {
            t[k] = x[k] ^ vj[k];
        }
        block_mix(t, x, r);
    }
}

/// memset through a volatile pointer, so that the compiler cannot drop the wipe of memory about to be freed.
static void *(*const volatile wipe_memory)(void *, int, size_t) = memset;

int clave_scrypt_romix(uint8_t *buffer, size_t length, uint64_t n, uint32_t r) {
    if (buffer == NULL || r == 0 || n < 2 || (n & (n - 1)) != 0) {
        return CLAVE_SCRYPT_INVALID_PARAMETERS;
    }
#if SIZE_MAX / 128 < UINT32_MAX
    // Only where size_t is narrower than 39 bits can 128·r overflow it.
    if (r > SIZE_MAX / 128) {
        return CLAVE_SCRYPT_INVALID_PARAMETERS;
    }
#endif
    size_t block_bytes = (size_t)r * 128;
    if (length == 0 || length % block_bytes != 0) {
        return CLAVE_SCRYPT_INVALID_PARAMETERS;
    }
    // Working memory: V (n blocks), then X and T (one block each), (n + 2)·128·r bytes.
    size_t most_blocks = SIZE_MAX / block_bytes;
    if (most_blocks < 2 || n > (uint64_t)(most_blocks - 2)) {
        return CLAVE_SCRYPT_INVALID_PARAMETERS;
    }
    size_t count = (size_t)n;
    size_t memory_bytes = (count + 2) * block_bytes;
    uint32_t *memory = malloc(memory_bytes);
    if (memory == NULL) {
        return CLAVE_SCRYPT_OUT_OF_MEMORY;
    }
    size_t words = block_bytes / sizeof(uint32_t);
    uint32_t *v = memory;
    uint32_t *x = v + count * words;
    uint32_t *t = x + words;

    for (size_t offset = 0; offset < length; offset += block_bytes) {
        uint8_t *block = buffer + offset;
        for (size_t k = 0; k < words; k++) {
            x[k] = load32_le(block + 4 * k);
        }
        romix(x, t, v, count, r);
        for (size_t k = 0; k < words; k++) {
            store32_le(block + 4 * k, x[k]);
        }
    }

    wipe_memory(memory, 0, memory_bytes);
    free(memory);
    return CLAVE_SCRYPT_OK;
}
