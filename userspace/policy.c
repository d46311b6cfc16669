// SPDX-License-Identifier: GPL-2.0
/*
 * Policy file parser. The file is validated completely before anything is
 * returned: tenguardd programs the datapath from the result, and a policy
 * that is only partly right would leave ports partly guarded.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>

#include "names.h"
#include "policy.h"
#include "units.h"

/*
 * longest JSON path we build: "tenants[N].ports[N].acl.ingress.rules[N].
 * remote_group", about 80 bytes with the largest indexes
 */
#define TG_PATH_LEN	128

/* how the rules being parsed may name a remote group */
enum tg_group_scope {
	TG_GROUPS_NONE,		/* node rules: they serve every tenant */
	TG_GROUPS_IDS,		/* a rule set file: no tenant to name them */
	TG_GROUPS_TENANT,	/* a port's rules: its tenant's, by name or id */
};

struct tg_parse {
	const char *file;
	char *err;
	size_t errlen;
	/* JSON path of the value being parsed, for error messages */
	char path[TG_PATH_LEN];
	size_t plen;
	struct tg_policy pol;
	size_t ports_cap;
	/* JSON path of each entry of pol.ports, to name the other place */
	char (*port_paths)[TG_PATH_LEN];
	enum tg_group_scope scope;
	/* the tenant being parsed: its name, its "groups" object */
	const char *tenant;
	json_t *groups;
	/* bit per group id: declared by that tenant */
	uint8_t *group_ids;
	/* rules in the port rule sets so far, for the node's limit */
	size_t acl_rules;
};

static int __attribute__((format(printf, 3, 4)))
tg_fail(struct tg_parse *p, int errnum, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "%s: %s%s%s", p->file, p->path,
			 p->plen ? ": " : "", msg);
	return -errnum;
}

static size_t tg_path_set(struct tg_parse *p, size_t old, int n)
{
	if (n < 0)
		n = 0;
	p->plen = old + n;
	if (p->plen >= sizeof(p->path))
		p->plen = sizeof(p->path) - 1;
	return old;
}

/* append ".key" (or "key" at the top) and return the length to pop back to */
static size_t tg_path_key(struct tg_parse *p, const char *key)
{
	size_t old = p->plen;

	return tg_path_set(p, old, snprintf(p->path + old, sizeof(p->path) - old,
					    "%s%s", old ? "." : "", key));
}

static size_t tg_path_idx(struct tg_parse *p, size_t i)
{
	size_t old = p->plen;

	return tg_path_set(p, old, snprintf(p->path + old, sizeof(p->path) - old,
					    "[%zu]", i));
}

static void tg_path_pop(struct tg_parse *p, size_t old)
{
	p->plen = old;
	p->path[old] = '\0';
}

static const char *tg_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

static int tg_expect(struct tg_parse *p, const json_t *v, json_type type)
{
	static const char *const names[] = {
		[JSON_OBJECT] = "an object",
		[JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string",
		[JSON_INTEGER] = "an integer",
		[JSON_TRUE] = "true or false",
	};

	if (json_typeof(v) == type ||
	    (type == JSON_TRUE && json_typeof(v) == JSON_FALSE))
		return 0;
	return tg_fail(p, EINVAL, "expected %s, got %s", names[type],
		       tg_json_type_name(v));
}

/* every member of obj must be named in known[], a NULL-terminated list */
static int tg_check_fields(struct tg_parse *p, json_t *obj,
			   const char *const *known)
{
	const char *key, *const *k;
	json_t *v;

	json_object_foreach(obj, key, v) {
		for (k = known; *k; k++)
			if (!strcmp(*k, key))
				break;
		if (!*k)
			return tg_fail(p, EINVAL, "unknown field \"%s\"", key);
	}
	return 0;
}

/*
 * The member key of obj if it is there and of the right type, NULL in *out if
 * it is absent and may be. The caller has pushed nothing: type errors name
 * the member, a missing member names the object.
 */
static int tg_member(struct tg_parse *p, json_t *obj, const char *key,
		     json_type type, bool required, json_t **out)
{
	json_t *v = json_object_get(obj, key);
	size_t old;
	int ret;

	*out = NULL;
	if (!v) {
		if (required)
			return tg_fail(p, EINVAL, "missing field \"%s\"", key);
		return 0;
	}
	old = tg_path_key(p, key);
	ret = tg_expect(p, v, type);
	tg_path_pop(p, old);
	if (ret)
		return ret;
	*out = v;
	return 0;
}

static int tg_member_int(struct tg_parse *p, json_t *obj, const char *key,
			 bool required, json_int_t min, json_int_t max,
			 json_int_t *val, bool *present)
{
	json_t *v;
	size_t old;
	int ret;

	ret = tg_member(p, obj, key, JSON_INTEGER, required, &v);
	if (ret)
		return ret;
	if (present)
		*present = v;
	if (!v)
		return 0;
	*val = json_integer_value(v);
	if (*val >= min && *val <= max)
		return 0;
	old = tg_path_key(p, key);
	ret = tg_fail(p, EINVAL, "%lld is out of range %lld..%lld",
		      (long long)*val, (long long)min, (long long)max);
	tg_path_pop(p, old);
	return ret;
}

static int tg_member_bool(struct tg_parse *p, json_t *obj, const char *key,
			  bool *val)
{
	json_t *v;
	int ret;

	ret = tg_member(p, obj, key, JSON_TRUE, false, &v);
	if (!ret && v)
		*val = json_is_true(v);
	return ret;
}

/* the kernel's dev_valid_name(): anything else can never be a device */
bool tg_ifname_valid(const char *name, size_t len)
{
	size_t i;

	if (!len || len >= IFNAMSIZ || strlen(name) != len)
		return false;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == ':' ||
		    isspace((unsigned char)name[i]))
			return false;
	return true;
}

bool tg_tenant_name_valid(const char *name, size_t len)
{
	size_t i;

	if (!len || len >= TENGUARD_NAME_LEN || strlen(name) != len)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("._-", name[i]))
			return false;
	return true;
}

static void tg_seg_str(uint32_t seg, char *buf, size_t len)
{
	snprintf(buf, len, "%s %u",
		 TENGUARD_SEG_TYPE(seg) == TENGUARD_SEG_VLAN(0) ? "vlan" : "vni",
		 TENGUARD_SEG_ID(seg));
}

/* {"vlan": N} or {"vni": N}; the path points at the object */
static int tg_parse_segment(struct tg_parse *p, json_t *obj, uint32_t *seg)
{
	static const char *const fields[] = { "vlan", "vni", NULL };
	bool has_vlan, has_vni;
	json_int_t vlan, vni;
	int ret;

	ret = tg_expect(p, obj, JSON_OBJECT);
	if (!ret)
		ret = tg_check_fields(p, obj, fields);
	if (!ret)
		ret = tg_member_int(p, obj, "vlan", false, 1, TENGUARD_VLAN_MAX,
				    &vlan, &has_vlan);
	if (!ret)
		ret = tg_member_int(p, obj, "vni", false, 0, TENGUARD_VNI_MAX,
				    &vni, &has_vni);
	if (ret)
		return ret;
	if (has_vlan == has_vni)
		return tg_fail(p, EINVAL,
			       "expected exactly one of \"vlan\" or \"vni\"");
	*seg = has_vlan ? TENGUARD_SEG_VLAN(vlan) : TENGUARD_SEG_VNI(vni);
	return 0;
}

/* the tenant that declares seg, or NULL */
static const struct tg_tenant_cfg *tg_seg_owner(const struct tg_parse *p,
						size_t n_tenants, uint32_t seg,
						size_t *ti, size_t *si)
{
	const struct tg_tenant_cfg *t;
	size_t i, j;

	for (i = 0; i < n_tenants; i++) {
		t = &p->pol.tenants[i];
		for (j = 0; j < t->n_segments; j++) {
			if (t->segments[j].seg == seg) {
				*ti = i;
				*si = j;
				return t;
			}
		}
	}
	return NULL;
}

static int tg_parse_segments(struct tg_parse *p, size_t ti, json_t *arr)
{
	struct tg_tenant_cfg *t = &p->pol.tenants[ti];
	size_t i, old, oti, osi;
	char seg_str[32];
	uint32_t seg;
	int ret;

	if (!json_array_size(arr))
		return 0;
	t->segments = calloc(json_array_size(arr), sizeof(*t->segments));
	if (!t->segments)
		return tg_fail(p, ENOMEM, "out of memory");
	for (i = 0; i < json_array_size(arr); i++) {
		old = tg_path_idx(p, i);
		ret = tg_parse_segment(p, json_array_get(arr, i), &seg);
		if (ret)
			return ret;
		/* the datapath maps a segment to one tenant: no sharing */
		if (tg_seg_owner(p, ti + 1, seg, &oti, &osi)) {
			tg_seg_str(seg, seg_str, sizeof(seg_str));
			if (oti == ti)
				return tg_fail(p, EINVAL,
					       "duplicate segment %s, also at tenants[%zu].segments[%zu]",
					       seg_str, oti, osi);
			return tg_fail(p, EINVAL,
				       "segment %s in two tenants, also at tenants[%zu].segments[%zu]",
				       seg_str, oti, osi);
		}
		t->segments[t->n_segments++].seg = seg;
		tg_path_pop(p, old);
	}
	return 0;
}

