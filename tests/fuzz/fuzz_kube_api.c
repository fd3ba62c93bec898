/*
 * fuzz_kube_api.c - libFuzzer target: the readers of what the Kubernetes
 * and EKS APIs answer a sync and `eksauth login-name` (lib/kube.c,
 * lib/eks_api.c, lib/kube_review.c, lib/json_answer.c).  Byte 0 picks the
 * reader; the rest is the answer:
 *
 *   0 the ConfigMap of a GET       1 the ConfigMapList of a list
 *   2 one watch event              3 a watch stream, cut into lines
 *   4 a ListAccessEntries page     5 DescribeCluster
 *   6 a ListAssociatedAccessPolicies page
 *   7 DescribeAccessEntry, then the username the entry gives
 *   8 a SelfSubjectReview          9 a Status message, json_answer_read
 *
 * Promises checked (kube.h, eks_api.h, kube_review.h, json_answer.h): a
 * resourceVersion taken is one eksauth_kube_rv_valid passes (it goes back
 * into a query string); a ConfigMap handed on (list, event) is the
 * aws-auth one and re-reads as itself with the same version; a bookmark
 * has a version, an ERROR event a printable message; a stream fed in any
 * cut gives the same lines as fed whole, none holding a newline; a
 * nextToken and every ARN taken are visible ASCII that fit; counts stay
 * within their caps and are what the arrays hold; a mode is a known one;
 * the username of an entry fits its buffer and is the ARN or its role's
 * session ARN when EKS gives none; a SelfSubjectReview's username has no
 * control byte (login-name quotes it); a Status message is visible ASCII;
 * every refusal is one line; every reader is deterministic; and
 * everything frees cleanly (LeakSanitizer).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "eksauth/eks_api.h"
#include "eksauth/json_answer.h"
#include "eksauth/kube.h"
#include "eksauth/kube_review.h"
#include "eksauth/strlist.h"
#include "fuzz.h"

#define PRINCIPAL "arn:aws:iam::111122223333:role/ops"

static bool visible(const char *s)
{
    return s != NULL && eksauth_json_answer_visible(s, strlen(s));
}

/* A ConfigMap handed on re-reads as the aws-auth ConfigMap of that version. */
static void check_configmap(const char *object, size_t len, const char *rv)
{
    char again[EKSAUTH_KUBE_RV_MAX];
    struct eksauth_error err;

    FUZZ_ASSERT(object != NULL && len == strlen(object));
    FUZZ_ASSERT(eksauth_kube_rv_valid(rv));
    FUZZ_ASSERT(eksauth_kube_parse_configmap(object, len, again, sizeof(again), &err) ==
                EKSAUTH_OK);
    FUZZ_ASSERT(strcmp(again, rv) == 0);
}

static void read_configmap(const char *body, size_t len)
{
    char rv[EKSAUTH_KUBE_RV_MAX], rv2[EKSAUTH_KUBE_RV_MAX];
    struct eksauth_error err, e2;
    enum eksauth_status st = eksauth_kube_parse_configmap(body, len, rv, sizeof(rv), &err);

    FUZZ_ASSERT(eksauth_kube_parse_configmap(body, len, rv2, sizeof(rv2), &e2) == st);
    if (st == EKSAUTH_OK) {
        FUZZ_ASSERT(eksauth_kube_rv_valid(rv) && strcmp(rv, rv2) == 0);
    } else {
        fuzz_check_message(err.msg);
        FUZZ_ASSERT(rv[0] == '\0' || st == EKSAUTH_OK);
    }
    /* A version that does not fit is refused, never cut. */
    if (eksauth_kube_parse_configmap(body, len, rv2, 4, &e2) == EKSAUTH_OK)
        FUZZ_ASSERT(st == EKSAUTH_OK && strcmp(rv, rv2) == 0);
}

