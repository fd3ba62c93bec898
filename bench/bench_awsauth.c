/*
 * bench_awsauth.c - how fast aws-auth parses and looks up, each next to a
 * baseline measured in the same run (bench/README.md's targets: parse of a 10,000-entry
 * aws-auth <= 50 ms, lookup <= 1 us).
 *
 *   parse:  eksauth_awsauth_parse of a generated ConfigMap with 10,000
 *           mapRoles entries, vs libyaml alone loading the same bytes (the
 *           ConfigMap, then the mapRoles string): the floor for any parser
 *           built on libyaml.
 *   lookup: eksauth_awsauth_lookup of each entry's key, vs a bare
 *           open-addressing table of the same keys with precomputed FNV-1a
 *           hashes (hash the query, probe, strcmp).
 *   map:    eksauth_awsauth_map of an assumed-role principal: canonicalise
 *           the ARN, look it up, render and copy username and groups.
 *
 * Prints the ROW lines of row 2 (bench/common.h); asserts nothing (the unit
 * tests check correctness).  Three more modes serve row 5 (bench/run.sh):
 *   bench_awsauth write FILE [N]  write the generated ConfigMap of N entries
 *                                 (10,000 unless given) to FILE
 *   bench_awsauth yaml FILE       read FILE and load it with libyaml alone
 *                                 (row 5's baseline: the floor for any sync)
 *   bench_awsauth parse FILE      read and parse FILE once (eksauth's parser)
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yaml.h>

#include "eksauth/awsauth.h"

#include "awsauth_big.h"
#include "common.h"

#define N_ENTRIES     10000
#define PARSE_RUNS    15
#define LOOKUP_ROUNDS 200
#define MAP_ROUNDS    20

/*
 * The ConfigMap (tests/lib/awsauth_big.h): roles without a path (an entry
 * naming one is kept out, as the cluster never matches it: docs/aws-auth.md),
 * a template-free username, two groups, over 13 accounts.
 */
#define N_ACCOUNTS 13

static char *make_configmap(size_t n, size_t *len)
{
    return awsauth_big_configmap(n, N_ACCOUNTS, len);
}

/*
 * libyaml alone: load the ConfigMap, then load its mapRoles string; true
 * when that string holds more than min_nodes nodes (it was all read).
 */
static int yaml_floor(const char *text, size_t len, size_t min_nodes)
{
    yaml_parser_t p;
    yaml_document_t doc, inner;
    yaml_node_t *root, *data = NULL, *roles = NULL, *k;
    yaml_node_pair_t *pair;
    int ok = 0;

    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, &doc)) {
        yaml_parser_delete(&p);
        return 0;
    }
    root = yaml_document_get_root_node(&doc);
    for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
        k = yaml_document_get_node(&doc, pair->key);
        if (strcmp((const char *)k->data.scalar.value, "data") == 0)
            data = yaml_document_get_node(&doc, pair->value);
    }
    for (pair = data->data.mapping.pairs.start; pair < data->data.mapping.pairs.top; pair++) {
        k = yaml_document_get_node(&doc, pair->key);
        if (strcmp((const char *)k->data.scalar.value, "mapRoles") == 0)
            roles = yaml_document_get_node(&doc, pair->value);
    }
    yaml_parser_delete(&p);
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, roles->data.scalar.value, roles->data.scalar.length);
    if (yaml_parser_load(&p, &inner)) {
        ok = (size_t)(inner.nodes.top - inner.nodes.start) > min_nodes;
        yaml_document_delete(&inner);
    }
    yaml_parser_delete(&p);
    yaml_document_delete(&doc);
    return ok;
}

/* The baseline table: open addressing over precomputed 64-bit FNV-1a hashes. */
struct bare_slot {
    uint64_t hash;
    const char *key;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return h ^ (h >> 32);
}

