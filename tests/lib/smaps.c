/*
 * smaps.c - one field of a file's mapping in /proc/self/smaps (smaps.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "smaps.h"

bool smaps_field(const char *path, const char *field, char *out, size_t outlen)
{
    char line[1024], perms[5];
    unsigned long start, end;
    size_t plen = strlen(path), flen = strlen(field), l;
    bool ours = false, found = false;
    FILE *f = fopen("/proc/self/smaps", "re");

    if (f == NULL || outlen == 0)
        goto out;
    while (!found && fgets(line, sizeof(line), f) != NULL) {
        l = strcspn(line, "\n");
        line[l] = '\0';
        if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) == 3) {
            /* A mapping's first line: "start-end perms offset dev inode path". */
            ours = l >= plen && strcmp(line + l - plen, path) == 0;
        } else if (ours && strncmp(line, field, flen) == 0 && line[flen] == ':') {
            snprintf(out, outlen, "%s", line + flen + 1 + strspn(line + flen + 1, " \t"));
            found = true;
        }
    }
out:
    if (f != NULL)
        fclose(f);
    return found;
}
