/*
 * replay_main.c - the main() of a fuzz target built without libFuzzer (make
 * check): run LLVMFuzzerTestOneInput once on every file named, or on every
 * regular file of every folder named (not recursive), in name order.
 * Prints one line per input with -v.  A broken property aborts; a
 * sanitizer report ends the process: either fails the test that runs it.
 *
 * usage: replay_TARGET [-v] FILE|DIR...
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#define REPLAY_INPUT_MAX (8u * 1024u * 1024u) /* larger than any committed input */

static bool verbose;

static int run_file(const char *path)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    ssize_t n;
    int fd, rc = 1;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return 1;
    }
    buf = malloc(REPLAY_INPUT_MAX);
    if (buf == NULL)
        goto out;
    while (len < REPLAY_INPUT_MAX && (n = read(fd, buf + len, REPLAY_INPUT_MAX - len)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
            goto out;
        }
        len += (size_t)n;
    }
    if (verbose)
        printf("replay: %s (%zu bytes)\n", path, len);
    /* An exact-size copy, as libFuzzer gives: ASan sees a read past the end. */
    {
        unsigned char *exact = malloc(len > 0 ? len : 1);

        if (exact == NULL)
            goto out;
        memcpy(exact, buf, len);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    rc = 0;
out:
    free(buf);
    close(fd);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, unsigned *count)
{
    struct dirent *de;
    char **names = NULL, **grown, path[4096];
    size_t n = 0, i;
    int rc = 0;
    DIR *d = opendir(dir);

    if (d == NULL) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        grown = realloc(names, (n + 1) * sizeof(*names));
        if (grown == NULL) {
            rc = 1;
            goto out;
        }
        names = grown;
        names[n] = strdup(de->d_name);
        if (names[n] == NULL) {
            rc = 1;
            goto out;
        }
        n++;
    }
    qsort(names, n, sizeof(*names), cmp_names);
    for (i = 0; i < n && rc == 0; i++) {
        struct stat st;

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        rc = run_file(path);
        (*count)++;
    }
out:
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    unsigned count = 0;
    int i = 1, rc = 0;
    struct stat st;

    if (i < argc && strcmp(argv[i], "-v") == 0) {
        verbose = true;
        i++;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: %s [-v] FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (; i < argc && rc == 0; i++) {
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = run_dir(argv[i], &count);
        } else {
            rc = run_file(argv[i]);
            count++;
        }
    }
    printf("replay: %u inputs, %s\n", count, rc == 0 ? "no failure" : "FAILED");
    return rc;
}