static void read_list(const char *body, size_t len)
{
    char rv[EKSAUTH_KUBE_RV_MAX], list_rv[EKSAUTH_KUBE_RV_MAX], *object = NULL;
    size_t object_len = 0;
    struct eksauth_error err;
    enum eksauth_status st = eksauth_kube_parse_list(body, len, &object, &object_len, rv,
                                                     sizeof(rv), list_rv, sizeof(list_rv), &err);

    if (st == EKSAUTH_OK) {
        FUZZ_ASSERT(eksauth_kube_rv_valid(list_rv));
        if (object != NULL)
            check_configmap(object, object_len, rv);
        else
            FUZZ_ASSERT(object_len == 0 && rv[0] == '\0');
    } else {
        fuzz_check_message(err.msg);
        FUZZ_ASSERT(object == NULL && object_len == 0);
    }
    free(object);
}

static void check_event(enum eksauth_status st, const struct eksauth_kube_event *ev,
                        const struct eksauth_error *err)
{
    if (st != EKSAUTH_OK) {
        fuzz_check_message(err->msg);
        FUZZ_ASSERT(ev->object == NULL && ev->rv[0] == '\0');
        return;
    }
    switch (ev->type) {
    case EKSAUTH_KUBE_ADDED:
    case EKSAUTH_KUBE_MODIFIED:
    case EKSAUTH_KUBE_DELETED:
        check_configmap(ev->object, ev->object_len, ev->rv);
        break;
    case EKSAUTH_KUBE_BOOKMARK:
        FUZZ_ASSERT(ev->object == NULL && eksauth_kube_rv_valid(ev->rv));
        break;
    case EKSAUTH_KUBE_ERROR:
        FUZZ_ASSERT(ev->object == NULL && ev->rv[0] == '\0');
        FUZZ_ASSERT(memchr(ev->message, '\0', sizeof(ev->message)) != NULL);
        FUZZ_ASSERT(eksauth_json_answer_visible(ev->message, strlen(ev->message)));
        break;
    default:
        FUZZ_ASSERT(!"an event of no known type");
    }
}

static void read_event(const char *line, size_t len)
{
    struct eksauth_kube_event ev, ev2;
    struct eksauth_error err, e2;
    enum eksauth_status st = eksauth_kube_parse_event(line, len, &ev, &err);

    check_event(st, &ev, &err);
    FUZZ_ASSERT(eksauth_kube_parse_event(line, len, &ev2, &e2) == st);
    FUZZ_ASSERT(ev.type == ev2.type && ev.code == ev2.code && strcmp(ev.rv, ev2.rv) == 0 &&
                strcmp(ev.message, ev2.message) == 0);
    eksauth_kube_event_free(&ev);
    eksauth_kube_event_free(&ev2);
}

/* The lines of a stream, each as a 4-byte length and its bytes. */
struct lines_seen {
    uint8_t *buf;
    size_t len, cap;
    size_t n;
};

static int on_line(void *ctx, const char *line, size_t len)
{
    struct lines_seen *s = ctx;
    struct eksauth_kube_event ev;
    struct eksauth_error err;

    FUZZ_ASSERT(memchr(line, '\n', len) == NULL);
    if (s->len + 4 + len > s->cap) {
        size_t cap = (s->len + 4 + len) * 2;
        uint8_t *grown = realloc(s->buf, cap);

        if (grown == NULL)
            abort();
        s->buf = grown;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, &len, 4);
    memcpy(s->buf + s->len + 4, line, len);
    s->len += 4 + len;
    s->n++;
    /* What the watch does with each line. */
    check_event(eksauth_kube_parse_event(line, len, &ev, &err), &ev, &err);
    eksauth_kube_event_free(&ev);
    return 0;
}

/*
 * Byte 0 of the stream seeds the cuts (1 to 64 bytes each, at times none);
 * the rest is fed whole, then in those pieces.
 */
