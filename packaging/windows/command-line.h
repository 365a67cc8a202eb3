/*
 * The command-line pieces t1cw.c and t1csvc.c share: both run t1c.exe from their own folder
 * with their own arguments passed on unchanged. Each includes this once (static functions, no
 * C runtime).
 */
#ifndef T1C_COMMAND_LINE_H
#define T1C_COMMAND_LINE_H

#include <windows.h>

/* Enough for the longest command line Windows accepts (32767 characters) plus the path. */
#define LINE_MAX (32768 + MAX_PATH + 4)

static WCHAR line[LINE_MAX];

/* The rest of a command line after its first word, by the rules CommandLineToArgvW uses for
 * that word: a quoted run up to the next quote, else up to the first space or tab. */
static const WCHAR *after_program_name(const WCHAR *p) {
  if (*p == L'"') {
    p++;
    while (*p && *p != L'"') p++;
    if (*p == L'"') p++;
  } else {
    while (*p && *p != L' ' && *p != L'\t') p++;
  }
  while (*p == L' ' || *p == L'\t') p++;
  return p;
}

/* Appends `s` to `line` at `at`; the new end, or -1 when it would not fit. */
static int append(int at, const WCHAR *s) {
  while (*s) {
    if (at >= LINE_MAX - 1) return -1;
    line[at++] = *s++;
  }
  line[at] = 0;
  return at;
}

#endif