static const char *bare_get(const struct bare_slot *t, size_t mask, const char *key)
{
    uint64_t h = fnv1a(key);
    size_t i;

    for (i = (size_t)h & mask; t[i].key != NULL; i = (i + 1) & mask) {
        if (t[i].hash == h && strcmp(t[i].key, key) == 0)
            return t[i].key;
    }
    return NULL;
}

/*
 * Row 5's helpers: write the ConfigMap of n entries, or read a file and
 * load it once, with libyaml alone or with eksauth's parser (as sync does).
 */
static int file_mode(const char *mode, const char *path, size_t n)
{
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err = {0};
    char *text = NULL;
    size_t len = 0;
    FILE *f = NULL;
    long size;
    int rc = 1;

    if (strcmp(mode, "write") == 0) {
        text = make_configmap(n, &len);
        f = fopen(path, "w");
        if (text == NULL || f == NULL || fwrite(text, 1, len, f) != len)
            goto out;
    } else if (strcmp(mode, "parse") == 0 || strcmp(mode, "yaml") == 0) {
        f = fopen(path, "r");
        if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
            fseek(f, 0, SEEK_SET) != 0)
            goto out;
        text = malloc((size_t)size + 1);
        if (text == NULL || fread(text, 1, (size_t)size, f) != (size_t)size)
            goto out;
        if (mode[0] == 'y') {
            /* Every entry is at least 2 nodes: a mapping and one scalar. */
            if (!yaml_floor(text, (size_t)size, (size_t)size / 200 * 2)) {
                fprintf(stderr, "bench_awsauth: %s: libyaml could not load it\n", path);
                goto out;
            }
        } else if (eksauth_awsauth_parse(text, (size_t)size, &aa, &err) != EKSAUTH_OK) {
            fprintf(stderr, "bench_awsauth: %s\n", err.msg);
            goto out;
        }
    } else {
        fprintf(stderr, "usage: bench_awsauth [write FILE [N] | yaml FILE | parse FILE]\n");
        goto out;
    }
    rc = 0;
out:
    if (f != NULL && fclose(f) != 0)
        rc = 1;
    eksauth_awsauth_free(aa);
    free(text);
    return rc;
}