/* a new zeroed entry at the end of pol.ports, remembering the current path */
static int tg_port_add(struct tg_parse *p, struct tg_port_cfg **port)
{
	size_t n = p->pol.n_ports;
	void *mem;

	if (n == p->ports_cap) {
		size_t cap = p->ports_cap ? 2 * p->ports_cap : 8;

		mem = reallocarray(p->pol.ports, cap, sizeof(*p->pol.ports));
		if (!mem)
			return tg_fail(p, ENOMEM, "out of memory");
		p->pol.ports = mem;
		mem = reallocarray(p->port_paths, cap, sizeof(*p->port_paths));
		if (!mem)
			return tg_fail(p, ENOMEM, "out of memory");
		p->port_paths = mem;
		p->ports_cap = cap;
	}
	*port = &p->pol.ports[n];
	memset(*port, 0, sizeof(**port));
	snprintf(p->port_paths[n], sizeof(p->port_paths[n]), "%s", p->path);
	p->pol.n_ports++;
	return 0;
}

/* "name" and "optional" of a VM port or an uplink */
static int tg_parse_port_common(struct tg_parse *p, json_t *obj,
				struct tg_port_cfg *port)
{
	const char *name;
	json_t *v;
	size_t i, old;
	int ret;

	ret = tg_member(p, obj, "name", JSON_STRING, true, &v);
	if (ret)
		return ret;
	name = json_string_value(v);
	old = tg_path_key(p, "name");
	if (!tg_ifname_valid(name, json_string_length(v)))
		return tg_fail(p, EINVAL,
			       "\"%s\" is no interface name (1..%d bytes, not \".\" or \"..\", no '/', ':' or spaces)",
			       name, IFNAMSIZ - 1);
	/* two entries for one device: which policy would win is anyone's guess */
	for (i = 0; i + 1 < p->pol.n_ports; i++)
		if (!strcmp(p->pol.ports[i].name, name))
			return tg_fail(p, EINVAL,
				       "duplicate port name \"%s\", also at %s.name",
				       name, p->port_paths[i]);
	strcpy(port->name, name);
	tg_path_pop(p, old);
	return tg_member_bool(p, obj, "optional", &port->optional);
}

