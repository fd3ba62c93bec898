/*
 * yaml_doc.c - a YAML text loaded with libyaml itself (see yaml_doc.h).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <yaml.h>

#include "yaml_doc.h"

void yaml_doc_load(const char *text, yaml_document_t *doc)
{
    yaml_parser_t p;

    assert_true(yaml_parser_initialize(&p));
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    if (!yaml_parser_load(&p, doc))
        fail_msg("libyaml: %s", p.problem != NULL ? p.problem : "error");
    yaml_parser_delete(&p);
}
