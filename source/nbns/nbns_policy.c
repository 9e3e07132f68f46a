/*
 * tdbwins — registration policy: TTL clamp, protected names, address
 * classes, the character set a name needs to reach the wins hook.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "nbns_private.h"

uint32_t nbns_clamp_ttl(const struct twconf *conf, uint32_t ttl)
{
	if (ttl < conf->min_ttl) {
		return conf->min_ttl;
	}
	if (ttl > conf->max_ttl) {
		return conf->max_ttl;
	}
	return ttl;
}

/*
 * MS09-008 / KB 934864: names such as WPAD and ISATAP are refused for
 * dynamic registration whatever their case, padding (spaces or NULs), a
 * trailing '.', their suffix byte or their scope.
 */
bool nbns_is_protected(const struct twconf *conf, const struct nbn_name *n)
{
	char norm[NBN_RAW_LEN];
	size_t len = 15;
	size_t i;

	for (i = 0; i < 15; i++) {
		norm[i] = (char)toupper((unsigned char)n->raw[i]);
	}
	while (len > 0 && (norm[len - 1] == ' ' || norm[len - 1] == '\0')) {
		len--;
	}
	if (len > 0 && norm[len - 1] == '.') {
		len--;
	}
	norm[len] = '\0';
	for (i = 0; conf->protected_names != NULL &&
		    conf->protected_names[i] != NULL; i++) {
		const char *p = conf->protected_names[i];

		if (strlen(p) == len && strncasecmp(p, norm, len) == 0) {
			return true;
		}
	}
	return false;
}

/*
 * Addresses no host can hold: 0.0.0.0, limited broadcast, multicast and
 * class E (SECURITY.md class 18).  Loopback and link-local stay acceptable:
 * clients do register them (Samba's torture suite registers 127.64.64.1).
 */
bool nbns_addr_acceptable(uint32_t ip)
{
	if (ip == 0 || ip == 0xffffffffu) {
		return false;
	}
	if ((ip & 0xf0000000u) == 0xe0000000u) {
		return false;	/* 224.0.0.0/4 */
	}
	if ((ip & 0xf0000000u) == 0xf0000000u) {
		return false;	/* 240.0.0.0/4 */
	}
	return true;
}

/*
 * CVE-2025-10230: the name reaches the hook only if every byte is in
 * [A-Za-z0-9._-]; trailing padding spaces are not part of it.  The hook is
 * run with execve and an argument vector, never through a shell, so this is
 * a second wall, not the only one.
 */
bool nbns_hook_name_safe(const struct nbn_name *n, char *out, size_t outlen)
{
	size_t len = 15;
	size_t i;

	while (len > 0 && n->raw[len - 1] == ' ') {
		len--;
	}
	if (len == 0 || len + 1 > outlen) {
		return false;
	}
	for (i = 0; i < len; i++) {
		uint8_t c = n->raw[i];

		if (!isalnum(c) || c > 0x7f) {
			if (c != '.' && c != '_' && c != '-') {
				return false;
			}
		}
		out[i] = (char)c;
	}
	out[len] = '\0';
	return true;
}
