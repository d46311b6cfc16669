// SPDX-License-Identifier: GPL-2.0
/*
 * Text or JSON on stdout. JSON is streamed by a small writer rather than
 * built as a jansson tree: counters are u64 (jansson integers are signed)
 * and nothing needs to be held until the end.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "print.h"

#define JSON_DEPTH_MAX	16

static struct {
	bool json;
	bool pretty;
	bool written;	/* the document has begun */
	int depth;
	/* per open container: is it an object, has it a member yet */
	bool object[JSON_DEPTH_MAX];
	bool used[JSON_DEPTH_MAX];
} out;

void new_json_obj(bool json, bool pretty)
{
	out.json = json;
	out.pretty = pretty;
	out.depth = 0;
	out.written = false;
}

int delete_json_obj(void)
{
	if (out.json && out.written)
		putchar('\n');
	errno = 0;
	if (fflush(stdout) == EOF || ferror(stdout))
		return errno ? -errno : -EIO;
	return 0;
}

bool is_json_context(void)
{
	return out.json;
}

static void jw_indent(int depth)
{
	putchar('\n');
	while (depth-- > 0)
		fputs("    ", stdout);
}

/* length of the valid UTF-8 sequence at s, or 0 */
static int utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int i, n;

	if (*s >= 0xc2 && *s <= 0xdf)
		n = 2;
	else if (*s >= 0xe0 && *s <= 0xef)
		n = 3;
	else if (*s >= 0xf0 && *s <= 0xf4)
		n = 4;
	else
		return 0;
	/* no overlong forms, no surrogates, nothing past U+10FFFF */
	if (*s == 0xe0)
		lo = 0xa0;
	else if (*s == 0xed)
		hi = 0x9f;
	else if (*s == 0xf0)
		lo = 0x90;
	else if (*s == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* names come from maps anyone with the pin could write: always valid JSON */
static void jw_string(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int n;

	putchar('"');
	while (*s) {
		switch (*s) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				printf("\\u%04x", *s);
			} else if (*s < 0x80) {
				putchar(*s);
			} else {
				n = utf8_len(s);
				if (n) {
					fwrite(s, 1, n, stdout);
					s += n;
					continue;
				}
				fputs("\\ufffd", stdout);
			}
		}
		s++;
	}
	putchar('"');
}

/* separator, indentation and key before a value */
static void jw_value(const char *key)
{
	int d = out.depth;

	out.written = true;
	if (d) {
		if (out.used[d - 1])
			putchar(',');
		out.used[d - 1] = true;
		if (out.pretty)
			jw_indent(d);
		if (out.object[d - 1]) {
			jw_string(key ? key : "");
			fputs(out.pretty ? ": " : ":", stdout);
		}
	}
}

static void jw_open(const char *key, bool object)
{
	jw_value(key);
	putchar(object ? '{' : '[');
	if (out.depth < JSON_DEPTH_MAX) {
		out.object[out.depth] = object;
		out.used[out.depth] = false;
	}
	out.depth++;
}

static void jw_close(bool object)
{
	if (!out.depth)
		return;
	out.depth--;
	if (out.pretty && out.depth < JSON_DEPTH_MAX && out.used[out.depth])
		jw_indent(out.depth);
	putchar(object ? '}' : ']');
}

void open_json_object(const char *name)
{
	if (out.json)
		jw_open(name, true);
}

void close_json_object(void)
{
	if (out.json)
		jw_close(true);
}

void open_json_array(enum output_type type, const char *name)
{
	if (out.json && (type & PRINT_JSON))
		jw_open(name, false);
}

void close_json_array(enum output_type type, const char *delim)
{
	if (out.json) {
		if (type & PRINT_JSON)
			jw_close(false);
	} else if ((type & PRINT_FP) && delim) {
		fputs(delim, stdout);
	}
}

/* true if the value goes to JSON; false if to text (and fmt is set) */
static bool print_where(enum output_type type, const char *key,
			const char *fmt, bool *text)
{
	*text = false;
	if (out.json) {
		if (!(type & PRINT_JSON))
			return false;
		jw_value(key);
		return true;
	}
	*text = (type & PRINT_FP) && fmt;
	return false;
}

void print_string(enum output_type type, const char *key, const char *fmt,
		  const char *value)
{
	bool text;

	if (print_where(type, key, fmt, &text))
		jw_string(value);
	else if (text)
		printf(fmt, value);
}

void print_uint(enum output_type type, const char *key, const char *fmt,
		unsigned int value)
{
	bool text;

	if (print_where(type, key, fmt, &text))
		printf("%u", value);
	else if (text)
		printf(fmt, value);
}

void print_u64(enum output_type type, const char *key, const char *fmt,
	       uint64_t value)
{
	bool text;

	if (print_where(type, key, fmt, &text))
		printf("%" PRIu64, value);
	else if (text)
		printf(fmt, value);
}

void print_null(enum output_type type, const char *key, const char *fmt,
		const char *value)
{
	bool text;

	if (print_where(type, key, fmt, &text))
		fputs("null", stdout);
	else if (text)
		printf(fmt, value);
}

void print_fp(const char *fmt, ...)
{
	va_list ap;

	if (out.json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void print_nl(void)
{
	if (!out.json)
		putchar('\n');
}

void print_record_end(void)
{
	if (out.json && out.written)
		putchar('\n');
	out.written = false;
	fflush(stdout);
}
