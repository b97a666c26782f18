#include "cxmlsec.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/keys.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/errors.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/openssl/x509.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/bn.h>

struct cxs_key {
    xmlSecKeyPtr key;
    cxs_cert_info info;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_status = -1;

/* xmlsec's default error callback prints to stderr, which would scribble over the TUI. */
static void quiet_errors(const char *file, int line, const char *func, const char *errorObject,
                         const char *errorSubject, int reason, const char *msg) {
    (void)file; (void)line; (void)func; (void)errorObject; (void)errorSubject; (void)reason; (void)msg;
}
static void quiet_xml(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }

static void do_init(void) {
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, quiet_xml);
    if (xmlSecInit() < 0) return;
    xmlSecErrorsSetCallback(quiet_errors);
    if (xmlSecOpenSSLAppInit(NULL) < 0) return;
    if (xmlSecOpenSSLInit() < 0) return;
    init_status = 0;
}

static int ensure_init(char *err, size_t errlen) {
    pthread_once(&init_once, do_init);
    if (init_status != 0) { snprintf(err, errlen, "No se pudo iniciar libxmlsec1"); return -1; }
    return 0;
}

static void openssl_reason(char *buf, size_t len) {
    unsigned long e = ERR_peek_last_error();
    if (e == 0) { snprintf(buf, len, "sin detalle"); return; }
    ERR_error_string_n(e, buf, len);
    ERR_clear_error();
}

static int64_t asn1_to_unix(const ASN1_TIME *t) {
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return (int64_t)timegm(&tm);
}

static void fill_info(X509 *cert, cxs_cert_info *info) {
    memset(info, 0, sizeof *info);
    info->not_before = asn1_to_unix(X509_get0_notBefore(cert));
    info->not_after = asn1_to_unix(X509_get0_notAfter(cert));
    X509_NAME *name = X509_get_subject_name(cert);
    if (name) X509_NAME_get_text_by_NID(name, NID_commonName, info->subject, sizeof info->subject);
    const ASN1_INTEGER *serial = X509_get0_serialNumber(cert);
    BIGNUM *bn = serial ? ASN1_INTEGER_to_BN(serial, NULL) : NULL;
    if (bn) {
        char *hex = BN_bn2hex(bn);
        if (hex) { snprintf(info->serial, sizeof info->serial, "%s", hex); OPENSSL_free(hex); }
        BN_free(bn);
    }
}

cxs_key *cxs_key_load_pkcs12(const uint8_t *data, size_t len, const char *password, int *code, char *err, size_t errlen) {
    *code = -1;
    if (ensure_init(err, errlen) != 0) return NULL;
    if (!data || len == 0 || len > 1 << 20) { snprintf(err, errlen, "El archivo del certificado está vacío o es demasiado grande"); return NULL; }
    /* OpenSSL first: it tells a wrong password from a damaged file, and gives the validity. */
    const unsigned char *p = data;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
    if (!p12) { snprintf(err, errlen, "El archivo no es un certificado .pfx (PKCS#12) válido"); ERR_clear_error(); return NULL; }
    if (!PKCS12_verify_mac(p12, password, -1)) {
        PKCS12_free(p12); ERR_clear_error();
        *code = -2;
        snprintf(err, errlen, "La contraseña del certificado no es correcta");
        return NULL;
    }
    EVP_PKEY *pkey = NULL; X509 *cert = NULL; STACK_OF(X509) *ca = NULL;
    if (!PKCS12_parse(p12, password, &pkey, &cert, &ca) || !pkey || !cert) {
        char why[200]; openssl_reason(why, sizeof why);
        snprintf(err, errlen, "No se pudo leer la clave del certificado (%s)", why);
        PKCS12_free(p12); EVP_PKEY_free(pkey); X509_free(cert); sk_X509_pop_free(ca, X509_free);
        return NULL;
    }
    cxs_key *k = calloc(1, sizeof *k);
    if (!k) { PKCS12_free(p12); EVP_PKEY_free(pkey); X509_free(cert); sk_X509_pop_free(ca, X509_free); return NULL; }
    fill_info(cert, &k->info);
    PKCS12_free(p12); EVP_PKEY_free(pkey); X509_free(cert); sk_X509_pop_free(ca, X509_free);

    k->key = xmlSecOpenSSLAppKeyLoadMemory(data, (xmlSecSize)len, xmlSecKeyDataFormatPkcs12, password, NULL, NULL);
    if (!k->key) {
        free(k);
        snprintf(err, errlen, "libxmlsec1 no pudo cargar el certificado");
        return NULL;
    }
    *code = 0;
    return k;
}

void cxs_key_free(cxs_key *key) {
    if (!key) return;
    if (key->key) xmlSecKeyDestroy(key->key);
    free(key);
}

int cxs_key_info(const cxs_key *key, cxs_cert_info *info) {
    if (!key) return -1;
    *info = key->info;
    return 0;
}

static xmlDocPtr parse(const uint8_t *xml, size_t len, char *err, size_t errlen) {
    if (!xml || len == 0 || len > 64u << 20) { snprintf(err, errlen, "Documento XML vacío o demasiado grande"); return NULL; }
    xmlDocPtr doc = xmlReadMemory((const char *)xml, (int)len, "doc.xml", NULL,
                                  XML_PARSE_NONET);
    if (!doc || !xmlDocGetRootElement(doc)) {
        if (doc) xmlFreeDoc(doc);
        snprintf(err, errlen, "El documento no es XML bien formado");
        return NULL;
    }
    return doc;
}

