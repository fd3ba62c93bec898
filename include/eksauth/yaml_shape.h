/*
 * yaml_shape.h - what in a YAML text or a libyaml document go-yaml (the
 * reader of kubectl and of the cluster) takes otherwise than libyaml, as
 * far as any reader of eksauth needs it: flow collections nested too deep
 * for libyaml to scan in reasonable time, explicit tags, merge keys.  What
 * each reader refuses, and its message, stays its own
 * (lib/awsauth_yaml_compat.c for aws-auth, lib/kubeconfig.c for a
 * kubeconfig).  Pure: text or a loaded document in.
 */
#ifndef EKSAUTH_YAML_SHAPE_H
#define EKSAUTH_YAML_SHAPE_H

#include <stddef.h>

#include <yaml.h>

#include "eksauth/status.h"

/*
 * The number of '[' and '{' in text[0..len), counted up to limit + 1 (it
 * may pass it): flow_deeper's sieve, shown so its test can hold its word
 * trick to the bytewise count.
 */
size_t eksauth_yaml_flow_opens(const char *text, size_t len, size_t limit);

/*
 * Whether text[0..len), before libyaml loads it, opens more than max flow
 * collections at once.  libyaml's scanner walks every open flow level at
 * each token, so its time grows with the depth times the tokens, where
 * go-yaml refuses past 10000 at once.  Read as events and stopped at the
 * first level past max; a text with at most max '[' and '{' cannot get
 * there and is not parsed.  A YAML error before the bound is left to the
 * load.  EKSAUTH_EINVAL with *at the mark of the collection past max,
 * EKSAUTH_ENOMEM, or EKSAUTH_OK.
 */
enum eksauth_status eksauth_yaml_flow_deeper(const char *text, size_t len, size_t max,
                                             yaml_mark_t *at);

/* n's explicit tag, or NULL: libyaml gives an untagged node (and "!!str", "!") its default. */
const char *eksauth_yaml_explicit_tag(const yaml_node_t *n);

/* The plain key "<<" of mapping map, which go-yaml reads as a merge key; or NULL. */
yaml_node_t *eksauth_yaml_merge_key(yaml_document_t *doc, const yaml_node_t *map);

#endif
