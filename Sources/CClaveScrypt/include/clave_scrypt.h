#ifndef CLAVE_SCRYPT_H
#define CLAVE_SCRYPT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What `clave_scrypt_romix` returns.
enum {
    /// Done: every block of the buffer was replaced by its ROMix.
    CLAVE_SCRYPT_OK = 0,
    /// `n` is not a power of two of at least 2, `r` is 0, `length` is not a positive multiple of 128·`r`, or a
    /// size computation would overflow. The buffer is untouched.
    CLAVE_SCRYPT_INVALID_PARAMETERS = 1,
    /// The (`n` + 2)·128·`r` bytes of working memory could not be allocated. The buffer is untouched.
    CLAVE_SCRYPT_OUT_OF_MEMORY = 2,
};

/// The memory-hard middle of scrypt (RFC 7914 section 6, step 2): replaces each 128·`r`-byte block
/// B[i] of `buffer` by scryptROMix_r(B[i], `n`) (RFC 7914 section 5), one block after another.
///
/// The caller runs the two PBKDF2-HMAC-SHA256 steps around it: `buffer` = PBKDF2(P, S, 1, p·128·r)
/// before, DK = PBKDF2(P, `buffer`, 1, dkLen) after. Unlike RFC 7914, this does not require
/// `n` < 2^(16·`r`): geth and eth-account run scrypt with such parameters, and keystores exist that
/// use them.
///
/// Working memory is (`n` + 2)·128·`r` bytes, allocated here, overwritten with zeros and freed
/// before returning; time is proportional to `n`·`r`·(`length` / (128·`r`)).
///
/// - Parameters:
///   - buffer: `length` bytes, p consecutive blocks of 128·`r` bytes, read and overwritten in place.
///   - length: p·128·`r`, with p ≥ 1.
///   - n: the cost parameter N, a power of two ≥ 2.
///   - r: the block size parameter, ≥ 1.
/// - Returns: `CLAVE_SCRYPT_OK`, `CLAVE_SCRYPT_INVALID_PARAMETERS` or `CLAVE_SCRYPT_OUT_OF_MEMORY`.
int clave_scrypt_romix(uint8_t *buffer, size_t length, uint64_t n, uint32_t r);

#ifdef __cplusplus
}
#endif

#endif
