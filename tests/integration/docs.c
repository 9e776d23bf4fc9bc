/* Test documents built from the examples in the repository. */
#include "docs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "hub.h"

char *doc_example(const char *type, ...)
{
    char rel[256];
    snprintf(rel, sizeof rel, "examples/documents/%s.json", type);
    char *text = test_read_src_file(rel, NULL);
    if (text == NULL) {
        return NULL;
    }
    json_error_t e;
    json_t *j = json_loads(text, JSON_PRESERVE_ORDER, &e);
    free(text);
    if (j == NULL) {
        return NULL;
    }
    /* The examples name their thread; tests start from unthreaded documents. */
    json_object_del(j, "correlation_id");
    va_list ap;
    va_start(ap, type);
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        if (value == NULL) {
            json_object_del(j, name);
        } else {
            json_object_set_new(j, name, json_string(value));
        }
    }
    va_end(ap);
    char *out = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    return out;
}

json_t *doc_parse(const char *text)
{
    json_error_t e;
    return json_loads(text, 0, &e);
}
