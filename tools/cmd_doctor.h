/*
 * cmd_doctor.h - `eksauth doctor [--network] [--json] [--root DIR]`: check
 * how a host is set up for eksauth and print, for each finding, what is
 * wrong and the exact fix.
 *
 * Checks: the config (present, root's, not writable by others, valid,
 * cluster_id set, its aws-auth source usable); the modules on disk;
 * nsswitch.conf (eksauth after files on passwd: and group:); /etc/pam.d/sshd
 * (pam_eksauth in auth, account and session, in an order that works, with
 * a local break-glass path); sshd_config (UsePAM, KbdInteractiveAuthentication,
 * AuthenticationMethods; PasswordAuthentication cuts tokens); sudoers rules
 * that name group_prefix groups (each must exist; when one asks for a
 * password, /etc/pam.d/sudo must ask pam_eksauth); the identity DB (present,
 * trusted, valid, its age); a sync that keeps it current.  --network: STS and
 * the sync source answer over TLS.
 *
 * --root DIR reads every host file under DIR (a fixture tree in the tests);
 * messages and fixes name the host paths.  Exit 0 when no finding is an
 * error (warnings do not fail), 1 otherwise, 2 on a usage error.
 */
#ifndef EKSAUTH_CMD_DOCTOR_H
#define EKSAUTH_CMD_DOCTOR_H

struct eksauth_cli;

int cmd_doctor(struct eksauth_cli *cli, int argc, char **argv);

#endif
