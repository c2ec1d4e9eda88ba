#ifndef KVALITET_CLIBPQ_SHIM_H
#define KVALITET_CLIBPQ_SHIM_H
// libpq, PostgreSQL's own client library (Debian: libpq-dev): the results store's PostgreSQL
// connection (Sources/KvalitetStore/PostgresDatabase.swift).
#include <libpq-fe.h>
#endif
