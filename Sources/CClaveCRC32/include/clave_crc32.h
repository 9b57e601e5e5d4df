#ifndef CLAVE_CRC32_H
#define CLAVE_CRC32_H

#include <stddef.h>
#include <stdint.h>

/// Advances a CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320) register over the longest prefix of `data` that
/// is a multiple of 16 bytes, by folding with carry-less multiplication (PCLMULQDQ), and returns that prefix's
/// length. `*reg` is the running register before the final XOR, as `CRC32` keeps it.
///
/// Returns 0 and leaves `*reg` alone when the processor has no PCLMULQDQ, when it is not an x86-64 one, or when
/// `length` is under 64 bytes: the caller then goes on with its tables.
size_t clave_crc32_fold(uint32_t *reg, const uint8_t *data, size_t length);

#endif
