// SPDX-License-Identifier: GPL-2.0
/*
 * tenguardctl's argument words: each parser takes one word, checks it
 * against what the uapi header and the policy model allow, and reports a
 * bad one naming the field. Meaning (is this MAC taken, does the tenant
 * exist) is the module's to judge.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "names.h"

int ctl_invalid(const char *path, const char *what, const char *word,
		const char *why)
{
	fprintf(stderr, CTL_NAME ": %s: invalid %s \"%s\"%s%s\n", path, what,
		word, why ? ": " : "", why ? why : "");
	return -EINVAL;
}

int ctl_twice(const char *path, const char *word)
{
	fprintf(stderr, CTL_NAME ": %s: \"%s\" given twice\n", path, word);
	return -EINVAL;
}

/* decimal digits only: strtoul() takes signs, spaces and other bases */
static bool ctl_decimal(const char *s, uint32_t max, uint32_t *v)
{
	unsigned long long n = 0;

	if (!*s || strlen(s) > 10)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		n = n * 10 + (*s - '0');
	}
	if (n > max)
		return false;
	*v = n;
	return true;
}

int ctl_arg_u32(const char *path, const char *what, const char *word,
		uint32_t min, uint32_t max, uint32_t *v)
{
	char range[48];

	if (ctl_decimal(word, max, v) && *v >= min)
		return 0;
	snprintf(range, sizeof(range), "a number %u..%u", min, max);
	return ctl_invalid(path, what, word, range);
}

int ctl_arg_tenant_id(const char *path, const char *word, uint32_t *id)
{
	return ctl_arg_u32(path, "tenant ID", word, 1, TENGUARD_TENANT_ID_MAX,
			   id);
}

int ctl_arg_tenant_name(const char *path, const char *word, char *name)
{
	if (!tg_tenant_name_valid(word, strlen(word)))
		return ctl_invalid(path, "tenant name", word,
				   "1 to 31 of A-Z a-z 0-9 . _ -");
	strcpy(name, word);
	return 0;
}

int ctl_arg_ifname(const char *path, const char *word)
{
	if (!tg_ifname_valid(word, strlen(word)))
		return ctl_invalid(path, "device name", word, NULL);
	return 0;
}

int ctl_arg_netnsid(const char *path, const char *word, int32_t *netnsid)
{
	uint32_t v;
	int err;

	err = ctl_arg_u32(path, "netnsid", word, 0, INT32_MAX, &v);
	if (!err)
		*netnsid = v;
	return err;
}

int ctl_arg_mac(const char *path, const char *word, uint8_t mac[6])
{
	if (!tg_mac_parse(word, mac))
		return ctl_invalid(path, "MAC", word, NULL);
	return 0;
}

int ctl_arg_prefix(const char *path, const char *word, struct tg_prefix *pfx)
{
	char why[256];

	if (tg_prefix_from_str(word, pfx, why, sizeof(why))) {
		fprintf(stderr, CTL_NAME ": %s: invalid address: %s\n", path,
			why);
		return -EINVAL;
	}
	return 0;
}

int ctl_arg_ethertype(const char *path, const char *word, uint16_t *et)
{
	unsigned int v = 0;
	const char *c;

	if (word[0] != '0' || (word[1] != 'x' && word[1] != 'X') ||
	    !word[2] || strlen(word) > 6)
		return ctl_invalid(path, "ethertype", word,
				   "0x0600..0xffff, in hex");
	for (c = word + 2; *c; c++) {
		if (!isxdigit((unsigned char)*c))
			return ctl_invalid(path, "ethertype", word,
					   "0x0600..0xffff, in hex");
		v = v << 4 | (isdigit((unsigned char)*c) ? *c - '0' :
			      (tolower((unsigned char)*c) - 'a' + 10));
	}
	/* below 0x0600 the field is an 802.3 length */
	if (v < 0x0600)
		return ctl_invalid(path, "ethertype", word,
				   "below 0x0600 it is an 802.3 length");
	*et = v;
	return 0;
}

int ctl_arg_flags(const char *path, const char *word, uint32_t *flags)
{
	char *copy, *name, *save = NULL;
	uint32_t flag;
	int err = 0;

	*flags = 0;
	if (!strcmp(word, "none"))
		return 0;
	copy = strdup(word);
	if (!copy)
		return ctl_nomem();
	for (name = strtok_r(copy, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		if (tg_port_flag_parse(name, &flag)) {
			fprintf(stderr, CTL_NAME ": %s: invalid flag \"%s\": "
				"dhcp-server, router, encap or none\n", path,
				name);
			err = -EINVAL;
			break;
		}
		*flags |= flag;
	}
	/* ",", "a,,b": a list with holes is a typo */
	if (!err && (!*flags || strstr(word, ",,") || word[0] == ',' ||
		     word[strlen(word) - 1] == ','))
		err = ctl_invalid(path, "flags", word,
				  "FLAG[,FLAG]... or none");
	free(copy);
	return err;
}

int ctl_arg_segment(const char *path, int argc, char **argv, uint32_t *seg)
{
	uint32_t id;
	int err;

	if (!argc)
		return ctl_missing(path, "segment: vlan N or vni N");
	if (!strcmp(argv[0], "vlan")) {
		if (argc < 2)
			return ctl_missing(path, "VLAN id after \"vlan\"");
		err = ctl_arg_u32(path, "VLAN id", argv[1], 1,
				  TENGUARD_VLAN_MAX, &id);
		if (err)
			return err;
		*seg = TENGUARD_SEG_VLAN(id);
		return 2;
	}
	if (!strcmp(argv[0], "vni")) {
		if (argc < 2)
			return ctl_missing(path, "VNI after \"vni\"");
		err = ctl_arg_u32(path, "VNI", argv[1], 0, TENGUARD_VNI_MAX,
				  &id);
		if (err)
			return err;
		*seg = TENGUARD_SEG_VNI(id);
		return 2;
	}
	return ctl_invalid(path, "segment", argv[0], "vlan N or vni N");
}

int ctl_push(void *arrp, size_t *n, size_t size, const void *elem)
{
	void **arr = arrp;
	void *p;

	p = reallocarray(*arr, *n + 1, size);
	if (!p)
		return ctl_nomem();
	*arr = p;
	memcpy((char *)p + *n * size, elem, size);
	(*n)++;
	return 0;
}
