/*
 * files.c - eksauth's own files: the config (present, trusted, valid,
 * cluster_id set), the aws-auth source it names, the modules (as glibc
 * and libpam load them; under --root, on disk), and
 * the trust rule of lib/trust.c that the config, aws-auth and the identity
 * DB share with the library's readers.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <glob.h>
#include <link.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "doctor.h"
#include "eksauth/awsauth.h"
#include "eksauth/paths.h"
#include "eksauth/trust.h"

#define CONFIG_MAX (1024 * 1024) /* as eksauth.conf(5) */

bool check_trust(struct doctor *d, const char *check, const char *host, const char *real,
                 const struct stat *st, const char *why)
{
    const char *slash = strrchr(real, '/');
    struct eksauth_trust_verdict v;
    char dir[PATH_MAX];
    struct stat folder;
    struct finding *f;

    /* The folder where doctor reads (under --root); the verdict names the host's. */
    if (slash == NULL)
        fmt(dir, sizeof(dir), ".");
    else
        fmt(dir, sizeof(dir), "%.*s", slash == real ? 1 : (int)(slash - real), real);
    if (stat(dir, &folder) != 0) {
        f = report(d, LV_ERROR, check, host, "cannot stat its folder: %s", strerror(errno));
        set_fix(d, f, "run eksauth doctor as root");
        return false;
    }
    if (eksauth_trust_explain(host, st, &folder, &v))
        return true;
    f = report(d, LV_ERROR, check, v.where, "%s; %s", v.problem, why);
    if (v.fix[0] != '\0')
        set_fix(d, f, "%s", v.fix);
    else
        set_fix(d, f, "replace %s with a regular file owned by root", v.where);
    return false;
}

/* Read one of eksauth's files whole; a failure is an error finding.  True when read. */
static bool read_file(struct doctor *d, const char *check, const char *host, const char *real,
                      size_t max, char **text, size_t *len)
{
    struct finding *f;
    int rc = slurp_path(real, max, text, len);

    if (rc == 0)
        return true;
    /*
     * Not root, denied: a limit of this run, not of the host (the PAM module
     * and the sync read it as root), said as the unread sudoers is.
     */
    if (rc == EACCES && geteuid() != 0) {
        f = report(d, LV_WARNING, check, host,
                   "cannot read it (%s): it, and what depends on it, were not checked",
                   strerror(rc));
        set_fix(d, f, "run eksauth doctor as root (sudo eksauth doctor)");
        return false;
    }
    f = report(d, LV_ERROR, check, host, "cannot read it: %s", strerror(rc));
    set_fix(d, f, "check the file (%s): root must be able to read it", host);
    return false;
}

/*
 * The config the PAM module and the command line read: --config, else the
 * config= of pam_eksauth's line in sshd's PAM stack (the module reads it
 * over any other), else EKSAUTH_CONFIG (on this host, not under --root),
 * else the default; real gets where doctor reads it.  The one place doctor
 * decides that path.
 */
static const char *config_path(struct doctor *d, char *real)
{
    char named[PATH_MAX];
    int from_default;

    if (d->cli->config_path != NULL) {
        fmt(real, PATH_MAX, "%s", d->cli->config_path);
        return d->cli->config_path;
    }
    if (pam_sshd_config(d, named)) {
        fmt(d->paths.config, sizeof(d->paths.config), "%s", named);
        rooted_file(d, d->paths.config, real);
        return d->paths.config;
    }
    /* paths.h decides, from this host's environment; another root has only the default. */
    if (d->root[0] != '\0' ||
        eksauth_paths_config(NULL, &d->paths, &from_default, NULL) != EKSAUTH_OK)
        fmt(d->paths.config, sizeof(d->paths.config), "%s", EKSAUTH_CONFIG_PATH);
    rooted_file(d, d->paths.config, real);
    return d->paths.config;
}

/*
 * A config the library refuses, "config: FILE[:LINE]: WHY" (lib/config.c):
 * the finding is at FILE:LINE, says WHY, and the fix names the line.
 */
