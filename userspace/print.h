/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One print path for text and JSON, after iproute2's json_print.h: every
 * value is printed once, with PRINT_ANY, and lands in the JSON document
 * under its key or in the text output through its format. PRINT_FP is text
 * only (headers, padding, words JSON does not need), PRINT_JSON is JSON only
 * (members text folds into another word).
 *
 * JSON is written as it goes, so a command reads everything it needs before
 * it prints its first value: an error never leaves half a document.
 */
#ifndef TG_PRINT_H
#define TG_PRINT_H

#include <stdbool.h>
#include <stdint.h>

enum output_type {
	PRINT_FP = 1,
	PRINT_JSON = 2,
	PRINT_ANY = PRINT_FP | PRINT_JSON,
};

/* choose the output before the first print; pretty indents JSON */
void new_json_obj(bool json, bool pretty);
/* end the output; 0, or negative errno if writing stdout failed */
int delete_json_obj(void);
bool is_json_context(void);

/* JSON containers; a NULL name inside an array or at the top level */
void open_json_object(const char *name);
void close_json_object(void);
void open_json_array(enum output_type type, const char *name);
void close_json_array(enum output_type type, const char *delim);

/*
 * In JSON, "key": value (key ignored inside an array); in text, fmt with
 * the value, nothing if fmt is NULL.
 */
void print_string(enum output_type type, const char *key, const char *fmt,
		  const char *value);
void print_uint(enum output_type type, const char *key, const char *fmt,
		unsigned int value);
void print_u64(enum output_type type, const char *key, const char *fmt,
	       uint64_t value);
/* JSON null; text prints fmt with value */
void print_null(enum output_type type, const char *key, const char *fmt,
		const char *value);
/* text only */
void print_fp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void print_nl(void);
/*
 * End one record of a stream (monitor): in JSON, the top-level value just
 * closed ends its line and the next one starts a new document; in both,
 * the output is flushed so a reader sees the record now.
 */
void print_record_end(void);

#endif /* TG_PRINT_H */