static int tg_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* exactly "xx:xx:xx:xx:xx:xx": sscanf() would take far more than that */
bool tg_mac_parse(const char *s, uint8_t mac[6])
{
	int i, hi, lo;

	if (strlen(s) != 17)
		return false;
	for (i = 0; i < 6; i++) {
		hi = tg_hex(s[3 * i]);
		lo = tg_hex(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return false;
		mac[i] = hi << 4 | lo;
	}
	return true;
}

static int tg_parse_macs(struct tg_parse *p, json_t *arr,
			 struct tg_port_cfg *port)
{
	static const uint8_t zero[6];
	size_t i, j, k, old;
	char mac_str[18];
	uint8_t *mac;
	json_t *v;
	int ret;

	if (!json_array_size(arr))
		return tg_fail(p, EINVAL,
			       "a port needs at least one MAC address");
	port->macs = calloc(json_array_size(arr), sizeof(*port->macs));
	if (!port->macs)
		return tg_fail(p, ENOMEM, "out of memory");
	for (i = 0; i < json_array_size(arr); i++) {
		v = json_array_get(arr, i);
		old = tg_path_idx(p, i);
		ret = tg_expect(p, v, JSON_STRING);
		if (ret)
			return ret;
		mac = port->macs[i];
		if (!tg_mac_parse(json_string_value(v), mac))
			return tg_fail(p, EINVAL,
				       "\"%s\" is no MAC address (xx:xx:xx:xx:xx:xx)",
				       json_string_value(v));
		snprintf(mac_str, sizeof(mac_str),
			 "%02x:%02x:%02x:%02x:%02x:%02x",
			 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
		if (mac[0] & 0x01)
			return tg_fail(p, EINVAL,
				       "multicast MAC %s cannot be a port's address",
				       mac_str);
		if (!memcmp(mac, zero, sizeof(zero)))
			return tg_fail(p, EINVAL,
				       "all-zero MAC cannot be a port's address");
		/*
		 * The MAC a frame is delivered to decides the port, so one
		 * MAC on two ports lets one VM receive the other's traffic.
		 * A node has hundreds of ports, so quadratic is fine.
		 */
		for (k = 0; k < p->pol.n_ports; k++) {
			const struct tg_port_cfg *o = &p->pol.ports[k];

			for (j = 0; j < o->n_macs; j++)
				if (!memcmp(o->macs[j], mac, 6))
					return tg_fail(p, EINVAL,
						       "duplicate MAC %s, also at %s.macs[%zu]",
						       mac_str, p->port_paths[k], j);
		}
		port->n_macs++;
		tg_path_pop(p, old);
	}
	return 0;
}

/* a reason in err, for parsers that serve more than policy files */
static int __attribute__((format(printf, 3, 4)))
tg_why(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void tg_prefix_str(const struct tg_prefix *pfx, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(pfx->family, pfx->addr, addr, sizeof(addr));
	snprintf(buf, len, "%s/%u", addr, pfx->prefixlen);
}

/* "a.b.c.d[/len]" or "x:y::z[/len]", the whole address if len is left out */
int tg_prefix_from_str(const char *s, struct tg_prefix *pfx, char *err,
		       size_t errlen)
{
	static const uint8_t v4mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	char buf[INET6_ADDRSTRLEN + 8], str[INET6_ADDRSTRLEN + 8];
	unsigned int max, len, i;
	char *slash, *c;

	if (strlen(s) >= sizeof(buf))
		return tg_why(err, errlen, "\"%.64s...\" is no address", s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	memset(pfx, 0, sizeof(*pfx));
	pfx->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	max = pfx->family == AF_INET ? 32 : 128;
	if (inet_pton(pfx->family, buf, pfx->addr) != 1)
		return tg_why(err, errlen, "\"%s\" is no IPv4 or IPv6 address",
			      s);
	len = max;
	if (slash) {
		/* strtoul() would take signs, spaces and hex */
		if (!*slash || strlen(slash) > 3)
			return tg_why(err, errlen, "bad prefix length in \"%s\"",
				      s);
		for (len = 0, c = slash; *c; c++) {
			if (!isdigit((unsigned char)*c))
				return tg_why(err, errlen,
					      "bad prefix length in \"%s\"", s);
			len = len * 10 + (*c - '0');
		}
		if (len > max)
			return tg_why(err, errlen,
				      "prefix length %u of \"%s\" is longer than %u",
				      len, s, max);
	}
	pfx->prefixlen = len;
	for (i = len; i < max; i++) {
		if (pfx->addr[i / 8] & (0x80 >> (i % 8))) {
			for (; i < max; i++)
				pfx->addr[i / 8] &= ~(0x80 >> (i % 8));
			tg_prefix_str(pfx, str, sizeof(str));
			return tg_why(err, errlen,
				      "host bits set in \"%s\" (did you mean %s?)",
				      s, str);
		}
	}
	/*
	 * The datapath keeps IPv4 addresses IPv4-mapped in the same trie: a
	 * mapped IPv6 prefix here would be an IPv4 prefix that the checks
	 * across tenants compare as IPv6.
	 */
	if (pfx->family == AF_INET6 && len >= 96 &&
	    !memcmp(pfx->addr, v4mapped, sizeof(v4mapped)))
		return tg_why(err, errlen,
			      "\"%s\" is IPv4-mapped: write it as an IPv4 address",
			      s);
	return 0;
}

static int tg_prefix_parse(struct tg_parse *p, const char *s,
			   struct tg_prefix *pfx)
{
	char why[256];

	if (tg_prefix_from_str(s, pfx, why, sizeof(why)))
		return tg_fail(p, EINVAL, "%s", why);
	return 0;
}

static bool tg_prefix_overlap(const struct tg_prefix *a,
			      const struct tg_prefix *b)
{
	unsigned int len = a->prefixlen < b->prefixlen ?
			   a->prefixlen : b->prefixlen;
	uint8_t mask;

	if (a->family != b->family)
		return false;
	if (memcmp(a->addr, b->addr, len / 8))
		return false;
	if (!(len % 8))
		return true;
	mask = 0xff << (8 - len % 8);
	return !((a->addr[len / 8] ^ b->addr[len / 8]) & mask);
}

static int tg_parse_addrs(struct tg_parse *p, json_t *arr,
			  struct tg_port_cfg *port)
{
	char str[2][INET6_ADDRSTRLEN + 8];
	struct tg_prefix *pfx;
	size_t i, j, k, old;
	json_t *v;
	int ret;

	if (!json_array_size(arr))
		return 0;
	port->addrs = calloc(json_array_size(arr), sizeof(*port->addrs));
	if (!port->addrs)
		return tg_fail(p, ENOMEM, "out of memory");
	for (i = 0; i < json_array_size(arr); i++) {
		v = json_array_get(arr, i);
		old = tg_path_idx(p, i);
		ret = tg_expect(p, v, JSON_STRING);
		if (ret)
			return ret;
		pfx = &port->addrs[i];
		ret = tg_prefix_parse(p, json_string_value(v), pfx);
		if (ret)
			return ret;
		tg_prefix_str(pfx, str[0], sizeof(str[0]));
		for (j = 0; j < port->n_addrs; j++)
			if (port->addrs[j].family == pfx->family &&
			    port->addrs[j].prefixlen == pfx->prefixlen &&
			    !memcmp(port->addrs[j].addr, pfx->addr, 16))
				return tg_fail(p, EINVAL,
					       "duplicate address %s, also at %s.addresses[%zu]",
					       str[0], p->port_paths[p->pol.n_ports - 1], j);
		/*
		 * Within a tenant, overlapping prefixes are a matter of the
		 * tenant's own routing; across tenants they would let one
		 * tenant's VM pass as the other's.
		 */
		for (k = 0; k + 1 < p->pol.n_ports; k++) {
			const struct tg_port_cfg *o = &p->pol.ports[k];

			if (o->kind != TENGUARD_PORT_VM || o->tenant == port->tenant)
				continue;
			for (j = 0; j < o->n_addrs; j++) {
				if (!tg_prefix_overlap(&o->addrs[j], pfx))
					continue;
				tg_prefix_str(&o->addrs[j], str[1], sizeof(str[1]));
				return tg_fail(p, EINVAL,
					       "address in two tenants: %s overlaps %s at %s.addresses[%zu]",
					       str[0], str[1], p->port_paths[k], j);
			}
		}
		port->n_addrs++;
		tg_path_pop(p, old);
	}
	return 0;
}

static int tg_ethertype_value(struct tg_parse *p, json_t *v, unsigned int *et)
{
	const char *s, *c;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0 || json_integer_value(v) > 0xffff)
			return tg_fail(p, EINVAL, "%lld is no ethertype",
				       (long long)json_integer_value(v));
		*et = json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return tg_fail(p, EINVAL, "expected a hex string or an integer, got %s",
			       tg_json_type_name(v));
	s = json_string_value(v);
	if (s[0] != '0' || tolower((unsigned char)s[1]) != 'x' || !s[2] ||
	    strlen(s) > 6)
		return tg_fail(p, EINVAL,
			       "\"%s\" is no ethertype (a hex string like \"0x88cc\")",
			       s);
	for (*et = 0, c = s + 2; *c; c++) {
		if (tg_hex(*c) < 0)
			return tg_fail(p, EINVAL,
				       "\"%s\" is no ethertype (a hex string like \"0x88cc\")",
				       s);
		*et = *et << 4 | tg_hex(*c);
	}
	return 0;
}

static int tg_parse_ethertypes(struct tg_parse *p, json_t *arr,
			       struct tg_port_cfg *port)
{
	unsigned int et = 0;
	size_t i, j, old;
	int ret;

	if (!json_array_size(arr))
		return 0;
	port->ethertypes = calloc(json_array_size(arr),
				  sizeof(*port->ethertypes));
	if (!port->ethertypes)
		return tg_fail(p, ENOMEM, "out of memory");
	for (i = 0; i < json_array_size(arr); i++) {
		old = tg_path_idx(p, i);
		ret = tg_ethertype_value(p, json_array_get(arr, i), &et);
		if (ret)
			return ret;
		/* below 0x0600 the field is an 802.3 length */
		if (et < 0x0600)
			return tg_fail(p, EINVAL,
				       "0x%04x is an 802.3 length, not an ethertype (0x0600..0xffff)",
				       et);
		switch (et) {
		case 0x0800:
		case 0x0806:
		case 0x86dd:
			return tg_fail(p, EINVAL,
				       "ethertype 0x%04x (%s) is always inspected, never just allowed",
				       et, et == 0x0800 ? "IPv4" :
				       et == 0x0806 ? "ARP" : "IPv6");
		case 0x8100:
		case 0x88a8:
		case 0x9100:
			return tg_fail(p, EINVAL,
				       "ethertype 0x%04x is a VLAN tag: a VM may never send tagged frames",
				       et);
		}
		for (j = 0; j < port->n_ethertypes; j++)
			if (port->ethertypes[j] == et)
				return tg_fail(p, EINVAL,
					       "duplicate ethertype 0x%04x, also at %s.ethertypes[%zu]",
					       et, p->port_paths[p->pol.n_ports - 1], j);
		port->ethertypes[port->n_ethertypes++] = et;
		tg_path_pop(p, old);
	}
	return 0;
}

static int tg_parse_flags(struct tg_parse *p, json_t *arr,
			  struct tg_port_cfg *port)
{
	const char *name;
	uint32_t flag;
	size_t i, old;
	json_t *v;
	int ret;

	for (i = 0; i < json_array_size(arr); i++) {
		v = json_array_get(arr, i);
		old = tg_path_idx(p, i);
		ret = tg_expect(p, v, JSON_STRING);
		if (ret)
			return ret;
		name = json_string_value(v);
		if (tg_port_flag_parse(name, &flag))
			return tg_fail(p, EINVAL,
				       "unknown flag \"%s\" (dhcp-server, router, encap)",
				       name);
		if (port->flags & flag)
			return tg_fail(p, EINVAL, "duplicate flag \"%s\"", name);
		port->flags |= flag;
		tg_path_pop(p, old);
	}
	return 0;
}

/*
 * Groups name sets of a tenant's ports for the rules of its other ports
 * ("remote_group"). Their names are words like tenant names; a name of
 * digits only would read as an id where a rule takes both.
 */
static bool tg_group_name_valid(const char *name, size_t len)
{
	return tg_tenant_name_valid(name, len) &&
	       strspn(name, "0123456789") != len;
}

static bool tg_group_declared(const struct tg_parse *p, json_int_t id)
{
	return p->groups && id >= 1 && id <= TENGUARD_GROUP_MAX &&
	       (p->group_ids[id / 8] & (1U << (id % 8)));
}

/*
 * The name the current tenant gives group id, other than skip: for
 * messages only, so walking its groups is fine.
 */
static const char *tg_group_name(const struct tg_parse *p, json_int_t id,
				 const char *skip)
{
	const char *name;
	json_t *v;

	json_object_foreach(p->groups, name, v)
		if (json_integer_value(v) == id && (!skip || strcmp(name, skip)))
			return name;
	return NULL;
}

/* a tenant's "groups": {"web": 1, ...}; the path points at the object */
static int tg_parse_tenant_groups(struct tg_parse *p, json_t *obj)
{
	size_t old = p->plen, bytes = TENGUARD_GROUP_MAX / 8 + 1;
	const char *name;
	json_int_t id;
	json_t *v;
	int ret;

	if (!p->group_ids) {
		p->group_ids = calloc(bytes, 1);
		if (!p->group_ids)
			return tg_fail(p, ENOMEM, "out of memory");
	} else {
		memset(p->group_ids, 0, bytes);
	}
	p->groups = obj;
	json_object_foreach(obj, name, v) {
		if (!tg_group_name_valid(name, strlen(name)))
			return tg_fail(p, EINVAL,
				       "\"%s\" is no group name (1..%d of A-Z a-z 0-9 . _ -, not only digits)",
				       name, TENGUARD_NAME_LEN - 1);
		tg_path_key(p, name);
		ret = tg_expect(p, v, JSON_INTEGER);
		if (ret)
			return ret;
		id = json_integer_value(v);
		if (id < 1 || id > TENGUARD_GROUP_MAX)
			return tg_fail(p, EINVAL, "%lld is out of range 1..%d",
				       (long long)id, TENGUARD_GROUP_MAX);
		/* a rule naming the id would not know which group it meant */
		if (tg_group_declared(p, id))
			return tg_fail(p, EINVAL,
				       "duplicate group id %lld, also at %.*s.%s",
				       (long long)id, (int)old, p->path,
				       tg_group_name(p, id, name));
		p->group_ids[id / 8] |= 1U << (id % 8);
		tg_path_pop(p, old);
	}
	return 0;
}

/*
 * A group of the current tenant, by name or id as the scope allows; the
 * path points at the value.
 */
static int tg_group_ref(struct tg_parse *p, json_t *v, uint32_t *id)
{
	json_t *g;

	switch (p->scope) {
	case TG_GROUPS_NONE:
		return tg_fail(p, EINVAL,
			       "node rules serve every tenant: they cannot name a tenant's group");
	case TG_GROUPS_IDS:
		if (json_is_string(v))
			return tg_fail(p, EINVAL,
				       "expected a group id, got a string: group names belong to a tenant in a policy file");
		if (!json_is_integer(v))
			return tg_fail(p, EINVAL, "expected a group id, got %s",
				       tg_json_type_name(v));
		if (json_integer_value(v) < 1 ||
		    json_integer_value(v) > TENGUARD_GROUP_MAX)
			return tg_fail(p, EINVAL, "%lld is out of range 1..%d",
				       (long long)json_integer_value(v),
				       TENGUARD_GROUP_MAX);
		*id = json_integer_value(v);
		return 0;
	case TG_GROUPS_TENANT:
		break;
	}
	if (json_is_string(v)) {
		g = p->groups ? json_object_get(p->groups, json_string_value(v)) :
				NULL;
		if (!g)
			return tg_fail(p, EINVAL,
				       "tenant \"%s\" declares no group \"%s\"",
				       p->tenant, json_string_value(v));
		*id = json_integer_value(g);
		return 0;
	}
	if (!json_is_integer(v))
		return tg_fail(p, EINVAL, "expected a group name or id, got %s",
			       tg_json_type_name(v));
	if (!tg_group_declared(p, json_integer_value(v)))
		return tg_fail(p, EINVAL, "tenant \"%s\" declares no group %lld",
			       p->tenant, (long long)json_integer_value(v));
	*id = json_integer_value(v);
	return 0;
}

/* a VM port's "groups": ["web", 2] */
static int tg_parse_port_groups(struct tg_parse *p, json_t *arr,
				struct tg_port_cfg *port)
{
	size_t i, j, old, n = json_array_size(arr);
	const char *name;
	uint32_t id;
	int ret;

	if (n > TENGUARD_PORT_GROUPS_MAX)
		return tg_fail(p, E2BIG, "%zu groups, a port is in at most %d",
			       n, TENGUARD_PORT_GROUPS_MAX);
	if (!n)
		return 0;
	port->groups = calloc(n, sizeof(*port->groups));
	if (!port->groups)
		return tg_fail(p, ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		old = tg_path_idx(p, i);
		ret = tg_group_ref(p, json_array_get(arr, i), &id);
		if (ret)
			return ret;
		for (j = 0; j < port->n_groups; j++) {
			if (port->groups[j] != id)
				continue;
			name = tg_group_name(p, id, NULL);
			return tg_fail(p, EINVAL,
				       "duplicate group \"%s\" (%u), also at %s.groups[%zu]",
				       name ? name : "?", id,
				       p->port_paths[p->pol.n_ports - 1], j);
		}
		port->groups[port->n_groups++] = id;
		tg_path_pop(p, old);
	}
	return 0;
}

static int tg_member_action(struct tg_parse *p, json_t *obj, const char *key,
			    uint8_t *action)
{
	json_t *v;
	size_t old;
	int ret;

	ret = tg_member(p, obj, key, JSON_STRING, true, &v);
	if (ret)
		return ret;
	ret = tg_name_index(tg_acl_action_names, __TENGUARD_ACL_ACTION_MAX,
			    json_string_value(v));
	if (ret < 0) {
		old = tg_path_key(p, key);
		ret = tg_fail(p, EINVAL, "unknown action \"%s\" (allow, deny)",
			      json_string_value(v));
		tg_path_pop(p, old);
		return ret;
	}
	*action = ret;
	return 0;
}

/* a protocol name or number; the path points at the value */
static int tg_rule_proto(struct tg_parse *p, json_t *v, uint8_t *proto)
{
	json_int_t n;

	if (json_is_string(v)) {
		if (tg_proto_parse(json_string_value(v), proto))
			return tg_fail(p, EINVAL,
				       "unknown protocol \"%s\" (tcp, udp, icmp, icmpv6, sctp, udplite, gre, esp, ah or a number 1..255)",
				       json_string_value(v));
		return 0;
	}
	if (!json_is_integer(v))
		return tg_fail(p, EINVAL,
			       "expected a protocol name or number, got %s",
			       tg_json_type_name(v));
	n = json_integer_value(v);
	/* 0 would be read as "any": that is what leaving "proto" out says */
	if (n < 1 || n > 255)
		return tg_fail(p, EINVAL,
			       "%lld is out of range 1..255 (leave \"proto\" out for any protocol)",
			       (long long)n);
	*proto = n;
	return 0;
}

/* decimal digits only, at most 5 of them: strtoul() takes signs and spaces */
static bool tg_port_num(const char *s, size_t len, unsigned int *port)
{
	size_t i;

	if (!len || len > 5)
		return false;
	for (*port = 0, i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*port = *port * 10 + (s[i] - '0');
	}
	return true;
}

/* 22, "22" or "8000-8080"; the path points at the value */
static int tg_rule_ports(struct tg_parse *p, json_t *v,
			 struct tenguard_acl_rule *r)
{
	unsigned int lo, hi;
	const char *s, *dash;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0 || json_integer_value(v) > 0xffff)
			return tg_fail(p, EINVAL, "%lld is out of range 0..65535",
				       (long long)json_integer_value(v));
		r->port_min = r->port_max = json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return tg_fail(p, EINVAL,
			       "expected a port, or a range \"N-M\", got %s",
			       tg_json_type_name(v));
	s = json_string_value(v);
	dash = strchr(s, '-');
	if (!tg_port_num(s, dash ? (size_t)(dash - s) : strlen(s), &lo) ||
	    (dash && !tg_port_num(dash + 1, strlen(dash + 1), &hi)))
		return tg_fail(p, EINVAL,
			       "\"%s\" is no port or port range (\"N\" or \"N-M\", 0..65535)",
			       s);
	if (!dash)
		hi = lo;
	if (lo > 0xffff || hi > 0xffff)
		return tg_fail(p, EINVAL, "\"%s\" is out of range 0..65535", s);
	if (lo > hi)
		return tg_fail(p, EINVAL,
			       "port range \"%s\" is reversed (did you mean \"%u-%u\"?)",
			       s, hi, lo);
	r->port_min = lo;
	r->port_max = hi;
	return 0;
}

/* run parse on member key of obj with the path pointing at it, if present */
static int tg_rule_field(struct tg_parse *p, json_t *obj, const char *key,
			 struct tenguard_acl_rule *r,
			 int (*parse)(struct tg_parse *, json_t *,
				      struct tenguard_acl_rule *))
{
	json_t *v = json_object_get(obj, key);
	size_t old;
	int ret;

	if (!v)
		return 0;
	old = tg_path_key(p, key);
	ret = parse(p, v, r);
	if (!ret)
		tg_path_pop(p, old);
	return ret;
}

static int tg_rule_proto_field(struct tg_parse *p, json_t *v,
			       struct tenguard_acl_rule *r)
{
	return tg_rule_proto(p, v, &r->proto);
}

static int tg_rule_remote(struct tg_parse *p, json_t *v,
			  struct tenguard_acl_rule *r)
{
	struct tg_prefix pfx;
	int ret;

	ret = tg_expect(p, v, JSON_STRING);
	if (!ret)
		ret = tg_prefix_parse(p, json_string_value(v), &pfx);
	if (ret)
		return ret;
	r->family = pfx.family == AF_INET ? 4 : 6;
	r->prefixlen = pfx.prefixlen;
	memcpy(r->addr, pfx.addr, sizeof(r->addr));
	return 0;
}

static int tg_rule_group(struct tg_parse *p, json_t *v,
			 struct tenguard_acl_rule *r)
{
	/* one remote per rule: a prefix and a group would each be half */
	if (r->family)
		return tg_fail(p, EINVAL,
			       "a rule has a \"remote\" or a \"remote_group\", not both");
	return tg_group_ref(p, v, &r->group);
}

static int tg_rule_port_range(struct tg_parse *p, json_t *v,
			      struct tenguard_acl_rule *r)
{
	if (!r->proto)
		return tg_fail(p, EINVAL,
			       "ports need \"proto\" tcp, udp, sctp or udplite");
	if (!tg_proto_has_ports(r->proto)) {
		const char *name = tg_proto_name(r->proto);
		char num[8];

		snprintf(num, sizeof(num), "%u", r->proto);
		return tg_fail(p, EINVAL,
			       "protocol %s has no ports (tcp, udp, sctp and udplite have)",
			       name ? name : num);
	}
	r->match |= TENGUARD_RULE_M_PORTS;
	return tg_rule_ports(p, v, r);
}

static bool tg_proto_is_icmp(uint8_t proto)
{
	return proto == 1 || proto == 58;
}

static int tg_rule_icmp(struct tg_parse *p, json_t *v,
			struct tenguard_acl_rule *r, uint8_t *out)
{
	int ret;

	if (!tg_proto_is_icmp(r->proto))
		return tg_fail(p, EINVAL,
			       "an ICMP type or code needs \"proto\" icmp or icmpv6");
	ret = tg_expect(p, v, JSON_INTEGER);
	if (ret)
		return ret;
	if (json_integer_value(v) < 0 || json_integer_value(v) > 255)
		return tg_fail(p, EINVAL, "%lld is out of range 0..255",
			       (long long)json_integer_value(v));
	*out = json_integer_value(v);
	return 0;
}

static int tg_rule_icmp_type(struct tg_parse *p, json_t *v,
			     struct tenguard_acl_rule *r)
{
	r->match |= TENGUARD_RULE_M_ICMP_TYPE;
	return tg_rule_icmp(p, v, r, &r->icmp_type);
}

static int tg_rule_icmp_code(struct tg_parse *p, json_t *v,
			     struct tenguard_acl_rule *r)
{
	/* the datapath keys on type << 8 | code: a code alone has no key */
	if (tg_proto_is_icmp(r->proto) && !(r->match & TENGUARD_RULE_M_ICMP_TYPE))
		return tg_fail(p, EINVAL, "an ICMP code needs an \"icmp_type\"");
	r->match |= TENGUARD_RULE_M_ICMP_CODE;
	return tg_rule_icmp(p, v, r, &r->icmp_code);
}

/* one rule of a port's rule set, the node's, or a rule set file */
static int tg_parse_rule(struct tg_parse *p, json_t *obj,
			 struct tenguard_acl_rule *r)
{
	static const char *const fields[] = {
		"action", "log", "remote", "remote_group", "proto", "ports",
		"icmp_type", "icmp_code", NULL
	};
	char str[INET6_ADDRSTRLEN];
	bool log = false;
	size_t old;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = tg_expect(p, obj, JSON_OBJECT);
	if (!ret)
		ret = tg_check_fields(p, obj, fields);
	if (!ret)
		ret = tg_member_action(p, obj, "action", &r->action);
	if (!ret)
		ret = tg_member_bool(p, obj, "log", &log);
	if (!ret)
		ret = tg_rule_field(p, obj, "proto", r, tg_rule_proto_field);
	if (!ret)
		ret = tg_rule_field(p, obj, "remote", r, tg_rule_remote);
	if (!ret)
		ret = tg_rule_field(p, obj, "remote_group", r, tg_rule_group);
	if (ret)
		return ret;
	if (log)
		r->flags |= TENGUARD_RULE_F_LOG;

	/* an ICMP rule for the other family's addresses is a mistake */
	if ((r->proto == 1 && r->family == 6) ||
	    (r->proto == 58 && r->family == 4)) {
		inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, str,
			  sizeof(str));
		old = tg_path_key(p, "proto");
		ret = tg_fail(p, EINVAL,
			      "%s never matches the %s remote %s/%u (use %s)",
			      r->proto == 1 ? "icmp" : "icmpv6",
			      r->family == 4 ? "IPv4" : "IPv6", str,
			      r->prefixlen, r->proto == 1 ? "icmpv6" : "icmp");
		tg_path_pop(p, old);
		return ret;
	}

	ret = tg_rule_field(p, obj, "ports", r, tg_rule_port_range);
	if (!ret)
		ret = tg_rule_field(p, obj, "icmp_type", r, tg_rule_icmp_type);
	if (!ret)
		ret = tg_rule_field(p, obj, "icmp_code", r, tg_rule_icmp_code);
	return ret;
}

/* an array of at most max rules into acl->rules; the path points at it */
static int tg_parse_rules(struct tg_parse *p, json_t *arr, size_t max,
			  struct tg_acl_cfg *acl)
{
	size_t i, old, n = json_array_size(arr);
	int ret;

	if (n > max)
		return tg_fail(p, E2BIG, "%zu rules, at most %zu", n, max);
	if (!n)
		return 0;
	acl->rules = calloc(n, sizeof(*acl->rules));
	if (!acl->rules)
		return tg_fail(p, ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		old = tg_path_idx(p, i);
		ret = tg_parse_rule(p, json_array_get(arr, i), &acl->rules[i]);
		if (ret)
			return ret;
		acl->n_rules++;
		tg_path_pop(p, old);
	}
	return 0;
}

/* {"default": "deny", "rules": [...]}; the path points at the object */
static int tg_parse_acl_dir(struct tg_parse *p, json_t *obj,
			    struct tg_acl_cfg *acl)
{
	static const char *const fields[] = { "default", "rules", NULL };
	size_t old, n;
	json_t *arr;
	int ret;

	ret = tg_expect(p, obj, JSON_OBJECT);
	if (!ret)
		ret = tg_check_fields(p, obj, fields);
	/* no implicit default: an operator says which way a set fails */
	if (!ret)
		ret = tg_member_action(p, obj, "default", &acl->dflt);
	if (!ret)
		ret = tg_member(p, obj, "rules", JSON_ARRAY, false, &arr);
	if (ret)
		return ret;
	acl->present = true;
	if (!arr)
		return 0;
	old = tg_path_key(p, "rules");
	n = json_array_size(arr);
	if (n <= TENGUARD_ACL_RULES_MAX &&
	    p->acl_rules + n > TENGUARD_ACL_NODE_RULES_MAX)
		return tg_fail(p, E2BIG,
			       "the node's rule sets would hold %zu rules, at most %d",
			       p->acl_rules + n, TENGUARD_ACL_NODE_RULES_MAX);
	ret = tg_parse_rules(p, arr, TENGUARD_ACL_RULES_MAX, acl);
	if (ret)
		return ret;
	p->acl_rules += n;
	tg_path_pop(p, old);
	return 0;
}

/*
 * {"ingress": {...}, "egress": {...}}, either optional: each direction's
 * object to dir_fn with its index; the path points at the object
 */
static int tg_parse_dirs(struct tg_parse *p, json_t *obj,
			 int (*dir_fn)(struct tg_parse *p, json_t *v, int dir,
				       void *ctx), void *ctx)
{
	static const char *const fields[] = {
		[TENGUARD_ACL_INGRESS] = "ingress",
		[TENGUARD_ACL_EGRESS] = "egress",
		[__TENGUARD_ACL_DIR_MAX] = NULL
	};
	size_t old;
	json_t *v;
	int ret, d;

	ret = tg_expect(p, obj, JSON_OBJECT);
	if (!ret)
		ret = tg_check_fields(p, obj, fields);
	for (d = 0; !ret && d < __TENGUARD_ACL_DIR_MAX; d++) {
		v = json_object_get(obj, fields[d]);
		if (!v)
			continue;
		old = tg_path_key(p, fields[d]);
		ret = dir_fn(p, v, d, ctx);
		if (!ret)
			tg_path_pop(p, old);
	}
	return ret;
}

static int tg_parse_acl_one(struct tg_parse *p, json_t *v, int dir, void *ctx)
{
	struct tg_acl_cfg *acl = ctx;

	return tg_parse_acl_dir(p, v, &acl[dir]);
}

static int tg_parse_acl(struct tg_parse *p, json_t *obj,
			struct tg_acl_cfg acl[__TENGUARD_ACL_DIR_MAX])
{
	return tg_parse_dirs(p, obj, tg_parse_acl_one, acl);
}

/*
 * A value of a rate object: a JSON integer in the base unit or a string
 * with one of the units of units.h. The path points at the value.
 */
static int tg_unit_value(struct tg_parse *p, json_t *v,
			 int (*parse)(const char *, uint64_t *),
			 const char *what, uint64_t *out)
{
	const char *s;
	int ret;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return tg_fail(p, EINVAL, "%lld is negative",
				       (long long)json_integer_value(v));
		*out = json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return tg_fail(p, EINVAL,
			       "expected a string or an integer, got %s",
			       tg_json_type_name(v));
	s = json_string_value(v);
	ret = parse(s, out);
	if (ret == -ERANGE)
		return tg_fail(p, EINVAL, "\"%s\" does not fit in 64 bits", s);
	if (ret)
		return tg_fail(p, EINVAL, "\"%s\" is no %s", s, what);
	return 0;
}

/*
 * A bit rate and its burst, or a packet rate and its burst: the rate's
 * flag set if it is there, the burst defaulted as the module would.
 */
static int tg_parse_rate_bps(struct tg_parse *p, json_t *obj,
			     struct tenguard_rate *r)
{
	char max[TG_UNITS_STRLEN];
	uint64_t v;
	size_t old;
	json_t *m;
	int ret;

	m = json_object_get(obj, "bps");
	if (m) {
		old = tg_path_key(p, "bps");
		ret = tg_unit_value(p, m, tg_rate_parse,
				    "bit rate (bits per second: 100M, 1Gbit, 500k)",
				    &v);
		if (ret)
			return ret;
		if (v > TENGUARD_RATE_BPS_MAX)
			return tg_fail(p, EINVAL,
				       "%llu is above %llu bits per second (%s)",
				       (unsigned long long)v,
				       TENGUARD_RATE_BPS_MAX,
				       tg_rate_str(TENGUARD_RATE_BPS_MAX, max,
						   sizeof(max)));
		r->bps = v;
		r->flags |= TENGUARD_RATE_F_BPS;
		tg_path_pop(p, old);
	}
	m = json_object_get(obj, "burst");
	if (!m) {
		if (r->bps)
			r->burst = TENGUARD_RATE_BURST_DEFAULT(r->bps);
		return 0;
	}
	old = tg_path_key(p, "burst");
	ret = tg_unit_value(p, m, tg_size_parse,
			    "size (bytes: 128K, 64KiB, 1M)", &v);
	if (ret)
		return ret;
	/* a rate of 0 passes nothing: no burst would mean anything */
	if (!r->bps)
		return tg_fail(p, EINVAL, "a burst needs a \"bps\" above 0");
	if (v < TENGUARD_RATE_BURST_MIN)
		return tg_fail(p, EINVAL,
			       "%llu is below %u bytes (one full-size frame)",
			       (unsigned long long)v, TENGUARD_RATE_BURST_MIN);
	if (v > TENGUARD_RATE_BURST_MAX)
		return tg_fail(p, EINVAL, "%llu is above %u bytes (%s)",
			       (unsigned long long)v, TENGUARD_RATE_BURST_MAX,
			       tg_size_str(TENGUARD_RATE_BURST_MAX, max,
					   sizeof(max)));
	r->burst = v;
	tg_path_pop(p, old);
	return 0;
}

static int tg_parse_rate_pps(struct tg_parse *p, json_t *obj,
			     struct tenguard_rate *r)
{
	json_int_t burst;
	bool has_burst;
	uint64_t v;
	size_t old;
	json_t *m;
	int ret;

	m = json_object_get(obj, "pps");
	if (m) {
		old = tg_path_key(p, "pps");
		ret = tg_unit_value(p, m, tg_count_parse,
				    "packet rate (packets per second: 20000, 20k, 1M)",
				    &v);
		if (ret)
			return ret;
		if (v > TENGUARD_RATE_PPS_MAX)
			return tg_fail(p, EINVAL,
				       "%llu is above %u packets per second",
				       (unsigned long long)v,
				       TENGUARD_RATE_PPS_MAX);
		r->pps = v;
		r->flags |= TENGUARD_RATE_F_PPS;
		tg_path_pop(p, old);
	}
	ret = tg_member_int(p, obj, "packet_burst", false, 1,
			    TENGUARD_RATE_PKT_BURST_MAX, &burst, &has_burst);
	if (ret)
		return ret;
	if (!has_burst) {
		if (r->pps)
			r->pkt_burst = TENGUARD_RATE_PKT_BURST_DEFAULT(r->pps);
		return 0;
	}
	if (!r->pps) {
		old = tg_path_key(p, "packet_burst");
		ret = tg_fail(p, EINVAL,
			      "a packet burst needs a \"pps\" above 0");
		tg_path_pop(p, old);
		return ret;
	}
	r->pkt_burst = burst;
	return 0;
}

/* one direction's limits; the path points at the object */
static int tg_parse_rate_dir(struct tg_parse *p, json_t *obj, int dir,
			     struct tenguard_rate *r)
{
	static const char *const fields[] = {
		"bps", "burst", "pps", "packet_burst", "shape", NULL
	};
	bool shape = false;
	size_t old;
	int ret;

	ret = tg_expect(p, obj, JSON_OBJECT);
	if (!ret)
		ret = tg_check_fields(p, obj, fields);
	if (!ret)
		ret = tg_parse_rate_bps(p, obj, r);
	if (!ret)
		ret = tg_parse_rate_pps(p, obj, r);
	if (!ret)
		ret = tg_member_bool(p, obj, "shape", &shape);
	if (ret || !shape)
		return ret;
	old = tg_path_key(p, "shape");
	/* fq on the port is what spaces the frames out: towards the VM */
	if (dir != TENGUARD_ACL_INGRESS)
		return tg_fail(p, EINVAL,
			       "shaping applies towards the VM only (\"ingress\")");
	if (!r->flags)
		return tg_fail(p, EINVAL,
			       "shaping needs a limit (\"bps\" or \"pps\")");
	r->flags |= TENGUARD_RATE_F_SHAPE;
	tg_path_pop(p, old);
	return 0;
}

static int tg_parse_rate_one(struct tg_parse *p, json_t *v, int dir,
			     void *ctx)
{
	struct tenguard_rate *rate = ctx;

	return tg_parse_rate_dir(p, v, dir, &rate[dir]);
}

static int tg_parse_rate(struct tg_parse *p, json_t *obj,
			 struct tenguard_rate rate[__TENGUARD_ACL_DIR_MAX])
{
	return tg_parse_dirs(p, obj, tg_parse_rate_one, rate);
}

/* node "protect": management prefixes; the path points at the array */
static int tg_parse_protect(struct tg_parse *p, json_t *arr,
			    struct tg_node_cfg *node)
{
	size_t i, j, old, base = p->plen, n = json_array_size(arr);
	char str[INET6_ADDRSTRLEN + 8];
	struct tg_prefix *pfx;
	json_t *v;
	int ret;

	if (n > TENGUARD_NODE_PROTECT_MAX)
		return tg_fail(p, E2BIG, "%zu prefixes, at most %d", n,
			       TENGUARD_NODE_PROTECT_MAX);
	if (!n)
		return 0;
	node->protect = calloc(n, sizeof(*node->protect));
	if (!node->protect)
		return tg_fail(p, ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		v = json_array_get(arr, i);
		old = tg_path_idx(p, i);
		pfx = &node->protect[i];
		ret = tg_expect(p, v, JSON_STRING);
		if (!ret)
			ret = tg_prefix_parse(p, json_string_value(v), pfx);
		if (ret)
			return ret;
		/* at most 256 of them: comparing each pair is cheap */
		for (j = 0; j < node->n_protect; j++) {
			if (node->protect[j].family != pfx->family ||
			    node->protect[j].prefixlen != pfx->prefixlen ||
			    memcmp(node->protect[j].addr, pfx->addr, 16))
				continue;
			tg_prefix_str(pfx, str, sizeof(str));
			return tg_fail(p, EINVAL,
				       "duplicate prefix %s, also at %.*s[%zu]",
				       str, (int)base, p->path, j);
		}
		node->n_protect++;
		tg_path_pop(p, old);
	}
	return 0;
}

/* "conntrack": {"timeouts": {"tcp_syn": 60, ...}} */
static int tg_parse_conntrack(struct tg_parse *p, json_t *obj,
			      struct tg_node_cfg *node)
{
	static const char *const fields[] = { "timeouts", NULL };
	const char *name;
	json_int_t secs;
	json_t *tmo, *v;
	size_t old;
	int ret, t;

	ret = tg_expect(p, obj, JSON_OBJECT);
	if (!ret)
		ret = tg_check_fields(p, obj, fields);
	if (!ret)
		ret = tg_member(p, obj, "timeouts", JSON_OBJECT, false, &tmo);
	if (ret || !tmo)
		return ret;
	old = tg_path_key(p, "timeouts");
	json_object_foreach(tmo, name, v) {
		t = tg_name_index(tg_ct_timeout_names, __TENGUARD_CT_TIMEOUT_MAX,
				  name);
		if (t < 0)
			return tg_fail(p, EINVAL,
				       "unknown timeout \"%s\" (tcp_syn, tcp_established, tcp_close, udp, udp_stream, icmp, other)",
				       name);
		/* seconds the datapath turns into ns in 64 bits: 2^31-1 fits */
		ret = tg_member_int(p, tmo, name, true, 1, INT32_MAX, &secs,
				    NULL);
		if (ret)
			return ret;
		node->timeout[t] = secs;
	}
	tg_path_pop(p, old);
	return 0;
}

/* a node rule list: what it says is allowed, the rest denied */
static int tg_parse_node_rules(struct tg_parse *p, json_t *obj,
			       const char *key, struct tg_acl_cfg *acl)
{
	json_t *arr;
	size_t old;
	int ret;

	ret = tg_member(p, obj, key, JSON_ARRAY, false, &arr);
	if (ret || !arr)
		return ret;
	old = tg_path_key(p, key);
	ret = tg_parse_rules(p, arr, TENGUARD_NODE_RULES_MAX, acl);
	if (!ret)
		tg_path_pop(p, old);
	return ret;
}

/* the node object; the path points at it (empty in a node file) */
static int tg_parse_node(struct tg_parse *p, json_t *obj,
			 struct tg_node_cfg *node)
{
	static const char *const fields[] = {
		"protect", "own_addresses", "services", "remediation",
		"conntrack", NULL
	};
	enum tg_group_scope scope = p->scope;
	bool own = false;
	json_t *v;
	size_t old;
	int ret;

	ret = tg_expect(p, obj, JSON_OBJECT);
	if (!ret)
		ret = tg_check_fields(p, obj, fields);
	if (!ret)
		ret = tg_member(p, obj, "protect", JSON_ARRAY, false, &v);
	if (!ret && v) {
		old = tg_path_key(p, "protect");
		ret = tg_parse_protect(p, v, node);
		if (!ret)
			tg_path_pop(p, old);
	}
	if (!ret)
		ret = tg_member_bool(p, obj, "own_addresses", &own);
	if (ret)
		return ret;
	if (own)
		node->flags |= TENGUARD_NODE_F_OWN_ADDRS;

	p->scope = TG_GROUPS_NONE;
	ret = tg_parse_node_rules(p, obj, "services", &node->services);
	if (!ret)
		ret = tg_parse_node_rules(p, obj, "remediation",
					  &node->remediation);
	p->scope = scope;
	if (ret)
		return ret;

	v = json_object_get(obj, "conntrack");
	if (!v)
		return 0;
	old = tg_path_key(p, "conntrack");
	ret = tg_parse_conntrack(p, v, node);
	if (!ret)
		tg_path_pop(p, old);
	return ret;
}

/* run parse on the array member key of obj, with the path pointing into it */
static int tg_parse_list(struct tg_parse *p, json_t *obj, const char *key,
			 bool required, struct tg_port_cfg *port,
			 int (*parse)(struct tg_parse *, json_t *,
				      struct tg_port_cfg *))
{
	json_t *arr;
	size_t old;
	int ret;

	ret = tg_member(p, obj, key, JSON_ARRAY, required, &arr);
	if (ret || !arr)
		return ret;
	old = tg_path_key(p, key);
	ret = parse(p, arr, port);
	if (!ret)
		tg_path_pop(p, old);
	return ret;
}

/* a port object of kind: its fields checked, its name and "optional" read */
static int tg_parse_port_begin(struct tg_parse *p, json_t *obj,
			       const char *const *fields, uint32_t kind,
			       struct tg_port_cfg **port)
{
	int ret;

	ret = tg_expect(p, obj, JSON_OBJECT);
	if (!ret)
		ret = tg_check_fields(p, obj, fields);
	if (!ret)
		ret = tg_port_add(p, port);
	if (ret)
		return ret;
	(*port)->kind = kind;
	return tg_parse_port_common(p, obj, *port);
}

static int tg_parse_vm_port(struct tg_parse *p, json_t *obj, uint32_t tenant)
{
	static const char *const fields[] = {
		"name", "macs", "addresses", "ethertypes", "flags", "optional",
		"groups", "acl", "rate", NULL
	};
	struct tg_port_cfg *port;
	size_t old;
	json_t *v;
	int ret;

	ret = tg_parse_port_begin(p, obj, fields, TENGUARD_PORT_VM, &port);
	if (ret)
		return ret;
	port->tenant = tenant;
	ret = tg_parse_list(p, obj, "macs", true, port, tg_parse_macs);
	if (!ret)
		ret = tg_parse_list(p, obj, "addresses", false, port,
				    tg_parse_addrs);
	if (!ret)
		ret = tg_parse_list(p, obj, "ethertypes", false, port,
				    tg_parse_ethertypes);
	if (!ret)
		ret = tg_parse_list(p, obj, "flags", false, port,
				    tg_parse_flags);
	if (!ret)
		ret = tg_parse_list(p, obj, "groups", false, port,
				    tg_parse_port_groups);
	if (ret)
		return ret;
	v = json_object_get(obj, "acl");
	if (v) {
		old = tg_path_key(p, "acl");
		ret = tg_parse_acl(p, v, port->acl);
		if (ret)
			return ret;
		tg_path_pop(p, old);
	}
	v = json_object_get(obj, "rate");
	if (!v)
		return 0;
	old = tg_path_key(p, "rate");
	ret = tg_parse_rate(p, v, port->rate);
	if (!ret)
		tg_path_pop(p, old);
	return ret;
}

static int tg_parse_tenant(struct tg_parse *p, json_t *obj, size_t ti)
{
	static const char *const fields[] = {
		"name", "id", "segments", "groups", "ports", NULL
	};
	struct tg_tenant_cfg *t = &p->pol.tenants[ti];
	const char *name;
	json_t *v, *arr;
	json_int_t id;
	size_t i, old;
	int ret;

	ret = tg_expect(p, obj, JSON_OBJECT);
	if (!ret)
		ret = tg_check_fields(p, obj, fields);
	if (!ret)
		ret = tg_member(p, obj, "name", JSON_STRING, true, &v);
	if (ret)
		return ret;
	name = json_string_value(v);
	old = tg_path_key(p, "name");
	if (!tg_tenant_name_valid(name, json_string_length(v)))
		return tg_fail(p, EINVAL,
			       "\"%s\" is no tenant name (1..%d of A-Z a-z 0-9 . _ -)",
			       name, TENGUARD_NAME_LEN - 1);
	for (i = 0; i < ti; i++)
		if (!strcmp(p->pol.tenants[i].name, name))
			return tg_fail(p, EINVAL,
				       "duplicate tenant name \"%s\", also at tenants[%zu].name",
				       name, i);
	strcpy(t->name, name);
	tg_path_pop(p, old);

	ret = tg_member_int(p, obj, "id", true, 1, TENGUARD_TENANT_ID_MAX, &id,
			    NULL);
	if (ret)
		return ret;
	old = tg_path_key(p, "id");
	for (i = 0; i < ti; i++)
		if (p->pol.tenants[i].id == id)
			return tg_fail(p, EINVAL,
				       "duplicate tenant id %lld, also at tenants[%zu].id",
				       (long long)id, i);
	t->id = id;
	tg_path_pop(p, old);

	ret = tg_member(p, obj, "segments", JSON_ARRAY, false, &arr);
	if (ret)
		return ret;
	if (arr) {
		old = tg_path_key(p, "segments");
		ret = tg_parse_segments(p, ti, arr);
		if (ret)
			return ret;
		tg_path_pop(p, old);
	}

	/* before the ports: their groups and rules name these */
	p->tenant = t->name;
	p->groups = NULL;
	ret = tg_member(p, obj, "groups", JSON_OBJECT, false, &v);
	if (ret)
		return ret;
	if (v) {
		old = tg_path_key(p, "groups");
		ret = tg_parse_tenant_groups(p, v);
		if (ret)
			return ret;
		tg_path_pop(p, old);
	}

	ret = tg_member(p, obj, "ports", JSON_ARRAY, false, &arr);
	if (ret || !arr)
		return ret;
	old = tg_path_key(p, "ports");
	for (i = 0; i < json_array_size(arr); i++) {
		size_t pold = tg_path_idx(p, i);

		ret = tg_parse_vm_port(p, json_array_get(arr, i), t->id);
		if (ret)
			return ret;
		tg_path_pop(p, pold);
	}
	tg_path_pop(p, old);
	return 0;
}

static int tg_parse_uplink(struct tg_parse *p, json_t *obj)
{
	static const char *const fields[] = {
		"name", "segment", "optional", NULL
	};
	const struct tg_tenant_cfg *t;
	struct tg_port_cfg *port;
	size_t old, ti, si;
	char seg_str[32];
	uint32_t seg;
	json_t *v;
	int ret;

	/* more helpful than "unknown field": someone meant it */
	if (json_is_object(obj) && json_object_get(obj, "acl")) {
		tg_path_key(p, "acl");
		return tg_fail(p, EINVAL,
			       "an uplink has no rule sets: they belong to VM ports");
	}
	if (json_is_object(obj) && json_object_get(obj, "rate")) {
		tg_path_key(p, "rate");
		return tg_fail(p, EINVAL, "rate limits are for VM ports only");
	}
	ret = tg_parse_port_begin(p, obj, fields, TENGUARD_PORT_UPLINK, &port);
	if (ret)
		return ret;

	/* without a segment the uplink is a trunk: tenant 0, segment 0 */
	v = json_object_get(obj, "segment");
	if (!v)
		return 0;
	old = tg_path_key(p, "segment");
	ret = tg_parse_segment(p, v, &seg);
	if (ret)
		return ret;
	t = tg_seg_owner(p, p->pol.n_tenants, seg, &ti, &si);
	if (!t) {
		tg_seg_str(seg, seg_str, sizeof(seg_str));
		return tg_fail(p, EINVAL,
			       "unknown segment %s: no tenant declares it", seg_str);
	}
	port->tenant = t->id;
	port->segment = seg;
	tg_path_pop(p, old);
	return 0;
}

/* a port whose name is a typo would stay unguarded: refuse it */
static int tg_check_interfaces(struct tg_parse *p)
{
	const struct tg_port_cfg *port;
	size_t i;

	for (i = 0; i < p->pol.n_ports; i++) {
		port = &p->pol.ports[i];
		if (port->optional || if_nametoindex(port->name))
			continue;
		tg_path_pop(p, 0);
		tg_path_key(p, p->port_paths[i]);
		tg_path_key(p, "name");
		if (errno != ENODEV && errno != ENXIO)
			return tg_fail(p, errno ? errno : EIO,
				       "cannot look up interface \"%s\": %s",
				       port->name, strerror(errno));
		return tg_fail(p, ENODEV,
			       "no such interface \"%s\" (mark the port \"optional\": true if it is created later)",
			       port->name);
	}
	return 0;
}

static int tg_parse_root(struct tg_parse *p, json_t *root)
{
	static const char *const fields[] = {
		"tenants", "uplinks", "node", NULL
	};
	json_t *arr, *node;
	size_t i, old;
	int ret;

	if (!json_is_object(root))
		return tg_fail(p, EINVAL, "expected an object at the top, got %s",
			       tg_json_type_name(root));
	ret = tg_check_fields(p, root, fields);
	if (!ret)
		ret = tg_member(p, root, "tenants", JSON_ARRAY, true, &arr);
	if (ret)
		return ret;
	if (json_array_size(arr)) {
		p->pol.tenants = calloc(json_array_size(arr),
					sizeof(*p->pol.tenants));
		if (!p->pol.tenants)
			return tg_fail(p, ENOMEM, "out of memory");
		p->pol.n_tenants = json_array_size(arr);
	}
	old = tg_path_key(p, "tenants");
	for (i = 0; i < json_array_size(arr); i++) {
		size_t told = tg_path_idx(p, i);

		ret = tg_parse_tenant(p, json_array_get(arr, i), i);
		if (ret)
			return ret;
		tg_path_pop(p, told);
	}
	tg_path_pop(p, old);

	ret = tg_member(p, root, "uplinks", JSON_ARRAY, false, &arr);
	if (ret)
		return ret;
	old = tg_path_key(p, "uplinks");
	for (i = 0; i < json_array_size(arr); i++) {
		size_t uold = tg_path_idx(p, i);

		ret = tg_parse_uplink(p, json_array_get(arr, i));
		if (ret)
			return ret;
		tg_path_pop(p, uold);
	}
	tg_path_pop(p, old);

	node = json_object_get(root, "node");
	if (node) {
		old = tg_path_key(p, "node");
		ret = tg_parse_node(p, node, &p->pol.node);
		if (ret)
			return ret;
		tg_path_pop(p, old);
	}

	return tg_check_interfaces(p);
}

/* the JSON of path: 0, or a negative errno and why in err */
static int tg_json_load(const char *path, json_t **root, char *err,
			size_t errlen)
{
	json_error_t jerr;
	struct stat st;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	errno = 0;
	*root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (*root)
		return 0;
	switch (json_error_code(&jerr)) {
	case json_error_cannot_open_file:
		/* jansson leaves fopen()'s errno alone */
		ret = errno ? errno : ENOENT;
		break;
	case json_error_out_of_memory:
		ret = ENOMEM;
		break;
	default:
		/* fopen() takes a directory; reading it looks like EOF */
		if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
			ret = EISDIR;
			break;
		}
		if (err && errlen)
			snprintf(err, errlen, "%s:%d:%d: %s", path,
				 jerr.line, jerr.column, jerr.text);
		return -EINVAL;
	}
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", path, strerror(ret));
	return -ret;
}

