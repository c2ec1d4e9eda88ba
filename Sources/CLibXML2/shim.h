#ifndef KVALITET_CLIBXML2_SHIM_H
#define KVALITET_CLIBXML2_SHIM_H
// Debian's libxml2 headers include the system ICU when LIBXML_ICU_ENABLED is set, and that ICU
// clashes with Foundation's own copy ("'UErrorCode' has different definitions"). We never use
// libxml2's ICU API, so switch it off before the other headers see it.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>

// xmlFree is a global function pointer, which Swift 6 treats as shared mutable state.
static inline void kvalitet_xml_free(void *pointer) { xmlFree(pointer); }
#endif
