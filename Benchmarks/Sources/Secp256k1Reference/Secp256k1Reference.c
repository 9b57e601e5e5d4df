#include "Secp256k1Reference.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdlib.h>
#include <string.h>

struct clave_secp256k1_reference {
    secp256k1_context *context;
    uint8_t seckey[32];
    secp256k1_pubkey pubkey;
    int count;
    uint8_t *digests;
    secp256k1_ecdsa_recoverable_signature *signatures;
};

clave_secp256k1_reference *clave_secp256k1_reference_create(const uint8_t *seckey32, const uint8_t *digests, int count) {
    clave_secp256k1_reference *reference = calloc(1, sizeof *reference);
    if (reference == NULL || count <= 0) {
        free(reference);
        return NULL;
    }
    reference->context = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    reference->digests = malloc((size_t)count * 32);
    reference->signatures = calloc((size_t)count, sizeof *reference->signatures);
    reference->count = count;
    memcpy(reference->seckey, seckey32, 32);
    if (reference->context == NULL || reference->digests == NULL || reference->signatures == NULL) {
        clave_secp256k1_reference_destroy(reference);
        return NULL;
    }
    memcpy(reference->digests, digests, (size_t)count * 32);
    uint8_t seed[32];
    for (int i = 0; i < 32; i++) seed[i] = (uint8_t)(i * 7 + 1);
    if (!secp256k1_context_randomize(reference->context, seed)
        || !secp256k1_ec_pubkey_create(reference->context, &reference->pubkey, reference->seckey)) {
        clave_secp256k1_reference_destroy(reference);
        return NULL;
    }
    return reference;
}

void clave_secp256k1_reference_destroy(clave_secp256k1_reference *reference) {
    if (reference == NULL) return;
    if (reference->context != NULL) secp256k1_context_destroy(reference->context);
    free(reference->digests);
    free(reference->signatures);
    free(reference);
}

int clave_secp256k1_reference_sign(clave_secp256k1_reference *reference, int64_t iterations) {
    for (int64_t i = 0; i < iterations; i++) {
        int slot = (int)(i % reference->count);
        if (!secp256k1_ecdsa_sign_recoverable(reference->context, &reference->signatures[slot],
                                              reference->digests + 32 * slot, reference->seckey, NULL, NULL)) {
            return -1;
        }
    }
    return 0;
}

int clave_secp256k1_reference_recover(clave_secp256k1_reference *reference, int64_t iterations) {
    for (int64_t i = 0; i < iterations; i++) {
        int slot = (int)(i % reference->count);
        secp256k1_pubkey recovered;
        if (!secp256k1_ecdsa_recover(reference->context, &recovered, &reference->signatures[slot],
                                     reference->digests + 32 * slot)
            || secp256k1_ec_pubkey_cmp(reference->context, &recovered, &reference->pubkey) != 0) {
            return -1;
        }
    }
    return 0;
}