int main(int argc, char **argv)
{
    static char keys[N_ENTRIES][96], arns[N_ENTRIES][128];
    double parse[PARSE_RUNS], floor_ms[PARSE_RUNS], lk[9], bare[9], t0;
    size_t len, i, r, mask = 32767, found = 0;
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err = {0};
    struct bare_slot *table;
    struct eksauth_k8s_identity id;
    struct eksauth_principal p;
    double map_ns, pm, fm, lm, bm;
    char *text = NULL;
    int rc = 1;

    if (argc == 3 || argc == 4)
        return file_mode(argv[1], argv[2], argc == 4 ? strtoul(argv[3], NULL, 10) : N_ENTRIES);
    text = make_configmap(N_ENTRIES, &len);
    table = calloc(mask + 1, sizeof(*table));
    if (text == NULL || table == NULL)
        goto out;
    for (i = 0; i < N_ENTRIES; i++) {
        snprintf(keys[i], sizeof(keys[i]), "arn:aws:iam::%012zu:role/role%zu",
                 AWSAUTH_BIG_ACCOUNT(i, N_ACCOUNTS), i);
        snprintf(arns[i], sizeof(arns[i]), "arn:aws:sts::%012zu:assumed-role/Role%zu/s-%zu",
                 AWSAUTH_BIG_ACCOUNT(i, N_ACCOUNTS), i, i);
    }

    for (r = 0; r < PARSE_RUNS; r++) {
        t0 = bench_cpu_ns();
        if (!yaml_floor(text, len, N_ENTRIES))
            goto out;
        floor_ms[r] = (bench_cpu_ns() - t0) / 1e6;
        t0 = bench_cpu_ns();
        if (eksauth_awsauth_parse(text, len, &aa, &err) != EKSAUTH_OK) {
            fprintf(stderr, "bench_awsauth: %s\n", err.msg);
            goto out;
        }
        parse[r] = (bench_cpu_ns() - t0) / 1e6;
        if (r + 1 < PARSE_RUNS)
            eksauth_awsauth_free(aa);
    }
    if (eksauth_awsauth_count(aa) != N_ENTRIES) {
        fprintf(stderr, "bench_awsauth: %zu entries, not %d\n", eksauth_awsauth_count(aa),
                N_ENTRIES);
        goto out;
    }

    for (i = 0; i < N_ENTRIES; i++) {
        uint64_t h = fnv1a(keys[i]);
        size_t j = (size_t)h & mask;

        while (table[j].key != NULL)
            j = (j + 1) & mask;
        table[j].hash = h;
        table[j].key = keys[i];
    }
    /* Interleave the two so that neither gets a warmer cache or clock. */
    for (r = 0; r < 9; r++) {
        size_t k;

        t0 = bench_cpu_ns();
        for (k = 0; k < LOOKUP_ROUNDS / 9 + 1; k++)
            for (i = 0; i < N_ENTRIES; i++)
                found += eksauth_awsauth_lookup(aa, keys[i], "100000000000") != NULL;
        lk[r] = (bench_cpu_ns() - t0) / ((double)(LOOKUP_ROUNDS / 9 + 1) * N_ENTRIES);
        t0 = bench_cpu_ns();
        for (k = 0; k < LOOKUP_ROUNDS / 9 + 1; k++)
            for (i = 0; i < N_ENTRIES; i++)
                found += bare_get(table, mask, keys[i]) != NULL;
        bare[r] = (bench_cpu_ns() - t0) / ((double)(LOOKUP_ROUNDS / 9 + 1) * N_ENTRIES);
    }
    if (found != 2 * 9 * (size_t)(LOOKUP_ROUNDS / 9 + 1) * N_ENTRIES) {
        fprintf(stderr, "bench_awsauth: a lookup missed\n");
        goto out;
    }

    t0 = bench_cpu_ns();
    for (r = 0; r < MAP_ROUNDS; r++) {
        for (i = 0; i < N_ENTRIES; i++) {
            /* map canonicalises the ARN itself and takes account and session from it. */
            p.arn = arns[i];
            p.canonical_arn = NULL;
            p.account = NULL;
            p.session_name = NULL;
            p.access_key_id = NULL;
            if (eksauth_awsauth_map(aa, &p, &id, &err) != EKSAUTH_OK) {
                fprintf(stderr, "bench_awsauth: %s\n", err.msg);
                goto out;
            }
            eksauth_k8s_identity_free(&id);
        }
    }
    map_ns = (bench_cpu_ns() - t0) / ((double)MAP_ROUNDS * N_ENTRIES);

    pm = bench_median(parse, PARSE_RUNS);
    fm = bench_median(floor_ms, PARSE_RUNS);
    lm = bench_median(lk, 9);
    bm = bench_median(bare, 9);
    printf("# row 2: %d mapRoles entries, ConfigMap YAML of %zu bytes; medians of CPU time;\n"
           "#   parse baseline = libyaml alone loading the same bytes (ConfigMap, then the\n"
           "#   mapRoles string); lookup baseline = a bare open-addressing table of the same\n"
           "#   keys with precomputed FNV-1a hashes (hash the query, probe, strcmp)\n",
           N_ENTRIES, len);
    bench_row("2", "aws-auth 10k: parse, ms (vs libyaml alone)", pm, fm, "<= 50 ms", pm <= 50, 2);
    bench_row("2", "aws-auth 10k: lookup, ns/ARN (vs bare hash)", lm, bm, "<= 1000 ns", lm <= 1000,
              1);
    bench_row("2", "aws-auth 10k: map (canonicalise+lookup+render), ns", map_ns, bm, "-", -1, 1);
    rc = 0;
out:
    eksauth_awsauth_free(aa);
    free(table);
    free(text);
    return rc;
}