int cxs_sign(const cxs_key *key, const uint8_t *xml, size_t len, uint8_t **out, size_t *outlen, char *err, size_t errlen) {
    *out = NULL; *outlen = 0;
    if (ensure_init(err, errlen) != 0) return -1;
    if (!key || !key->key) { snprintf(err, errlen, "No hay certificado para firmar"); return -1; }
    xmlDocPtr doc = parse(xml, len, err, errlen);
    if (!doc) return -1;
    int rc = -1;
    xmlSecDSigCtxPtr ctx = NULL;
    xmlNodePtr node = xmlSecFindNode(xmlDocGetRootElement(doc), xmlSecNodeSignature, xmlSecDSigNs);
    if (!node) { snprintf(err, errlen, "El documento no tiene la plantilla de firma"); goto done; }
    ctx = xmlSecDSigCtxCreate(NULL);
    if (!ctx) { snprintf(err, errlen, "No se pudo crear el contexto de firma"); goto done; }
    ctx->signKey = xmlSecKeyDuplicate(key->key);
    if (!ctx->signKey) { snprintf(err, errlen, "No se pudo copiar la clave"); goto done; }
    if (xmlSecDSigCtxSign(ctx, node) < 0) { snprintf(err, errlen, "libxmlsec1 no pudo firmar el documento"); goto done; }
    xmlChar *buf = NULL; int size = 0;
    xmlDocDumpMemoryEnc(doc, &buf, &size, "UTF-8");
    if (!buf || size <= 0) { snprintf(err, errlen, "No se pudo escribir el documento firmado"); goto done; }
    *out = (uint8_t *)buf; *outlen = (size_t)size;
    rc = 0;
done:
    if (ctx) xmlSecDSigCtxDestroy(ctx);
    xmlFreeDoc(doc);
    return rc;
}

int cxs_verify(const uint8_t *xml, size_t len, char *err, size_t errlen) {
    if (ensure_init(err, errlen) != 0) return -1;
    xmlDocPtr doc = parse(xml, len, err, errlen);
    if (!doc) return -1;
    int rc = -1;
    xmlSecKeysMngrPtr mngr = NULL;
    xmlSecDSigCtxPtr ctx = NULL;
    xmlNodePtr node = xmlSecFindNode(xmlDocGetRootElement(doc), xmlSecNodeSignature, xmlSecDSigNs);
    if (!node) { snprintf(err, errlen, "El documento no está firmado"); goto done; }
    mngr = xmlSecKeysMngrCreate();
    if (!mngr || xmlSecOpenSSLAppDefaultKeysMngrInit(mngr) < 0) { snprintf(err, errlen, "No se pudo preparar la verificación"); goto done; }
    ctx = xmlSecDSigCtxCreate(mngr);
    if (!ctx) { snprintf(err, errlen, "No se pudo crear el contexto de verificación"); goto done; }
    /* Like `xmlsec1 --verify --insecure`: the embedded certificate is trusted as is. */
    ctx->keyInfoReadCtx.flags |= XMLSEC_KEYINFO_FLAGS_X509DATA_DONT_VERIFY_CERTS;
    if (xmlSecDSigCtxVerify(ctx, node) < 0) { snprintf(err, errlen, "No se pudo verificar la firma"); goto done; }
    if (ctx->status != xmlSecDSigStatusSucceeded) { snprintf(err, errlen, "La firma no corresponde al documento"); goto done; }
    rc = 0;
done:
    if (ctx) xmlSecDSigCtxDestroy(ctx);
    if (mngr) xmlSecKeysMngrDestroy(mngr);
    xmlFreeDoc(doc);
    return rc;
}

int cxs_make_test_pkcs12(const char *common_name, const char *organization, const char *password,
                         int64_t not_before, int64_t not_after, uint8_t **out, size_t *outlen, char *err, size_t errlen) {
    *out = NULL; *outlen = 0;
    int rc = -1;
    EVP_PKEY *pkey = EVP_RSA_gen(2048);
    X509 *cert = X509_new();
    PKCS12 *p12 = NULL;
    if (!pkey || !cert) { snprintf(err, errlen, "No se pudo generar la clave"); goto done; }
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), (long)(not_before & 0x7fffffff));
    ASN1_TIME_set(X509_getm_notBefore(cert), (time_t)not_before);
    ASN1_TIME_set(X509_getm_notAfter(cert), (time_t)not_after);
    X509_set_pubkey(cert, pkey);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, (const unsigned char *)"PE", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)organization, -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)common_name, -1, -1, 0);
    X509_set_issuer_name(cert, name);
    if (!X509_sign(cert, pkey, EVP_sha256())) { snprintf(err, errlen, "No se pudo firmar el certificado de prueba"); goto done; }
    p12 = PKCS12_create(password, common_name, pkey, cert, NULL, 0, 0, 0, 0, 0);
    if (!p12) { snprintf(err, errlen, "No se pudo crear el .pfx de prueba"); goto done; }
    unsigned char *der = NULL;
    int n = i2d_PKCS12(p12, &der);
    if (n <= 0 || !der) { snprintf(err, errlen, "No se pudo escribir el .pfx de prueba"); goto done; }
    *out = malloc((size_t)n);
    if (!*out) { OPENSSL_free(der); goto done; }
    memcpy(*out, der, (size_t)n);
    *outlen = (size_t)n;
    OPENSSL_free(der);
    rc = 0;
done:
    ERR_clear_error();
    PKCS12_free(p12); X509_free(cert); EVP_PKEY_free(pkey);
    return rc;
}

void cxs_free(void *p) { free(p); }