void tg_node_cfg_init(struct tg_node_cfg *node)
{
	static const uint32_t timeouts[] = TENGUARD_CT_TIMEOUTS_DEFAULT;

	_Static_assert(sizeof(timeouts) == sizeof(node->timeout),
		       "a default for every timeout");
	memset(node, 0, sizeof(*node));
	/* what the node's rules do not allow is denied */
	node->services.present = true;
	node->services.dflt = TENGUARD_ACL_DENY;
	node->remediation.present = true;
	node->remediation.dflt = TENGUARD_ACL_DENY;
	memcpy(node->timeout, timeouts, sizeof(timeouts));
}

int tg_policy_load(const char *path, struct tg_policy *pol,
		   char *err, size_t errlen)
{
	struct tg_parse p = {
		.file = path, .err = err, .errlen = errlen,
		.scope = TG_GROUPS_TENANT,
	};
	json_t *root;
	int ret;

	memset(pol, 0, sizeof(*pol));
	ret = tg_json_load(path, &root, err, errlen);
	if (ret)
		return ret;
	tg_node_cfg_init(&p.pol.node);
	ret = tg_parse_root(&p, root);
	json_decref(root);
	free(p.port_paths);
	free(p.group_ids);
	if (ret) {
		tg_policy_free(&p.pol);
		return ret;
	}
	*pol = p.pol;
	return 0;
}

