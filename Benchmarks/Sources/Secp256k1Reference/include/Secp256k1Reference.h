#ifndef CLAVE_SECP256K1_REFERENCE_H
#define CLAVE_SECP256K1_REFERENCE_H

#include <stdint.h>

/// Signing and recovery loops written directly against libsecp256k1, as the reference that ClaveCrypto's
/// wrappers are measured against. Single-threaded.
typedef struct clave_secp256k1_reference clave_secp256k1_reference;

/// A context (randomized like ClaveCrypto's) with one secret key and `count` 32-byte digests to cycle through.
/// Returns NULL if the key is invalid or memory is short.
clave_secp256k1_reference *clave_secp256k1_reference_create(const uint8_t *seckey32, const uint8_t *digests, int count);

void clave_secp256k1_reference_destroy(clave_secp256k1_reference *reference);

/// Signs digests[i % count] with secp256k1_ecdsa_sign_recoverable for i < iterations, keeping the last `count`
/// signatures for the recovery loop. Returns 0 on success, -1 if any call failed.
int clave_secp256k1_reference_sign(clave_secp256k1_reference *reference, int64_t iterations);

/// Recovers the public key of signature i % count over digests[i % count] with secp256k1_ecdsa_recover for
/// i < iterations, checking each against the signer. Returns 0 on success, -1 on any failure or mismatch.
int clave_secp256k1_reference_recover(clave_secp256k1_reference *reference, int64_t iterations);

#endif