static void read_stream(const uint8_t *data, size_t size)
{
    struct eksauth_kube_lines whole = {0}, cut = {0};
    struct lines_seen a = {0}, b = {0};
    uint32_t seed;
    size_t at = 0;

    if (size < 1)
        return;
    seed = data[0] * 2654435761u + 1;
    data++;
    size--;
    FUZZ_ASSERT(eksauth_kube_lines_feed(&whole, (const char *)data, size, on_line, &a) == 0);
    while (at < size) {
        size_t n;

        seed = seed * 1103515245u + 12345u;
        n = (seed >> 16) % 65;
        if (n > size - at)
            n = size - at;
        FUZZ_ASSERT(eksauth_kube_lines_feed(&cut, (const char *)data + at, n, on_line, &b) == 0);
        at += n;
    }
    FUZZ_ASSERT(a.n == b.n && a.len == b.len && (a.len == 0 || memcmp(a.buf, b.buf, a.len) == 0));
    /* What is left after the last newline waits in both, alike. */
    FUZZ_ASSERT(whole.len == cut.len && (cut.len == 0 || memcmp(whole.buf, cut.buf, cut.len) == 0));
    eksauth_kube_lines_free(&whole);
    eksauth_kube_lines_free(&cut);
    free(a.buf);
    free(b.buf);
}

static void read_entries(const char *body, size_t len)
{
    char **arns = NULL, next[1024], next2[1024];
    size_t n = 0, first;
    struct eksauth_error err;
    enum eksauth_status st = eksauth_eks_parse_list(body, len, &arns, &n, next, sizeof(next), &err);

    if (st != EKSAUTH_OK) {
        fuzz_check_message(err.msg);
        goto out;
    }
    FUZZ_ASSERT(n <= EKSAUTH_EKS_MAX_ENTRIES);
    for (size_t i = 0; i < n; i++)
        FUZZ_ASSERT(visible(arns[i]) && arns[i][0] != '\0' && strlen(arns[i]) < 2048);
    FUZZ_ASSERT(visible(next) || next[0] == '\0');
    /* A second page appends to the first. */
    first = n;
    st = eksauth_eks_parse_list(body, len, &arns, &n, next2, sizeof(next2), &err);
    if (st == EKSAUTH_OK) {
        FUZZ_ASSERT(n == 2 * first && n <= EKSAUTH_EKS_MAX_ENTRIES && strcmp(next, next2) == 0);
        for (size_t i = 0; i < first; i++)
            FUZZ_ASSERT(strcmp(arns[i], arns[first + i]) == 0);
    } else {
        fuzz_check_message(err.msg);
        FUZZ_ASSERT(2 * first > EKSAUTH_EKS_MAX_ENTRIES);
    }
out:
    eksauth_strv_free(arns, n);
}

static void read_cluster(const char *body, size_t len)
{
    enum eksauth_auth_mode mode, mode2;
    struct eksauth_error err, e2;
    char arn[64];
    enum eksauth_status st = eksauth_eks_parse_cluster(body, len, &mode, arn, sizeof(arn), &err);

    FUZZ_ASSERT(eksauth_eks_parse_cluster(body, len, &mode2, NULL, 0, &e2) == st);
    FUZZ_ASSERT(arn[0] == '\0' || strncmp(arn, "arn:", 4) == 0);
    if (st == EKSAUTH_OK)
        FUZZ_ASSERT(strcmp(eksauth_auth_mode_name(mode), "unknown") != 0 && mode == mode2);
    else
        fuzz_check_message(err.msg);
}

static void read_policies(const char *body, size_t len)
{
    struct eksauth_access_entry e = {0};
    char next[1024];
    struct eksauth_error err;
    enum eksauth_status st;

    e.principal_arn = strdup(PRINCIPAL);
    if (e.principal_arn == NULL)
        return;
    st = eksauth_eks_parse_policies(body, len, &e, next, sizeof(next), &err);
    if (st == EKSAUTH_OK) {
        FUZZ_ASSERT(e.n_policies <= EKSAUTH_EKS_MAX_POLICIES);
        for (size_t i = 0; i < e.n_policies; i++) {
            const struct eksauth_access_policy *p = &e.policies[i];

            FUZZ_ASSERT(visible(p->arn) && strlen(p->arn) < 2048);
            FUZZ_ASSERT(!p->cluster_scope || p->n_namespaces == 0);
            for (size_t j = 0; j < p->n_namespaces; j++)
                FUZZ_ASSERT(p->namespaces[j] != NULL);
        }
        FUZZ_ASSERT(visible(next) || next[0] == '\0');
    } else {
        fuzz_check_message(err.msg);
    }
    eksauth_access_entry_free(&e);
}

