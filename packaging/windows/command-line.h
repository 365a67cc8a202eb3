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

/* Why t1c_command_line failed. */
enum command_line_error { COMMAND_LINE_OK = 0, NO_OWN_FOLDER = -1, FOLDER_TOO_LONG = -2, LINE_TOO_LONG = -3 };

static WCHAR self[MAX_PATH * 2];

/* `self` becomes t1c.exe in this program's own folder, and `line` the command that runs it with
 * this program's arguments, appended unchanged (no re-quoting, no shell). */
static enum command_line_error t1c_command_line(void) {
  DWORD n = GetModuleFileNameW(NULL, self, MAX_PATH * 2);
  if (n == 0 || n >= MAX_PATH * 2) return NO_OWN_FOLDER;
  /* Keep the folder (with its final backslash), drop our own file name. */
  while (n > 0 && self[n - 1] != L'\\' && self[n - 1] != L'/') n--;
  self[n] = 0;
  if (n + 8 > MAX_PATH * 2) return FOLDER_TOO_LONG;
  const WCHAR *exe = L"t1c.exe";
  for (int i = 0; exe[i]; i++) self[n + i] = exe[i];
  self[n + 7] = 0;
  int at = append(0, L"\"");
  at = at < 0 ? at : append(at, self);
  at = at < 0 ? at : append(at, L"\"");
  const WCHAR *rest = after_program_name(GetCommandLineW());
  if (at >= 0 && *rest) {
    at = append(at, L" ");
    at = at < 0 ? at : append(at, rest);
  }
  return at < 0 ? LINE_TOO_LONG : COMMAND_LINE_OK;
}

#endif
