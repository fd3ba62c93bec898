/*
 * cli.c - what every subcommand shares, the client's too: errors and JSON
 * output (the host's context, tokens and options: cli_host.c).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "eksauth/file.h"
#include "cli.h"

void cli_error(const char *what, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "eksauth: %s: ", what);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_option_error(const char *what, int c, char *const *argv)
{
    const char *word = optind > 0 ? argv[optind - 1] : NULL;

    /* A value is missing only at the end: the last word read is the option's own. */
    if (c == ':' && word != NULL && word[0] == '-')
        cli_error(what, "%.*s needs a value", (int)strcspn(word, "="), word);
    else if (c != ':' && optopt > ' ' && optopt < 127)
        cli_error(what, "unknown option -%c", optopt);
    else if (c != ':' && word != NULL && strncmp(word, "--", 2) == 0)
        cli_error(what, "unknown option %.*s", (int)strcspn(word, "="), word);
    else
        cli_error(what, c == ':' ? "an option needs a value" : "unknown option");
}

int cli_fail(const char *what, const struct eksauth_error *err)
{
    cli_error(what, "%s", err->msg);
    return eksauth_status_exit_code(err->status);
}

int cli_db_fail(const char *what, const char *path, const struct eksauth_error *err)
{
    enum eksauth_closed_by closed = eksauth_file_closed_by(path, NULL);

    if (err->status == EKSAUTH_EUNAVAIL)
        cli_error(what, "%s (run eksauth sync first)", err->msg);
    /* Not root and kept out: iddb.c said why; say what makes it readable again. */
    else if (closed == EKSAUTH_CLOSED_BY_NOTHING)
        cli_error(what, "%s", err->msg);
    /* The stat is stopped too: the file's mode is not what keeps the user out. */
    else if (closed == EKSAUTH_CLOSED_BY_FOLDER)
        cli_error(what,
                  "%s; a folder on its path is closed to you, and every user must reach it "
                  "(NSS reads it as the user): as root, chmod o+x that folder (eksauth sync "
                  "makes its own 0755)",
                  err->msg);
    else
        cli_error(what,
                  "%s; every user must be able to read it (NSS reads it as the user): as root, "
                  "chmod 0644 %s, the mode eksauth sync gives it",
                  err->msg, path);
    return err->status == EKSAUTH_EUNAVAIL ? EXIT_UNAVAIL : EXIT_USAGE;
}

static int print_json_as(struct json_object *obj, int flags)
{
    const char *text = json_object_to_json_string_ext(obj, flags | JSON_C_TO_STRING_NOSLASHESCAPE);

    if (text == NULL || printf("%s\n", text) < 0 || fflush(stdout) != 0) {
        cli_error("output", "%s", strerror(errno));
        return EXIT_USAGE;
    }
    return 0;
}

int cli_print_json(struct json_object *obj)
{
    return print_json_as(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED);
}

int cli_print_json_line(struct json_object *obj)
{
    return print_json_as(obj, JSON_C_TO_STRING_PLAIN);
}

/* All of buf to fd, through short writes and EINTR: false on an error. */
bool cli_write_all(int fd, const char *buf, size_t len)
{
    bool ok = true;
    ssize_t n;

    while (len > 0 && ok) {
        n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = false;
        } else {
            buf += n;
            len -= (size_t)n;
        }
    }
    return ok;
}
