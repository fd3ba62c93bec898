/*
 * yaml_shape.c - what go-yaml takes otherwise than libyaml, for every
 * reader of YAML in eksauth (see yaml_shape.h).
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <yaml.h>

#include "eksauth/yaml_shape.h"

/* Sixteen bytes, one lane each: the compiler's vectors (SSE2 on x86-64, NEON on arm64). */
typedef unsigned char flow_lanes __attribute__((vector_size(16)));

/*
 * Sixteen bytes a step (every aws-auth is counted twice, whole): a lane
 * comparison gives -1 where a byte is '[' or '{', subtracted into a
 * counter a lane; the lanes are summed every 255 steps, before one could
 * wrap.  Bytes of 0x80 or more compare as themselves (unsigned lanes).
 */
size_t eksauth_yaml_flow_opens(const char *text, size_t len, size_t limit)
{
    flow_lanes w, count;
    size_t i = 0, n = 0, k, steps;

    while (i + 16 <= len && n <= limit) {
        memset(&count, 0, sizeof(count));
        for (steps = 0; steps < 255 && i + 16 <= len; steps++, i += 16) {
            memcpy(&w, text + i, 16);
            count -= (flow_lanes)((w == '[') | (w == '{'));
        }
        for (k = 0; k < 16; k++)
            n += count[k];
    }
    for (; i < len && n <= limit; i++)
        n += text[i] == '[' || text[i] == '{';
    return n;
}

/* Whether event ev opens a flow collection, given flow already open (they nest only flow ones). */
static bool opens_flow(const yaml_event_t *ev, size_t flow)
{
    if (ev->type == YAML_SEQUENCE_START_EVENT)
        return flow > 0 || ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
    if (ev->type == YAML_MAPPING_START_EVENT)
        return flow > 0 || ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
    return false;
}

enum eksauth_status eksauth_yaml_flow_deeper(const char *text, size_t len, size_t max,
                                             yaml_mark_t *at)
{
    yaml_parser_t yp;
    yaml_event_t ev;
    size_t flow = 0;
    enum eksauth_status st = EKSAUTH_OK;
    bool end = false;

    /* Most texts: too few brackets to nest that deep, and no second parse. */
    if (eksauth_yaml_flow_opens(text, len, max) <= max)
        return EKSAUTH_OK;
    if (!yaml_parser_initialize(&yp))
        return EKSAUTH_ENOMEM;
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
    /* Events, not a load: stopped at the first level past the bound, as go-yaml stops. */
    while (!end && st == EKSAUTH_OK) {
        if (!yaml_parser_parse(&yp, &ev)) {
            /* A YAML error before the bound: the load that follows says it. */
            st = yp.error == YAML_MEMORY_ERROR ? EKSAUTH_ENOMEM : EKSAUTH_OK;
            break;
        }
        if (opens_flow(&ev, flow))
            flow++;
        else if ((ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) &&
                 flow > 0)
            flow--;
        end = ev.type == YAML_STREAM_END_EVENT;
        if (flow > max) {
            *at = ev.start_mark;
            st = EKSAUTH_EINVAL;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&yp);
    return st;
}

const char *eksauth_yaml_explicit_tag(const yaml_node_t *n)
{
    const char *tag = (const char *)n->tag, *dflt;

    dflt = n->type == YAML_SCALAR_NODE     ? YAML_DEFAULT_SCALAR_TAG
           : n->type == YAML_SEQUENCE_NODE ? YAML_DEFAULT_SEQUENCE_TAG
                                           : YAML_DEFAULT_MAPPING_TAG;
    return tag != NULL && strcmp(tag, dflt) != 0 ? tag : NULL;
}

yaml_node_t *eksauth_yaml_merge_key(yaml_document_t *doc, const yaml_node_t *map)
{
    yaml_node_pair_t *pair;
    yaml_node_t *key;

    for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
        key = yaml_document_get_node(doc, pair->key);
        if (key != NULL && key->type == YAML_SCALAR_NODE &&
            key->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && key->data.scalar.length == 2 &&
            memcmp(key->data.scalar.value, "<<", 2) == 0)
            return key;
    }
    return NULL;
}
