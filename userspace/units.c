// SPDX-License-Identifier: GPL-2.0
/*
 * Units of rates and sizes. Integer arithmetic throughout: through a double
 * "1.1G" comes out 1099999999 on some paths, a limit the operator did not
 * write and a formatter would print back as something else.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "units.h"

struct tg_unit {
	char prefix;		/* lowercase; 0 for the base unit */
	char sym;		/* as printed */
	uint64_t mult;
};

/* largest first; the formatters walk them in this order */
static const struct tg_unit tg_rate_units[] = {
	{ 't', 'T', 1000000000000ULL },
	{ 'g', 'G', 1000000000ULL },
	{ 'm', 'M', 1000000ULL },
	{ 'k', 'k', 1000ULL },
	{ 0, 0, 1 },
};

static const struct tg_unit tg_size_units[] = {
	{ 'g', 'G', 1ULL << 30 },
	{ 'm', 'M', 1ULL << 20 },
	{ 'k', 'K', 1ULL << 10 },
	{ 0, 0, 1 },
};

static const struct tg_unit tg_count_units[] = {
	{ 'm', 'M', 1000000ULL },
	{ 'k', 'k', 1000ULL },
	{ 0, 0, 1 },
};

/* what may follow a prefix, and the number alone, besides nothing */
static const char *const tg_rate_tails[] = { "bit", NULL };
static const char *const tg_size_tails[] = { "ib", "b", NULL };
static const char *const tg_byte_tails[] = { "b", NULL };
static const char *const tg_no_tails[] = { NULL };

/*
 * Fraction digits, trailing zeros dropped, that fit the arithmetic below:
 * no one writes more, and more are refused rather than rounded.
 */
#define TG_FRAC_DIGITS_MAX	19

static int tg_unit_parse(const char *s, const struct tg_unit *units,
			 const char *const *tails,
			 const char *const *base_tails, uint64_t *out)
{
	const char *p = s, *int_end, *frac, *frac_end;
	const struct tg_unit *u;
	__uint128_t f;
	uint64_t v = 0, fv = 0, pow10 = 1, ip;
	const char *const *t;

	if (!s)
		return -EINVAL;
	while (*p >= '0' && *p <= '9')
		p++;
	int_end = p;
	if (int_end == s)
		return -EINVAL;
	frac = frac_end = p;
	if (*p == '.') {
		frac = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		frac_end = p;
		if (frac_end == frac)
			return -EINVAL;
	}
	/* the suffix, whole: junk is junk even where the number overflows */
	for (u = units; u->prefix; u++)
		if (tolower((unsigned char)*p) == u->prefix)
			break;
	if (u->prefix)
		p++;
	if (*p) {
		for (t = u->prefix ? tails : base_tails; *t; t++)
			if (!strcasecmp(p, *t))
				break;
		if (!*t)
			return -EINVAL;
	}

	for (p = s; p < int_end; p++) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v))
			return -ERANGE;
	}
	while (frac_end > frac && frac_end[-1] == '0')
		frac_end--;
	if (frac_end - frac > TG_FRAC_DIGITS_MAX)
		return -EINVAL;
	for (p = frac; p < frac_end; p++) {
		fv = fv * 10 + (uint64_t)(*p - '0');
		pow10 *= 10;
	}
	/* the fraction times the unit must come out whole */
	f = (__uint128_t)fv * u->mult;
	if (f % pow10)
		return -EINVAL;
	if (__builtin_mul_overflow(v, u->mult, &ip) ||
	    f / pow10 > UINT64_MAX - ip)
		return -ERANGE;
	*out = ip + (uint64_t)(f / pow10);
	return 0;
}

int tg_rate_parse(const char *s, uint64_t *bps)
{
	return tg_unit_parse(s, tg_rate_units, tg_rate_tails, tg_rate_tails,
			     bps);
}

int tg_size_parse(const char *s, uint64_t *bytes)
{
	return tg_unit_parse(s, tg_size_units, tg_size_tails, tg_byte_tails,
			     bytes);
}

int tg_count_parse(const char *s, uint64_t *n)
{
	return tg_unit_parse(s, tg_count_units, tg_no_tails, tg_no_tails, n);
}

/* whole.frac with frac of digits decimals, trailing zeros dropped */
static void tg_unit_print(char *buf, size_t len, uint64_t whole,
			  unsigned int frac, int digits, char sym,
			  const char *tail)
{
	char pre[2] = { sym, 0 };

	while (digits && frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	if (digits)
		snprintf(buf, len, "%llu.%0*u%s%s", (unsigned long long)whole,
			 digits, frac, pre, tail);
	else
		snprintf(buf, len, "%llu%s%s", (unsigned long long)whole, pre,
			 tail);
}

static const char *tg_unit_str(uint64_t v, const struct tg_unit *units,
			       const char *tail,
			       const char *base_tail, char *buf, size_t len)
{
	const struct tg_unit *u;
	uint64_t rem;

	for (u = units; u->prefix; u++) {
		if (v < u->mult)
			continue;
		rem = v % u->mult;
		if ((__uint128_t)rem * 1000 % u->mult)
			continue;
		tg_unit_print(buf, len, v / u->mult,
			      (unsigned int)((__uint128_t)rem * 1000 /
					     u->mult), 3, u->sym, tail);
		return buf;
	}
	snprintf(buf, len, "%llu%s", (unsigned long long)v, base_tail);
	return buf;
}

/* "kbit", "Mbit": tc's spelling, which the parser reads back */
const char *tg_rate_str(uint64_t bps, char *buf, size_t len)
{
	return tg_unit_str(bps, tg_rate_units, "bit", "bit", buf, len);
}

const char *tg_size_str(uint64_t bytes, char *buf, size_t len)
{
	return tg_unit_str(bytes, tg_size_units, "iB", "B", buf, len);
}

const char *tg_rate_str_approx(uint64_t bps, char *buf, size_t len)
{
	const struct tg_unit *u = tg_rate_units;
	unsigned int digits, m;
	__uint128_t r;
	uint64_t q;

	while (u->prefix && bps < u->mult)
		u++;
	if (!u->prefix) {
		snprintf(buf, len, "%llubit", (unsigned long long)bps);
		return buf;
	}
	for (;;) {
		q = bps / u->mult;
		digits = q < 10 ? 2 : q < 100 ? 1 : 0;
		m = digits == 2 ? 100 : digits == 1 ? 10 : 1;
		r = ((__uint128_t)bps * m + u->mult / 2) / u->mult;
		/* 999.6k rounds to 1000k: that is 1M */
		if (r < 1000 * m || u == tg_rate_units)
			break;
		u--;
	}
	tg_unit_print(buf, len, (uint64_t)(r / m), (unsigned int)(r % m),
		      digits, u->sym, "bit");
	return buf;
}
