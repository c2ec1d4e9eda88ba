#ifndef KVALITET_CLIBCRYPTO_SHIM_H
#define KVALITET_CLIBCRYPTO_SHIM_H
// OpenSSL's libcrypto (Debian: libssl-dev, which libpq-dev depends on): SHA-256 of imported
// files (Sources/KvalitetStore/ContentHash.swift).
#include <openssl/evp.h>
#endif
