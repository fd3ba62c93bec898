/*
 * setup_fixtures.h - the host files of test_setup.c and test_setup_plan.c:
 * Debian 12's as a package installs them, AL2023's pam.d/sshd, and the
 * drop-in an earlier eksauth setup wrote.
 */
#ifndef EKSAUTH_TEST_SETUP_FIXTURES_H
#define EKSAUTH_TEST_SETUP_FIXTURES_H

/* The shape of Debian 12's /etc/pam.d/sshd (openssh-server), comments cut short. */
static const char debian_sshd[] =
    "# PAM configuration for the Secure Shell service\n"
    "\n"
    "# Standard Un*x authentication.\n"
    "@include common-auth\n"
    "\n"
    "account    required     pam_nologin.so\n"
    "\n"
    "# Standard Un*x authorization.\n"
    "@include common-account\n"
    "\n"
    "session [success=ok ignore=ignore module_unknown=ignore default=bad]        pam_selinux.so "
    "close\n"
    "session    required     pam_loginuid.so\n"
    "session    optional     pam_keyinit.so force revoke\n"
    "\n"
    "# Standard Un*x session setup and teardown.\n"
    "@include common-session\n"
    "\n"
    "session    optional     pam_motd.so  motd=/run/motd.dynamic\n"
    "session    optional     pam_mail.so standard noenv # [1]\n"
    "session    required     pam_limits.so\n"
    "session    required     pam_env.so # [1]\n"
    "session    required     pam_env.so user_readenv=1 envfile=/etc/default/locale\n"
    "session [success=ok ignore=ignore module_unknown=ignore default=bad]        pam_selinux.so "
    "open\n"
    "\n"
    "# Standard Un*x password updating.\n"
    "@include common-password\n";

/*
 * /etc/pam.d/sshd in the layout of docs/al2023.md (Fedora's openssh-server
 * file, whose "..." that page leaves out is filled in here): no common-*
 * includes, pam_sepermit and pam_nologin before "account include".
 */
static const char al2023_sshd[] =
    "#%PAM-1.0\n"
    "auth       substack     password-auth\n"
    "auth       include      postlogin\n"
    "account    required     pam_sepermit.so\n"
    "account    required     pam_nologin.so\n"
    "account    include      password-auth\n"
    "password   include      password-auth\n"
    "# pam_selinux.so close should be the first session rule\n"
    "session    required     pam_selinux.so close\n"
    "session    required     pam_loginuid.so\n"
    "# pam_selinux.so open should only be followed by sessions to be executed in the user context\n"
    "session    required     pam_selinux.so open env_params\n"
    "session    required     pam_namespace.so\n"
    "session    optional     pam_keyinit.so force revoke\n"
    "session    optional     pam_motd.so\n"
    "session    include      password-auth\n"
    "session    include      postlogin\n";

static const char debian_nsswitch[] = "# /etc/nsswitch.conf\n"
                                      "\n"
                                      "passwd:         files systemd\n"
                                      "group:          files systemd\n"
                                      "shadow:         files systemd\n"
                                      "gshadow:        files systemd\n"
                                      "\n"
                                      "hosts:          files dns\n";

/* The shape of Debian 12's /etc/sudo.conf (sudo), comments cut short: nothing set. */
static const char debian_sudo_conf[] = "#\n"
                                       "# Default /etc/sudo.conf file\n"
                                       "#\n"
                                       "#Set group_source static\n"
                                       "#Path askpass /usr/X11R6/bin/ssh-askpass\n";

/* The drop-in setup wrote before its Match block. */
static const char dropin_v1[] =
    "# /etc/ssh/sshd_config.d/eksauth.conf, written by eksauth setup (eksauth setup --undo\n"
    "# removes it).  Tokens reach PAM as keyboard-interactive answers: the password\n"
    "# method drops answers over 1024 bytes.  Debian's sshd_config reads this folder\n"
    "# first, and the first value of a keyword wins.\n"
    "UsePAM yes\n"
    "KbdInteractiveAuthentication yes\n";

/* The drop-in setup wrote, for eks-users, as /etc/ssh/sshd_config.d/eksauth.conf (before 40-). */
static const char dropin_v2[] =
    "# /etc/ssh/sshd_config.d/eksauth.conf, written by eksauth setup (eksauth setup --undo\n"
    "# removes it).  Debian's sshd_config reads this folder first, and the first value of\n"
    "# a keyword wins.\n"
    "#\n"
    "# Tokens reach PAM as keyboard-interactive answers: the password method drops\n"
    "# answers over 1024 bytes.\n"
    "UsePAM yes\n"
    "KbdInteractiveAuthentication yes\n"
    "\n"
    "# Every eksauth login is in this group: each logs in with a token, and nothing\n"
    "# else stands in for one.  Local accounts (the break-glass one) are not in it.\n"
    "Match Group eks-users\n"
    "    # Only keyboard-interactive, where pam_eksauth asks for the token.\n"
    "    AuthenticationMethods keyboard-interactive\n"
    "    # No key counts, not even one planted in ~/.ssh/authorized_keys after a login.\n"
    "    AuthorizedKeysFile none\n"
    "    PubkeyAuthentication no\n"
    "    # Nor a ~/.shosts or ~/.rhosts file.\n"
    "    HostbasedAuthentication no\n";

#endif
