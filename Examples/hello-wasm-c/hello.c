// hello: reads one field of the protected data ($IEXEC_IN/$IEXEC_DATASET_FILENAME, iExec's layout: a zip of
// stored entries, one per field, each holding the field's Borsh value) and writes "Hello, <value>!" to
// $IEXEC_OUT/result.txt, with the computed.json that names it. Built for wasm32-wasi by build.sh.
//
// Usage (the task's args): [field]   (default: name). The field must be a string.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *out, const char *message) {
    // computed.json with error-message: the task ends FAILED with this message to the requester.
    char path[512];
    snprintf(path, sizeof path, "%s/computed.json", out);
    FILE *computed = fopen(path, "w");
    if (computed) {
        fprintf(computed, "{\"error-message\": \"%s\"}\n", message);
        fclose(computed);
    }
    fprintf(stderr, "hello: %s\n", message);
    return 1;
}

static uint32_t le16(const unsigned char *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }
static uint32_t le32(const unsigned char *p) { return le16(p) | (le16(p + 2) << 16); }

int main(int argc, char **argv) {
    const char *in = getenv("IEXEC_IN");
    const char *out = getenv("IEXEC_OUT");
    const char *dataset = getenv("IEXEC_DATASET_FILENAME");
    const char *field = argc > 1 ? argv[1] : "name";
    if (!in || !out) return fail(out ? out : "/iexec_out", "IEXEC_IN and IEXEC_OUT must be set");
    if (!dataset) return fail(out, "this app needs protected data: run it with --dataset");

    char path[512];
    snprintf(path, sizeof path, "%s/%s", in, dataset);
    FILE *file = fopen(path, "rb");
    if (!file) return fail(out, "the protected data cannot be opened");
    static unsigned char zip[1 << 20];
    size_t size = fread(zip, 1, sizeof zip, file);
    fclose(file);

    // Walk the local file headers: signature, method at 8, compressed size at 18, name length at 26, extra at 28.
    size_t offset = 0;
    size_t fieldLength = strlen(field);
    while (offset + 30 <= size && le32(zip + offset) == 0x04034b50) {
        uint32_t method = le16(zip + offset + 8);
        uint32_t stored = le32(zip + offset + 18);
        uint32_t nameLength = le16(zip + offset + 26);
        uint32_t extraLength = le16(zip + offset + 28);
        size_t data = offset + 30 + nameLength + extraLength;
        if (data + stored > size) break;
        if (nameLength == fieldLength && memcmp(zip + offset + 30, field, fieldLength) == 0) {
            if (method != 0 || stored < 4) return fail(out, "the field is not a stored Borsh string");
            uint32_t length = le32(zip + data);
            if (length > stored - 4) return fail(out, "the field is not a Borsh string");
            snprintf(path, sizeof path, "%s/result.txt", out);
            FILE *result = fopen(path, "w");
            if (!result) return fail(out, "result.txt cannot be written");
            fprintf(result, "Hello, %.*s!\n", (int)length, (const char *)(zip + data + 4));
            fclose(result);
            snprintf(path, sizeof path, "%s/computed.json", out);
            FILE *computed = fopen(path, "w");
            if (!computed) return fail(out, "computed.json cannot be written");
            fputs("{\"deterministic-output-path\": \"/iexec_out/result.txt\"}\n", computed);
            fclose(computed);
            printf("hello: greeted the protected %s\n", field);
            return 0;
        }
        offset = data + stored;
    }
    return fail(out, "the protected data has no such field");
}