static void report_config_error(struct doctor *d, const char *host, const char *msg)
{
    char where[WHERE_MAX];
    const char *why = msg;
    size_t n = strlen(host);
    unsigned long line = 0;
    struct finding *f;
    char *end;

    if (strncmp(msg, "config: ", 8) == 0 && strncmp(msg + 8, host, n) == 0) {
        end = (char *)msg + 8 + n;
        if (end[0] == ':' && end[1] >= '0' && end[1] <= '9')
            line = strtoul(end + 1, &end, 10);
        if (strncmp(end, ": ", 2) == 0)
            why = end + 2;
        else
            line = 0;
    }
    if (line > 0 && line <= UINT_MAX) {
        f = report(d, LV_ERROR, "config", at_line(where, host, (unsigned)line), "%s", why);
        set_fix(d, f, "correct line %lu of %s (keys and values: eksauth.conf(5))", line, host);
        return;
    }
    f = report(d, LV_ERROR, "config", host, "%s", why);
    set_fix(d, f, "correct %s (keys and values: eksauth.conf(5))", host);
}

/*
 * The config's lines into d->cfg: true when valid.  One without cluster_id
 * is parsed with lib/config.c's every other rule (so the error those give
 * is said in the same run, at the operator's lines) and, when they hold,
 * is still usable for the other checks.
 */
static bool parse_config(struct doctor *d, const char *host, const char *text, size_t len)
{
    struct eksauth_error err;
    struct finding *f;
    bool all_lines = false, ok;

    ok = eksauth_config_parse_with(&d->cfg, text, len, host, EKSAUTH_CONFIG_CLUSTER_ID_OPTIONAL,
                                   &all_lines, &err) == EKSAUTH_OK;
    /* Only when every line was read: a cluster_id after a bad line is not missing. */
    if (all_lines && d->cfg.cluster_id == NULL) {
        f = report(d, LV_ERROR, "config", host,
                   "cluster_id is not set: without it any cluster's token would do, so eksauth "
                   "refuses to run");
        set_fix(d, f,
                "add the line \"cluster_id = NAME\" to %s, NAME being the cluster's name as in "
                "aws eks get-token --cluster-name NAME",
                host);
    }
    if (!ok)
        report_config_error(d, host, err.msg);
    d->cfg_usable = ok;
    return ok && d->cfg.cluster_id != NULL;
}

void check_config(struct doctor *d)
{
    char real[PATH_MAX];
    const char *host = config_path(d, real);
    struct finding *f;
    struct stat st;
    char *text = NULL;
    bool trusted;
    size_t len;

    fmt(d->conf_host, sizeof(d->conf_host), "%s", host);
    if (stat(real, &st) != 0) {
        f = report(d, LV_ERROR, "config", host, "%s: the PAM module refuses every login without it",
                   strerror(errno));
        set_fix(d, f,
                "install -m 0644 -o root -g root %s/eksauth.conf %s, then set cluster_id in it "
                "(keys: eksauth.conf(5))",
                EXAMPLES, host);
        return;
    }
    /* Refused by PAM and the command line, but read on: its other problems are worth knowing. */
    trusted = check_trust(d, "config", host, real, &st, "the PAM module and eksauth refuse it");
    if (!S_ISREG(st.st_mode))
        return;
    if (!read_file(d, "config", host, real, CONFIG_MAX, &text, &len))
        return;
    if (parse_config(d, host, text, len) && trusted)
        report(d, LV_OK, "config", host, "root's, mode %04o, cluster_id = %s, source = %s",
               (unsigned)(st.st_mode & 07777), d->cfg.cluster_id,
               eksauth_source_name(d->cfg.source));
    free(text);
}

