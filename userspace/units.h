/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rates, sizes and counts as operators write them, in policy files and on the
 * command line, and as tenguardctl prints them.
 *
 * A number is decimal digits, optionally with a fraction ("1.5G"); the
 * parsers use integer arithmetic only and refuse a value that is no whole
 * number of the base unit ("1.5" bytes, "0.0001k" bit/s). No sign, no
 * spaces, no hex. Suffixes are case-insensitive:
 *   rate  (bit/s):  k M G T (powers of 1000), optionally followed by "bit":
 *                   "100M", "100mbit", "1Gbit", "500k", "0", "64bit";
 *                   "bps" is refused (tc reads it as bytes per second)
 *   size  (bytes):  K M G (powers of 1024), optionally followed by "iB" or
 *                   "B"; "B" alone: "128K", "64KiB", "1M", "1514B", "1514"
 *   count:          k M (powers of 1000): "20k", "100"
 * All return 0, -EINVAL for junk, or -ERANGE when the value does not fit in
 * 64 bits.
 */
#ifndef TG_UNITS_H
#define TG_UNITS_H

#include <stddef.h>
#include <stdint.h>

int tg_rate_parse(const char *s, uint64_t *bps);
int tg_size_parse(const char *s, uint64_t *bytes);
int tg_count_parse(const char *s, uint64_t *n);

/*
 * Exactly, so that the parsers read back the same value: the largest unit
 * in which the value has at most 3 decimals, trailing zeros dropped
 * ("100Mbit", "1.5Gbit", "1234.567kbit", "999bit"; "128KiB", "1.5KiB",
 * "1514B"). For configured limits. Returns buf.
 */
const char *tg_rate_str(uint64_t bps, char *buf, size_t len);
const char *tg_size_str(uint64_t bytes, char *buf, size_t len);
/*
 * Rounded to 3 significant digits in the largest unit not above the value
 * ("99.1Mbit", "8.2kbit", "100Mbit"): for measurements, which are no
 * exact numbers anyway.
 */
const char *tg_rate_str_approx(uint64_t bps, char *buf, size_t len);

/* enough for any value of the formatters */
#define TG_UNITS_STRLEN 32

#endif /* TG_UNITS_H */
