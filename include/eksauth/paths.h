/*
 * paths.h - where eksauth keeps its files on a host.
 */
#ifndef EKSAUTH_PATHS_H
#define EKSAUTH_PATHS_H

#define EKSAUTH_CONFIG_PATH "/etc/eksauth/eksauth.conf"
#define EKSAUTH_DB_PATH     "/var/lib/eksauth/identity.db"

#endif