/* source = file: the aws-auth copy that eksauth sync reads, as sync reads it. */
static void check_aws_auth_file(struct doctor *d)
{
    char real[PATH_MAX];
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err;
    const char *host;
    struct finding *f;
    struct stat st;
    char *text = NULL;
    size_t len, n;

    if (d->cli->aws_auth_path != NULL) {
        host = d->cli->aws_auth_path;
        fmt(real, sizeof(real), "%s", host);
    } else if (d->cfg.aws_auth_file != NULL) {
        host = d->cfg.aws_auth_file;
        rooted_file(d, host, real);
    } else {
        f = report(d, LV_ERROR, "source", d->conf_host,
                   "source = file, but no aws_auth_file: eksauth sync has nothing to read");
        set_fix(
            d, f,
            "kubectl get configmap aws-auth -n kube-system -o yaml > /etc/eksauth/aws-auth.yaml "
            "and add \"aws_auth_file = /etc/eksauth/aws-auth.yaml\" to %s (or set source = "
            "kubernetes)",
            d->conf_host);
        return;
    }
    if (stat(real, &st) != 0) {
        f = report(d, LV_ERROR, "source", host, "aws_auth_file: %s", strerror(errno));
        set_fix(d, f, "kubectl get configmap aws-auth -n kube-system -o yaml > %s", host);
        return;
    }
    /* Whoever can write aws-auth decides who logs in, with which groups: sync refuses it. */
    check_trust(d, "source", host, real, &st, "eksauth sync and the PAM module refuse it");
    if (!S_ISREG(st.st_mode))
        return;
    if (!read_file(d, "source", host, real, EKSAUTH_AWSAUTH_MAX, &text, &len))
        return;
    if (eksauth_awsauth_parse(text, len, &aa, &err) != EKSAUTH_OK) {
        f = report(d, LV_ERROR, "source", host, "%s: eksauth sync keeps the old identity DB",
                   err.msg);
        set_fix(d, f, "write it again: kubectl get configmap aws-auth -n kube-system -o yaml > %s",
                host);
        goto out;
    }
    /* What the cluster drops, sync drops too, and fails: the same verdict here. */
    for (n = 0; n < eksauth_awsauth_dropped_count(aa); n++) {
        bool cluster_reads = eksauth_awsauth_dropped_cluster_reads(aa, n);

        f = report(d, LV_ERROR, "source", host,
                   "%s is dropped, %s: its entries map nobody here and eksauth sync fails",
                   eksauth_awsauth_dropped_at(aa, n),
                   cluster_reads ? "though the cluster reads it" : "as the cluster drops it");
        set_fix(d, f,
                cluster_reads ? "write that value in aws-auth as its message says (the cluster "
                                "reads it either way)"
                              : "correct that value in aws-auth (the cluster ignores it too)");
    }
    n = eksauth_awsauth_warning_count(aa);
    if (n > 0) {
        f = report(d, LV_WARNING, "source", host, "%zu warning%s from aws-auth; the first: %s", n,
                   n == 1 ? "" : "s", eksauth_awsauth_warning_at(aa, 0));
        set_fix(d, f, "correct aws-auth where they say (eksauth sync lists every one)");
    }
    report(d, LV_OK, "source", host, "aws-auth parses: %zu entries", eksauth_awsauth_count(aa));
out:
    eksauth_awsauth_free(aa);
    free(text);
}

