# elf_checks.sh - checks of a built module's dynamic symbols, shared by
# tests/integration/pam_so.sh and nss_so.sh.  Source it (sh).

# The C library functions FILE imports that fold case by the process's
# locale, one per line (none is what the modules must show): eksauth
# compares ARNs, host names and keys by ASCII's rules (include/eksauth/ascii.h),
# since a PAM or NSS module runs in its host's locale, and a Turkish one
# lower-cases "I" to a dotless i.
locale_case_imports() {
    nm -D --undefined-only "$1" | awk '{ sub(/@.*/, "", $NF); print $NF }' |
        grep -xE 'str(n)?casecmp(_l)?|strcasestr|to(lower|upper)(_l)?|__ctype_to(lower|upper)_loc'
}
