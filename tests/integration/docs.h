/* Test documents built from examples/documents/TYPE.json with members replaced. */
#ifndef XD_TEST_DOCS_H
#define XD_TEST_DOCS_H

#include <stddef.h>

#include <jansson.h>

/* The example of <type>, without its correlation_id, with top-level string members replaced: pairs
 * of name, value, NULL-terminated ("po_number", "PO-1", NULL). A value of NULL removes the member.
 * Returns compact JSON (free with free()) or NULL. */
char *doc_example(const char *type, ...);
/* Parse JSON text (aborting the test on failure is the caller's job). */
json_t *doc_parse(const char *text);

#endif