/* The keys a source = kubernetes / eks-api config needs: each missing one with its fix. */
static bool check_cluster_keys(struct doctor *d, bool kube, bool eks)
{
    enum eksauth_source src = d->cfg.source;
    char real[PATH_MAX];
    struct finding *f;
    bool ok = true;

    if (kube && d->cfg.cluster_endpoint == NULL) {
        f = report(d, LV_ERROR, "source", d->conf_host,
                   "source = %s needs cluster_endpoint (the cluster's Kubernetes API)",
                   eksauth_source_name(src));
        set_fix(d, f,
                "add \"cluster_endpoint = URL\" to %s, URL from: aws eks describe-cluster --name "
                "NAME --query cluster.endpoint --output text",
                d->conf_host);
        ok = false;
    }
    if (kube && d->cfg.cluster_ca_file == NULL && d->cfg.cluster_ca_data == NULL) {
        f = report(d, LV_ERROR, "source", d->conf_host,
                   "no cluster_ca_file or cluster_ca_data: the cluster's certificate cannot be "
                   "verified");
        set_fix(d, f,
                "aws eks describe-cluster --name NAME --query cluster.certificateAuthority.data "
                "--output text | base64 -d > /etc/eksauth/cluster-ca.pem and add "
                "\"cluster_ca_file = /etc/eksauth/cluster-ca.pem\" to %s",
                d->conf_host);
        ok = false;
    }
    if (kube && d->cfg.cluster_ca_file != NULL &&
        access(rooted_file(d, d->cfg.cluster_ca_file, real), R_OK) != 0) {
        f = report(d, LV_ERROR, "source", d->cfg.cluster_ca_file, "cluster_ca_file: %s",
                   strerror(errno));
        set_fix(d, f,
                "aws eks describe-cluster --name NAME --query cluster.certificateAuthority.data "
                "--output text | base64 -d > %s",
                d->cfg.cluster_ca_file);
        ok = false;
    }
    if (eks && d->cfg.cluster_name == NULL) {
        f = report(d, LV_ERROR, "source", d->conf_host,
                   "source = %s needs cluster_name (for the EKS API)", eksauth_source_name(src));
        set_fix(d, f, "add \"cluster_name = NAME\" to %s", d->conf_host);
        ok = false;
    }
    /* Like whoami, sync finds a region without the key (eksauth_cluster_region): not an error. */
    if (eks && d->cfg.region == NULL) {
        f = report(d, LV_WARNING, "source", d->conf_host,
                   "source = %s and no region: eksauth sync takes the EKS API's region from "
                   "AWS_REGION, AWS_DEFAULT_REGION, the AWS config file or instance metadata, "
                   "and fails where none has it",
                   eksauth_source_name(src));
        set_fix(d, f, "add \"region = REGION\" (e.g. us-east-1) to %s", d->conf_host);
    }
    return ok;
}

void check_source(struct doctor *d)
{
    enum eksauth_source src = d->cfg.source;
    bool kube = src == EKSAUTH_SOURCE_KUBERNETES || src == EKSAUTH_SOURCE_KUBERNETES_EKS_API;
    /* auto asks the EKS API for the cluster's mode; the ConfigMap only in the modes that use it. */
    bool eks = src == EKSAUTH_SOURCE_EKS_API || src == EKSAUTH_SOURCE_KUBERNETES_EKS_API ||
               src == EKSAUTH_SOURCE_AUTO;

    if (src == EKSAUTH_SOURCE_FILE) {
        check_aws_auth_file(d);
        return;
    }
    if (check_cluster_keys(d, kube, eks))
        report(d, LV_OK, "source", d->conf_host, "source = %s is configured",
               eksauth_source_name(src));
}

/* The first copy of a module the patterns find (under --root: its host path) into found. */
static bool glob_module(struct doctor *d, const char *const *patterns, char *found)
{
    char real[PATH_MAX];
    glob_t g;
    size_t i;
    bool ok = false;

    for (i = 0; !ok && patterns[i] != NULL; i++) {
        memset(&g, 0, sizeof(g));
        if (glob(rooted(d, patterns[i], real), 0, NULL, &g) == 0 && g.gl_pathc > 0)
            ok = fmt(found, PATH_MAX, "%s", unrooted(d, g.gl_pathv[0]));
        globfree(&g);
    }
    return ok;
}

/* Under --root (an image): a copy where a package or make install puts it. */
static void find_module(struct doctor *d, const char *what, const char *const *patterns,
                        const char *fix)
{
    char found[PATH_MAX];
    struct finding *f;

    if (glob_module(d, patterns, found)) {
        report(d, LV_OK, "modules", found, "%s is installed", what);
        return;
    }
    f = report(d, LV_ERROR, "modules", NULL, "%s is not installed in a library folder", what);
    set_fix(d, f, "%s", fix);
}

