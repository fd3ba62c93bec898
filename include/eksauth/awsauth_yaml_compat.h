/*
 * awsauth_yaml_compat.h - the YAML the cluster reads otherwise: what in an
 * aws-auth document the cluster's YAML reader (go-yaml v2, then the
 * YAML-to-JSON step of its ConfigMap decoding) fails on or reads otherwise
 * than libyaml, found in a libyaml document so that awsauth_read.h can
 * refuse it (docs/aws-auth.md).  Pure: a loaded document in, a reason and
 * the node it is about out.
 */
#ifndef EKSAUTH_AWSAUTH_YAML_COMPAT_H
#define EKSAUTH_AWSAUTH_YAML_COMPAT_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "eksauth/status.h"

/* What the cluster reads otherwise, and where: the node to point at (or, before a load, mark). */
struct eksauth_awsauth_yaml_refusal {
    const yaml_node_t *node;
    yaml_mark_t mark; /* where, when node is NULL */
    char why[EKSAUTH_ERROR_MAX];
    bool cluster_reads; /* eksauth_awsauth_yaml_unread: go-yaml reads it all the same (a local tag)
                         */
    /*
     * eksauth_awsauth_yaml_unread: go-yaml reads it all the same into a list
     * of strings, as the cluster reads mapAccounts (a core tag: the text
     * written, !!binary decoded; a merge key: its mapping item skipped).
     */
    bool strings_read;
};

/*
 * Whether text[0..len), before libyaml loads it, opens more than 10000 flow
 * collections at once: go-yaml's scanner refuses that as it reaches it,
 * while libyaml's scans on in time quadratic in the depth (its simple-key
 * bookkeeping walks every open flow level at each token: hours for a
 * value within EKSAUTH_AWSAUTH_MAX).  Asked first, it bounds the time to
 * what 10000 levels take.  A text with at most 10000 '[' and '{' cannot
 * reach the bound and is not parsed; a YAML error is left to the load.
 * EKSAUTH_EINVAL with *r set (node NULL, mark: the collection past the
 * bound), EKSAUTH_ENOMEM, or EKSAUTH_OK.
 */
enum eksauth_status eksauth_awsauth_yaml_flow_too_deep(const char *text, size_t len,
                                                       struct eksauth_awsauth_yaml_refusal *r);

/*
 * Whether yp's error on text[0..len) is one that libyaml 0.2.5 makes where
 * go-yaml reads on, so that the cluster reads the value: the escape \' in
 * a double-quoted scalar (go-yaml reads '), a plain scalar ending in ':'
 * just before ',', ']' or '}' inside a flow collection (go-yaml keeps the
 * ':' as its last character), or an anchor given twice (go-yaml lets the
 * later one replace the earlier).  Then what to write instead; else NULL.
 */
const char *eksauth_awsauth_yaml_libyaml_only(const yaml_parser_t *yp, const char *text,
                                              size_t len);

/*
 * The byte of text[0..len) at libyaml's mark index idx, which counts
 * characters (a UTF-8 one of several bytes counts one, a BOM none); len
 * when idx is past the end.  Linear in idx.
 */
size_t eksauth_awsauth_yaml_byte_offset(const char *text, size_t len, size_t idx);

/* How each of those answers begins: the mark of a value the cluster reads (awsauth.h). */
#define EKSAUTH_AWSAUTH_CLUSTER_READS "go-yaml, the cluster's YAML reader, reads "

/*
 * What go-yaml reads its own way and eksauth does not, anywhere in doc: a
 * %YAML directive other than 1.1 (node: the root), an explicit tag, a
 * merge key "<<".  EKSAUTH_EINVAL with *r set (r->cluster_reads for a
 * local tag, "!x": go-yaml reads its node as if untagged; r->strings_read
 * for any tag or merge key); EKSAUTH_OK when
 * there is none.  doc has a root node.
 *
 * First, in the same walk, refused or not: each plain scalar of doc that
 * go-yaml reads as a string for its tag "!" or "!!str" ("! 12", "!!str
 * on", "! ~"), or for a local tag ("!x +.inf", which is refused all the
 * same), is made to read as one here: libyaml's loader gives it its
 * default tag, so only the text shows the tag, and eksauth's rules would
 * take its look (null, a boolean, a number: awsauth_rules.h).  Such a
 * scalar becomes single-quoted, which every rule reads as the string it
 * is.  "<<" stays plain (a merge key to go-yaml after "!": refused).
 * text[0..len) is the text doc was loaded from.  Linear in the document.
 */
enum eksauth_status eksauth_awsauth_yaml_unread(yaml_document_t *doc, const char *text, size_t len,
                                                struct eksauth_awsauth_yaml_refusal *r);

/*
 * What the cluster's reading of the value under root (a list of doc)
 * fails on, so that it drops the value whole: collections nested deeper
 * than go-yaml's scanner takes, plain scalars it scans into an error, and
 * when text is not NULL (text[0..len): the text doc was parsed from, when
 * it is the very text the cluster parses: a ConfigMap's value) the escape
 * \/.  When decoded (mapRoles, mapUsers: decoded whole and turned into
 * JSON) also an alias inside the node it names, aliases expanding past
 * 100 nodes, an infinity or NaN, and a key that is null, a list, a mapping
 * or an unsigned integer above int64.  EKSAUTH_EINVAL with *r set
 * ("<what>: the cluster's reading fails on it and drops the whole value"),
 * EKSAUTH_ENOMEM, or EKSAUTH_OK.  Linear in the document.
 */
enum eksauth_status eksauth_awsauth_yaml_cluster_fails(yaml_document_t *doc, yaml_node_t *root,
                                                       const char *text, size_t len, bool decoded,
                                                       struct eksauth_awsauth_yaml_refusal *r);

#endif
