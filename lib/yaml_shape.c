/*
 * yaml_shape.c - what go-yaml takes otherwise than libyaml, for every
 * reader of YAML in eksauth (see yaml_shape.h).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <yaml.h>

#include "eksauth/yaml_shape.h"

/*
 * Eight bytes a step (every aws-auth is counted twice, whole): '[' (0x5b)
 * and '{' (0x7b) are the only bytes that OR 0x20 makes 0x7b, so XOR 0x7b
 * makes exactly them zero; (b & 0x7f) + 0x7f sets a byte's top bit unless
 * its low seven bits are zero, without a carry into the next byte, and
 * OR b sets it for a byte of 0x80 or more, so the top bits left after the
 * NOT are exactly the zero bytes, summed by the multiply.
 */
size_t eksauth_yaml_flow_opens(const char *text, size_t len, size_t limit)
{
    const uint64_t ones = 0x0101010101010101ull, low7 = ones * 0x7f;
    uint64_t w;
    size_t i = 0, n = 0;

    for (; i + 8 <= len && n <= limit; i += 8) {
        memcpy(&w, text + i, 8);
        w = (w | ones * 0x20) ^ (ones * 0x7b);
        w = ~(((w & low7) + low7) | w | low7);
        n += (size_t)(((w >> 7) * ones) >> 56);
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