int tg_acl_file_load(const char *path,
		     struct tg_acl_cfg acl[__TENGUARD_ACL_DIR_MAX],
		     char *err, size_t errlen)
{
	struct tg_parse p = {
		.file = path, .err = err, .errlen = errlen,
		.scope = TG_GROUPS_IDS,
	};
	json_t *root;
	int ret, d;

	memset(acl, 0, __TENGUARD_ACL_DIR_MAX * sizeof(*acl));
	ret = tg_json_load(path, &root, err, errlen);
	if (ret)
		return ret;
	if (!json_is_object(root))
		ret = tg_fail(&p, EINVAL, "expected an object at the top, got %s",
			      tg_json_type_name(root));
	else
		ret = tg_parse_acl(&p, root, acl);
	json_decref(root);
	if (ret)
		for (d = 0; d < __TENGUARD_ACL_DIR_MAX; d++)
			tg_acl_cfg_free(&acl[d]);
	return ret;
}

int tg_node_file_load(const char *path, struct tg_node_cfg *node,
		      char *err, size_t errlen)
{
	struct tg_parse p = {
		.file = path, .err = err, .errlen = errlen,
		.scope = TG_GROUPS_NONE,
	};
	json_t *root;
	int ret;

	memset(node, 0, sizeof(*node));
	ret = tg_json_load(path, &root, err, errlen);
	if (ret)
		return ret;
	tg_node_cfg_init(node);
	if (!json_is_object(root))
		ret = tg_fail(&p, EINVAL, "expected an object at the top, got %s",
			      tg_json_type_name(root));
	else
		ret = tg_parse_node(&p, root, node);
	json_decref(root);
	if (ret)
		tg_node_cfg_free(node);
	return ret;
}

