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

static void fail(const WCHAR *what) {
  MessageBoxW(NULL, what, L"T1C Connector", MB_OK | MB_ICONERROR);
  ExitProcess(1);
}

void __stdcall start(void) {
  switch (t1c_command_line()) {
    case NO_OWN_FOLDER: fail(L"t1cw.exe: cannot find its own folder"); break;
    case FOLDER_TOO_LONG: fail(L"t1cw.exe: the folder name is too long"); break;
    case LINE_TOO_LONG: fail(L"t1cw.exe: the command line is too long"); break;
    case COMMAND_LINE_OK: break;
  }

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