static void read_describe(const char *body, size_t len)
{
    struct eksauth_access_entry e;
    struct eksauth_error err;
    char name[2048];
    enum eksauth_status st = eksauth_eks_parse_describe(body, len, &e, &err);

    if (st != EKSAUTH_OK) {
        fuzz_check_message(err.msg);
        FUZZ_ASSERT(e.principal_arn == NULL && e.groups == NULL && e.n_groups == 0);
        return;
    }
    FUZZ_ASSERT(visible(e.principal_arn));
    FUZZ_ASSERT(e.n_groups == 0 || e.groups != NULL);
    for (size_t i = 0; i < e.n_groups; i++)
        FUZZ_ASSERT(e.groups[i] != NULL);
    st = eksauth_access_entry_username(&e, name, sizeof(name), &err);
    if (st == EKSAUTH_OK) {
        FUZZ_ASSERT(memchr(name, '\0', sizeof(name)) != NULL);
        if (e.username != NULL && e.username[0] != '\0')
            FUZZ_ASSERT(strcmp(name, e.username) == 0);
        else
            FUZZ_ASSERT(strcmp(name, e.principal_arn) == 0 ||
                        (strncmp(name, "arn:", 4) == 0 && strstr(name, ":assumed-role/") != NULL &&
                         strstr(name, "/{{SessionName}}") != NULL));
    } else {
        fuzz_check_message(err.msg);
    }
    eksauth_access_entry_free(&e);
}

static void read_review(const char *body, size_t len)
{
    struct eksauth_kube_user u;
    struct eksauth_error err;
    enum eksauth_status st = eksauth_kube_parse_review(body, len, &u, &err);

    if (st == EKSAUTH_OK) {
        FUZZ_ASSERT(u.username != NULL && u.username[0] != '\0');
        for (size_t i = 0; u.username[i] != '\0'; i++)
            FUZZ_ASSERT((unsigned char)u.username[i] >= 0x20 && u.username[i] != 0x7f);
        FUZZ_ASSERT(u.n_groups == 0 || u.groups != NULL);
        for (size_t i = 0; i < u.n_groups; i++)
            FUZZ_ASSERT(u.groups[i] != NULL);
    } else {
        fuzz_check_message(err.msg);
        FUZZ_ASSERT(u.username == NULL && u.groups == NULL && u.arn == NULL);
    }
    eksauth_kube_user_free(&u);
}

/*
 * Whether two read answers say the same: the same shape, keys and strings,
 * and an integer read as an integer keeps its value (a Status code); other
 * numbers stay numbers, but their text and even their value may change.
 * json-c prints a number as the text it read, reads the malformed "041e" as
 * the double 041 (the 'e' dropped), whose text "041" reads back as the
 * integer 41, and clamps an integer past 64 bits, so "1000...0e" (a double
 * past 2^64) prints as digits that read back as 2^64 - 1.  Nothing eksauth
 * takes from an answer is such a number (docs/token-rules.md).
 */
