/*
 * yaml_doc.h - a YAML text loaded with libyaml itself, for the unit tests
 * of what eksauth finds in a loaded document (test_yaml_shape.c,
 * test_awsauth_yaml_compat.c).
 */
#ifndef EKSAUTH_TEST_YAML_DOC_H
#define EKSAUTH_TEST_YAML_DOC_H

#include <yaml.h>

/* text's first document into doc (yaml_document_delete it); a YAML error fails the test. */
void yaml_doc_load(const char *text, yaml_document_t *doc);

#endif