void tg_acl_cfg_free(struct tg_acl_cfg *acl)
{
	free(acl->rules);
	memset(acl, 0, sizeof(*acl));
}

void tg_node_cfg_free(struct tg_node_cfg *node)
{
	free(node->protect);
	tg_acl_cfg_free(&node->services);
	tg_acl_cfg_free(&node->remediation);
	memset(node, 0, sizeof(*node));
}

void tg_policy_free(struct tg_policy *pol)
{
	size_t i;
	int d;

	for (i = 0; i < pol->n_tenants; i++)
		free(pol->tenants[i].segments);
	for (i = 0; i < pol->n_ports; i++) {
		free(pol->ports[i].macs);
		free(pol->ports[i].addrs);
		free(pol->ports[i].ethertypes);
		free(pol->ports[i].groups);
		for (d = 0; d < __TENGUARD_ACL_DIR_MAX; d++)
			tg_acl_cfg_free(&pol->ports[i].acl[d]);
	}
	free(pol->tenants);
	free(pol->ports);
	tg_node_cfg_free(&pol->node);
	memset(pol, 0, sizeof(*pol));
}

const struct tg_tenant_cfg *tg_policy_tenant(const struct tg_policy *pol,
					     uint32_t id)
{
	size_t i;

	for (i = 0; i < pol->n_tenants; i++)
		if (pol->tenants[i].id == id)
			return &pol->tenants[i];
	return NULL;
}

const struct tg_port_cfg *tg_policy_port(const struct tg_policy *pol,
					 const char *name)
{
	size_t i;

	for (i = 0; i < pol->n_ports; i++)
		if (!strcmp(pol->ports[i].name, name))
			return &pol->ports[i];
	return NULL;
}

void tg_mac_to_link_local(const uint8_t mac[6], uint8_t addr[16])
{
	memset(addr, 0, 16);
	addr[0] = 0xfe;
	addr[1] = 0x80;
	/* modified EUI-64: the universal/local bit is inverted */
	addr[8] = mac[0] ^ 0x02;
	addr[9] = mac[1];
	addr[10] = mac[2];
	addr[11] = 0xff;
	addr[12] = 0xfe;
	addr[13] = mac[3];
	addr[14] = mac[4];
	addr[15] = mac[5];
}
