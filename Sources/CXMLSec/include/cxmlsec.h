#ifndef CXMLSEC_H
#define CXMLSEC_H
#include <stddef.h>
#include <stdint.h>

/* XMLDSig signing of SUNAT documents with libxmlsec1 (OpenSSL), and the few OpenSSL calls around
   the company's PKCS#12 certificate. Every function returns 0 on success; on failure a message is
   written to `err` (at most `errlen` bytes, NUL-terminated). Buffers returned through `out` are
   malloc'ed: the caller frees them with cxs_free. */

typedef struct cxs_key cxs_key;

/* What a certificate says: validity as Unix seconds, subject CN and serial (hex). */
typedef struct {
    int64_t not_before;
    int64_t not_after;
    char subject[256];
    char serial[80];
} cxs_cert_info;

/* Loads a .pfx (PKCS#12) from memory. Returns NULL and an error (-2 for a wrong password). */
cxs_key *cxs_key_load_pkcs12(const uint8_t *data, size_t len, const char *password, int *code, char *err, size_t errlen);
void cxs_key_free(cxs_key *key);
int cxs_key_info(const cxs_key *key, cxs_cert_info *info);

/* Signs the document in `xml`, whose first ds:Signature is an enveloped template. */
int cxs_sign(const cxs_key *key, const uint8_t *xml, size_t len, uint8_t **out, size_t *outlen, char *err, size_t errlen);

/* Verifies a signed document with the certificate it embeds (as SUNAT's first check does).
   Returns 0 when the signature holds. */
int cxs_verify(const uint8_t *xml, size_t len, char *err, size_t errlen);

/* A self-signed RSA-2048 certificate and key as a PKCS#12, for demos and tests only. */
int cxs_make_test_pkcs12(const char *common_name, const char *organization, const char *password,
                         int64_t not_before, int64_t not_after, uint8_t **out, size_t *outlen, char *err, size_t errlen);

void cxs_free(void *p);

#endif
