#ifndef KVALITET_CREADSTAT_SHIM_H
#define KVALITET_CREADSTAT_SHIM_H
// ReadStat (Debian: libreadstat-dev), Evan Miller's reader of SPSS files (.sav, .zsav): the SPSS
// reader (Sources/Kvalitet/Read/SPSSResponseReader.swift). It ships no pkg-config file, so this
// module map names the header and the library itself (both in the default search paths).
#include <readstat.h>
#endif