/* The folder of the file that holds sym (a loaded library's), resolved, into dir. */
static bool folder_of(const void *sym, char *dir)
{
    char real[PATH_MAX], *slash;
    Dl_info info;

    if (sym == NULL || dladdr(sym, &info) == 0 || info.dli_fname == NULL ||
        realpath(info.dli_fname, real) == NULL || (slash = strrchr(real, '/')) == NULL)
        return false;
    *slash = '\0';
    return fmt(dir, PATH_MAX, "%s", real[0] != '\0' ? real : "/");
}

/* Whether dir (resolved) is a folder LD_LIBRARY_PATH names. */
static bool in_ld_library_path(const char *dir)
{
    const char *path = getenv("LD_LIBRARY_PATH"), *p, *sep;
    char entry[PATH_MAX], real[PATH_MAX];

    for (p = path; p != NULL && *p != '\0'; p = sep != NULL ? sep + 1 : NULL) {
        sep = strpbrk(p, ":;");
        if (fmt(entry, sizeof(entry), "%.*s", (int)(sep != NULL ? (size_t)(sep - p) : strlen(p)),
                p) &&
            entry[0] != '\0' && realpath(entry, real) != NULL && strcmp(real, dir) == 0)
            return true;
    }
    return false;
}

#define NSS_NAME  "libnss_eksauth.so.2"
#define TRACE_MAX (64 * 1024) /* ld.so's list of a program's libraries: a few lines */

/* dl_iterate_phdr's callback: the first object is the program, its PT_INTERP ld.so's path. */
static int interp_of(struct dl_phdr_info *info, size_t size, void *data)
{
    size_t i;

    (void)size;
    for (i = 0; i < info->dlpi_phnum; i++) {
        if (info->dlpi_phdr[i].p_type == PT_INTERP)
            fmt(data, PATH_MAX, "%s", (const char *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr));
    }
    return 1;
}

/*
 * Whether ld.so, without LD_LIBRARY_PATH (as sshd runs), finds the module at
 * loaded, the file this process loaded.  Asked of ld.so itself as ldd asks
 * it: LD_TRACE_LOADED_OBJECTS, the module as LD_PRELOAD, libc.so.6 (which
 * has no RUNPATH) as the program; so its cache, its system folders and their
 * hwcaps subfolders count as they do for sshd, and nothing is run.  False
 * when it cannot be asked or finds another copy.
 */
static bool found_by_default(struct doctor *d, const char *loaded)
{
    static char *const env[] = {"LD_TRACE_LOADED_OBJECTS=1", "LD_PRELOAD=" NSS_NAME, NULL};
    static const char arrow[] = NSS_NAME " => ";
    char ldso[PATH_MAX] = "", *argv[3], *out = NULL, *p, *end;
    struct stat a, b;
    Dl_info info;
    size_t len;
    bool same = false;

    if (dl_iterate_phdr(interp_of, ldso) == 0 || ldso[0] == '\0' ||
        dladdr((const void *)getpwnam_r, &info) == 0 || info.dli_fname == NULL)
        return false;
    argv[0] = ldso;
    argv[1] = (char *)info.dli_fname;
    argv[2] = NULL;
    if (!run_output(d, ldso, argv, env, TRACE_MAX, &out, &len))
        return false;
    /* "\tlibnss_eksauth.so.2 => /usr/lib/x86_64-linux-gnu/libnss_eksauth.so.2 (0x...)" */
    for (p = out; !same && (p = strstr(p, arrow)) != NULL; p = end) {
        p += sizeof(arrow) - 1;
        end = strstr(p, " (0x");
        if (end == NULL)
            break;
        *end++ = '\0';
        same = stat(p, &a) == 0 && stat(loaded, &b) == 0 && a.st_dev == b.st_dev &&
               a.st_ino == b.st_ino;
    }
    free(out);
    return same;
}

