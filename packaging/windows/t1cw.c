/*
 * t1cw.exe: runs t1c.exe from this program's own folder, with this program's arguments, and
 * without a console window (like javaw/pythonw). t1c.exe is a Node single executable and so a
 * console program: started at login by itself it opens a console window, and closing that
 * window stops the connector. This one is a GUI-subsystem program, so Windows gives it no
 * console, and it starts t1c.exe with CREATE_NO_WINDOW, waits for it and returns its exit code.
 *
 * The arguments are passed on exactly as this program received them: the command line after
 * its own name is appended unchanged, so there is no re-quoting to get wrong and no shell.
 * No C runtime (kernel32 only): a few KB, and the same bytes from the same compiler.
 * Built by packaging/windows/launcher.mjs.
 */
#include <windows.h>

#include "command-line.h"

static WCHAR self[MAX_PATH * 2];

static void fail(const WCHAR *what) {
  MessageBoxW(NULL, what, L"T1C Connector", MB_OK | MB_ICONERROR);
  ExitProcess(1);
}

void __stdcall start(void) {
  DWORD n = GetModuleFileNameW(NULL, self, MAX_PATH * 2);
  if (n == 0 || n >= MAX_PATH * 2) fail(L"t1cw.exe: cannot find its own folder");
  /* Keep the folder (with its final backslash), drop our own file name. */
  while (n > 0 && self[n - 1] != L'\\' && self[n - 1] != L'/') n--;
  self[n] = 0;
  if (n + 8 > MAX_PATH * 2) fail(L"t1cw.exe: the folder name is too long");
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
  if (at < 0) fail(L"t1cw.exe: the command line is too long");

  STARTUPINFOW si;
  PROCESS_INFORMATION pi;
  for (unsigned i = 0; i < sizeof si; i++) ((volatile BYTE *)&si)[i] = 0;
  si.cb = sizeof si;
  if (!CreateProcessW(self, line, NULL, NULL, FALSE, CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT, NULL, NULL, &si, &pi)) {
    fail(L"t1cw.exe: cannot start t1c.exe next to it");
  }
  CloseHandle(pi.hThread);
  WaitForSingleObject(pi.hProcess, INFINITE);
  DWORD code = 1;
  GetExitCodeProcess(pi.hProcess, &code);
  CloseHandle(pi.hProcess);
  ExitProcess(code);
}