static bool same_answer(struct json_object *a, struct json_object *b)
{
    enum json_type ta = json_object_get_type(a), tb = json_object_get_type(b);

    if (ta == json_type_int && tb == json_type_int)
        return json_object_get_int64(a) == json_object_get_int64(b) &&
               json_object_get_uint64(a) == json_object_get_uint64(b);
    if ((ta == json_type_int || ta == json_type_double) &&
        (tb == json_type_int || tb == json_type_double))
        return true;
    if (ta != tb)
        return false;
    switch (ta) {
    case json_type_object:
        if (json_object_object_length(a) != json_object_object_length(b))
            return false;
        json_object_object_foreach(a, key, va)
        {
            struct json_object *vb = NULL;

            if (!json_object_object_get_ex(b, key, &vb) || !same_answer(va, vb))
                return false;
        }
        return true;
    case json_type_array:
        if (json_object_array_length(a) != json_object_array_length(b))
            return false;
        for (size_t i = 0; i < json_object_array_length(a); i++) {
            if (!same_answer(json_object_array_get_idx(a, i), json_object_array_get_idx(b, i)))
                return false;
        }
        return true;
    case json_type_string:
        return json_object_get_string_len(a) == json_object_get_string_len(b) &&
               memcmp(json_object_get_string(a), json_object_get_string(b),
                      (size_t)json_object_get_string_len(a)) == 0;
    case json_type_boolean:
        return json_object_get_boolean(a) == json_object_get_boolean(b);
    default:
        return true; /* null */
    }
}

/* text and a newline, read again: json-c reads a number at the very end as cut short. */
static struct json_object *read_printed(const char *text)
{
    const char *why = NULL;
    struct json_object *o;
    char *line = malloc(strlen(text) + 2);

    if (line == NULL)
        abort();
    memcpy(line, text, strlen(text));
    memcpy(line + strlen(text), "\n", 2);
    o = eksauth_json_answer_read(line, strlen(text) + 1, SIZE_MAX, 8, &why);
    free(line);
    return o;
}

/*
 * A Status message, and the JSON reader itself: what it accepts prints and
 * reads again as the same answer, and after one round its text is fixed.
 */
static void read_answer(const char *body, size_t len)
{
    char msg[200];
    const char *why = NULL, *text, *again_text, *third_text;
    struct json_object *o, *again, *third;

    eksauth_kube_status_message(body, len, msg, sizeof(msg));
    FUZZ_ASSERT(strlen(msg) < 160 && eksauth_json_answer_visible(msg, strlen(msg)));
    o = eksauth_json_answer_read(body, len, 64 * 1024, 8, &why);
    if (o == NULL) {
        FUZZ_ASSERT(why != NULL);
        FUZZ_ASSERT(strcmp(why, "not JSON") == 0 || strcmp(why, "truncated JSON") == 0 ||
                    strcmp(why, "a string holding \\u0000") == 0);
        return;
    }
    text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    FUZZ_ASSERT(text != NULL);
    again = read_printed(text);
    FUZZ_ASSERT(again != NULL && same_answer(o, again));
    again_text = json_object_to_json_string_ext(again, JSON_C_TO_STRING_PLAIN);
    FUZZ_ASSERT(again_text != NULL);
    third = read_printed(again_text);
    FUZZ_ASSERT(third != NULL);
    third_text = json_object_to_json_string_ext(third, JSON_C_TO_STRING_PLAIN);
    FUZZ_ASSERT(third_text != NULL && strcmp(again_text, third_text) == 0);
    json_object_put(third);
    json_object_put(again);
    json_object_put(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body;

    if (size < 1)
        return 0;
    body = fuzz_dup(data + 1, size - 1);
    if (body == NULL)
        return 0;
    switch (data[0] % 10) {
    case 0:
        read_configmap(body, size - 1);
        break;
    case 1:
        read_list(body, size - 1);
        break;
    case 2:
        read_event(body, size - 1);
        break;
    case 3:
        read_stream(data + 1, size - 1);
        break;
    case 4:
        read_entries(body, size - 1);
        break;
    case 5:
        read_cluster(body, size - 1);
        break;
    case 6:
        read_policies(body, size - 1);
        break;
    case 7:
        read_describe(body, size - 1);
        break;
    case 8:
        read_review(body, size - 1);
        break;
    default:
        read_answer(body, size - 1);
        break;
    }
    free(body);
    return 0;
}