/*
 * On this host, the NSS module as glibc loads it: by the name nsswitch.conf
 * gives it, from the folders ld.so searches (its cache, /lib, /usr/lib, the
 * multiarch ones), with the function eksauth users are looked up by.  A
 * copy elsewhere (/usr/local/lib, a source build's default prefix; a
 * folder ldconfig has not been run for) is never loaded: an error there.
 */
static void check_nss_live(struct doctor *d, const char *const *patterns, const char *fix)
{
    char found[PATH_MAX], libc[PATH_MAX], why[512];
    const char *e;
    struct finding *f;
    Dl_info info;
    void *h, *sym;
    bool loaded;

    h = dlopen(NSS_NAME, RTLD_LAZY);
    if (h != NULL) {
        sym = dlsym(h, "_nss_eksauth_getpwnam_r");
        loaded = sym != NULL && dladdr(sym, &info) != 0 && info.dli_fname != NULL;
        /*
         * sshd, cron and sudo's children have no LD_LIBRARY_PATH: what it finds they may not,
         * unless ld.so finds the same file without it (a folder also in its cache or its own).
         */
        if (loaded && folder_of(sym, found) && in_ld_library_path(found) &&
            !found_by_default(d, info.dli_fname)) {
            f = report(d, LV_WARNING, "modules", info.dli_fname,
                       "libnss_eksauth.so.2 was found in a folder this shell's LD_LIBRARY_PATH "
                       "names, which services such as sshd do not have");
            set_fix(d, f, "run eksauth doctor again without LD_LIBRARY_PATH; %s", fix);
        } else if (loaded) {
            report(d, LV_OK, "modules", info.dli_fname,
                   "libnss_eksauth.so.2 is installed: glibc loads it from there");
        } else {
            f = report(d, LV_ERROR, "modules", NULL,
                       "the libnss_eksauth.so.2 glibc loads has no _nss_eksauth_getpwnam_r: it "
                       "is not eksauth's NSS module, and eksauth users are unknown");
            set_fix(d, f, "%s", fix);
        }
        dlclose(h);
        return;
    }
    e = dlerror();
    fmt(why, sizeof(why), "%s", e != NULL ? e : "not found");
    if (!glob_module(d, patterns, found)) {
        f = report(d, LV_ERROR, "modules", NULL,
                   "libnss_eksauth.so.2 is not installed in a library folder");
        set_fix(d, f, "%s", fix);
        return;
    }
    if (!folder_of((const void *)getpwnam_r, libc))
        fmt(libc, sizeof(libc), "%s", "the folder of libc.so.6");
    f = report(d, LV_ERROR, "modules", found,
               "glibc does not load it from there (%s): NSS never asks eksauth, so eksauth users "
               "are unknown",
               why);
    set_fix(d, f,
            "run ldconfig if that folder is listed in /etc/ld.so.conf(.d), else install the module "
            "where glibc looks: the eksauth package, or ./configure --with-nssdir=%s (README.md) "
            "and make install",
            libc);
}

/*
 * The folder libpam loads a module named without a path from (its
 * SECUREDIR): where pam_unix.so is, beside this build's libpam (its
 * architecture's: /lib/x86_64-linux-gnu/security, /usr/lib64/security),
 * else the first folder the patterns find pam_unix.so in.
 */
static bool pam_module_folder(struct doctor *d, const char *const *unix_patterns, char *dir)
{
    char lib[PATH_MAX], unix_so[PATH_MAX], *slash;
    void *h = dlopen("libpam.so.0", RTLD_LAZY);
    bool ok = false;

    if (h != NULL) {
        ok = folder_of(dlsym(h, "pam_start"), lib) &&
             fmt(unix_so, sizeof(unix_so), "%s/security/pam_unix.so", lib) &&
             access(unix_so, F_OK) == 0;
        dlclose(h);
    }
    if (!ok && !glob_module(d, unix_patterns, unix_so))
        return false;
    if (realpath(unix_so, lib) == NULL || (slash = strrchr(lib, '/')) == NULL)
        return false;
    *slash = '\0';
    return fmt(dir, PATH_MAX, "%s", lib);
}

