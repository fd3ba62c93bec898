/*
 * awsauth_dump.c - a test helper for tests/integration/awsauth_kubectl.sh:
 * what eksauth reads from many aws-auth documents, one process for all.
 *
 * Reads records "LENGTH\n<LENGTH bytes>" from stdin, each a whole aws-auth
 * ConfigMap (JSON or YAML), parses each with eksauth_awsauth_parse and
 * prints one JSON line each:
 *
 *   {"status": 0, "map": {KEY: {"username", "groups"} or null, ...},
 *    "warnings": [...], "dropped": [{"why", "cluster_reads"}...],
 *    "ignored": [{"key", "why", "holds"}...]}
 *   {"status": N, "err": MESSAGE}          the document refused whole
 *
 * map holds every mapRoles and mapUsers entry by its lookup key, with what
 * the lookup of that key gives (null: the key maps by nothing, an ignored
 * entry holding it).  Exit 0 at the end of input, 1 on a short record.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "eksauth/awsauth.h"

static json_object *entry_json(const struct eksauth_awsauth_entry *e)
{
    json_object *o = json_object_new_object(), *groups = json_object_new_array();
    size_t k;

    json_object_object_add(o, "username", json_object_new_string(e->username ? e->username : ""));
    for (k = 0; k < e->n_groups; k++)
        json_object_array_add(groups, json_object_new_string(e->groups[k]));
    json_object_object_add(o, "groups", groups);
    return o;
}

static json_object *parsed_json(const struct eksauth_awsauth *aa)
{
    json_object *o = json_object_new_object(), *map = json_object_new_object();
    json_object *warnings = json_object_new_array(), *dropped = json_object_new_array();
    json_object *ignored = json_object_new_array();
    size_t i;

    json_object_object_add(o, "status", json_object_new_int(0));
    for (i = 0; i < eksauth_awsauth_count(aa); i++) {
        const struct eksauth_awsauth_entry *e = eksauth_awsauth_entry_at(aa, i), *l;

        if (e->source == EKSAUTH_SRC_MAPACCOUNTS)
            continue;
        /* The lookup, not the entry: a later duplicate or a holding ignored entry wins. */
        l = eksauth_awsauth_lookup(aa, e->key, NULL);
        json_object_object_add(map, e->key, l ? entry_json(l) : NULL);
    }
    for (i = 0; i < eksauth_awsauth_warning_count(aa); i++)
        json_object_array_add(warnings, json_object_new_string(eksauth_awsauth_warning_at(aa, i)));
    for (i = 0; i < eksauth_awsauth_dropped_count(aa); i++) {
        json_object *d = json_object_new_object();

        json_object_object_add(d, "why", json_object_new_string(eksauth_awsauth_dropped_at(aa, i)));
        json_object_object_add(
            d, "cluster_reads",
            json_object_new_boolean(eksauth_awsauth_dropped_cluster_reads(aa, i)));
        json_object_array_add(dropped, d);
    }
    for (i = 0; i < eksauth_awsauth_ignored_count(aa); i++) {
        const struct eksauth_awsauth_entry *e = eksauth_awsauth_ignored_at(aa, i);
        json_object *d = json_object_new_object();

        json_object_object_add(d, "key", json_object_new_string(e->key ? e->key : ""));
        json_object_object_add(d, "why", json_object_new_string(e->ignored ? e->ignored : ""));
        json_object_object_add(d, "holds", json_object_new_boolean(eksauth_awsauth_entry_holds(e)));
        json_object_array_add(ignored, d);
    }
    json_object_object_add(o, "map", map);
    json_object_object_add(o, "warnings", warnings);
    json_object_object_add(o, "dropped", dropped);
    json_object_object_add(o, "ignored", ignored);
    return o;
}

int main(void)
{
    size_t len;
    int rc = 0;

    while (scanf("%zu", &len) == 1) {
        struct eksauth_awsauth *aa = NULL;
        struct eksauth_error err;
        json_object *o;
        char *buf;

        if (getchar() != '\n' || (buf = malloc(len + 1)) == NULL) {
            rc = 1;
            break;
        }
        if (fread(buf, 1, len, stdin) != len) {
            free(buf);
            rc = 1;
            break;
        }
        buf[len] = '\0';
        memset(&err, 0, sizeof(err));
        if (eksauth_awsauth_parse(buf, len, &aa, &err) == EKSAUTH_OK) {
            o = parsed_json(aa);
        } else {
            o = json_object_new_object();
            json_object_object_add(o, "status", json_object_new_int(1));
            json_object_object_add(o, "err", json_object_new_string(err.msg));
        }
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
        eksauth_awsauth_free(aa);
        free(buf);
    }
    if (fflush(stdout) != 0)
        rc = 1;
    return rc;
}