/*
 * On this host, pam_eksauth.so where libpam loads it from (sshd's lines
 * name it without a path): beside pam_unix.so.  A copy in another folder
 * (/usr/local/lib/security, /usr/lib/security on a lib64 system, another
 * architecture's) is never loaded: an error there.
 */
static void check_pam_live(struct doctor *d, const char *const *patterns,
                           const char *const *local_patterns, const char *const *unix_patterns,
                           const char *fix)
{
    char dir[PATH_MAX], want[PATH_MAX], found[PATH_MAX], real[PATH_MAX];
    struct finding *f;

    if (!pam_module_folder(d, unix_patterns, dir)) {
        find_module(d, "pam_eksauth.so", patterns, fix);
        return;
    }
    fmt(want, sizeof(want), "%s/pam_eksauth.so", dir);
    if (access(want, F_OK) == 0) {
        report(d, LV_OK, "modules", want,
               "pam_eksauth.so is installed where libpam loads modules from (beside pam_unix.so)");
        return;
    }
    if ((!glob_module(d, patterns, found) && !glob_module(d, local_patterns, found)) ||
        realpath(found, real) == NULL) {
        f = report(d, LV_ERROR, "modules", NULL,
                   "pam_eksauth.so is not installed in a library folder");
        set_fix(d, f, "%s", fix);
        return;
    }
    f = report(d, LV_ERROR, "modules", found,
               "libpam does not load it from there: it loads modules from %s (where pam_unix.so "
               "is), so sshd's pam_eksauth lines find no module",
               dir);
    set_fix(d, f,
            "install the module there: the eksauth package, or ./configure --with-pammoddir=%s "
            "(README.md) and make install",
            dir);
}

void check_modules(struct doctor *d)
{
    static const char *const pam[] = {
        "/lib/*/security/pam_eksauth.so",
        "/usr/lib/*/security/pam_eksauth.so",
        "/lib/security/pam_eksauth.so",
        "/usr/lib/security/pam_eksauth.so",
        "/lib64/security/pam_eksauth.so",
        "/usr/lib64/security/pam_eksauth.so",
        NULL,
    };
    /* On this host, where else a copy may be that libpam never loads (make install's prefix). */
    static const char *const pam_local[] = {
        "/usr/local/lib/security/pam_eksauth.so",
        "/usr/local/lib/*/security/pam_eksauth.so",
        "/usr/local/lib64/security/pam_eksauth.so",
        NULL,
    };
    static const char *const pam_unix[] = {
        "/lib/*/security/pam_unix.so",
        "/usr/lib/*/security/pam_unix.so",
        "/lib64/security/pam_unix.so",
        "/usr/lib64/security/pam_unix.so",
        "/lib/security/pam_unix.so",
        "/usr/lib/security/pam_unix.so",
        NULL,
    };
    static const char *const nss[] = {
        "/lib/*/libnss_eksauth.so.2",
        "/usr/lib/*/libnss_eksauth.so.2",
        "/lib/libnss_eksauth.so.2",
        "/usr/lib/libnss_eksauth.so.2",
        "/lib64/libnss_eksauth.so.2",
        "/usr/lib64/libnss_eksauth.so.2",
        "/usr/local/lib/libnss_eksauth.so.2",
        "/usr/local/lib/*/libnss_eksauth.so.2",
        NULL,
    };
    static const char pam_fix[] =
        "install the eksauth package (apt install ./eksauth_*.deb), or make install";
    static const char nss_fix[] = "install the eksauth package (apt install ./eksauth_*.deb), or "
                                  "make install and run ldconfig";

    /* An image's tree: a copy where a package puts it (its loader is not this one). */
    if (d->root[0] != '\0') {
        find_module(d, "pam_eksauth.so", pam, pam_fix);
        find_module(d, "libnss_eksauth.so.2", nss, nss_fix);
        return;
    }
    check_pam_live(d, pam, pam_local, pam_unix, pam_fix);
    check_nss_live(d, nss, nss_fix);
}
