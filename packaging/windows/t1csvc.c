/*
 * t1csvc.exe: the Windows service "T1CRegistry" of the per-machine MSI. Node cannot answer the
 * Service Control Manager (no StartServiceCtrlDispatcher), so this program does: it runs
 * t1c.exe from its own folder with its own command line after its name (the service's
 * ImagePath arguments, e.g. `registry --port 51983 --log-file`, passed on unchanged: no
 * re-quoting, no shell), reports RUNNING once t1c.exe is started, and on SERVICE_CONTROL_STOP
 * or SHUTDOWN ends it and reports STOPPED.
 *
 * t1c.exe runs in a Job object that kills every process in it when the job's last handle
 * closes: if this wrapper dies (killed, crashed), t1c.exe and anything it started die with it,
 * and never keep the port after the service is gone. If t1c.exe exits by itself it is started
 * again 5 s later (its log says why it ended), as the Linux unit's Restart=on-failure does.
 *
 * Started from a console instead of by the SCM it says so and exits 1.
 * No C runtime (kernel32 and advapi32 only), like t1cw.c. Built by packaging/windows/launcher.mjs.
 */
#include <windows.h>

#include "command-line.h"

static WCHAR service_name[] = L"T1CRegistry";

static SERVICE_STATUS_HANDLE status_handle;
static SERVICE_STATUS status;
static HANDLE stop_event;

static void zero(void *p, SIZE_T n) {
  for (SIZE_T i = 0; i < n; i++) ((volatile BYTE *)p)[i] = 0;
}

static void report(DWORD state, DWORD win32_exit, DWORD specific_exit, DWORD wait_hint) {
  static DWORD checkpoint = 1;
  status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  status.dwCurrentState = state;
  status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
  status.dwWin32ExitCode = win32_exit;
  status.dwServiceSpecificExitCode = specific_exit;
  status.dwWaitHint = wait_hint;
  status.dwCheckPoint = state == SERVICE_RUNNING || state == SERVICE_STOPPED ? 0 : checkpoint++;
  SetServiceStatus(status_handle, &status);
}

static DWORD WINAPI control(DWORD code, DWORD type, LPVOID data, LPVOID context) {
  (void)type; (void)data; (void)context;
  switch (code) {
  case SERVICE_CONTROL_STOP:
  case SERVICE_CONTROL_SHUTDOWN:
    report(SERVICE_STOP_PENDING, NO_ERROR, 0, 10000);
    SetEvent(stop_event);
    return NO_ERROR;
  case SERVICE_CONTROL_INTERROGATE:
    return NO_ERROR;
  default:
    return ERROR_CALL_NOT_IMPLEMENTED;
  }
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv) {
  (void)argc; (void)argv;
  status_handle = RegisterServiceCtrlHandlerExW(service_name, control, NULL);
  if (!status_handle) return;
  report(SERVICE_START_PENDING, NO_ERROR, 0, 10000);

  stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
  HANDLE job = CreateJobObjectW(NULL, NULL);
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits;
  zero(&limits, sizeof limits);
  limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  if (!stop_event || !job || !SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits)) {
    report(SERVICE_STOPPED, GetLastError(), 0, 0);
    return;
  }
  if (t1c_command_line() != COMMAND_LINE_OK) {
    report(SERVICE_STOPPED, ERROR_BAD_PATHNAME, 0, 0);
    return;
  }

  report(SERVICE_RUNNING, NO_ERROR, 0, 0);
  for (;;) {
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    zero(&si, sizeof si);
    si.cb = sizeof si;
    /* Suspended until it is in the job, so nothing it starts can escape the job. */
    if (!CreateProcessW(self, line, NULL, NULL, FALSE, CREATE_SUSPENDED | CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT, NULL, NULL, &si, &pi)) {
      report(SERVICE_STOPPED, GetLastError(), 0, 0);
      return;
    }
    if (!AssignProcessToJobObject(job, pi.hProcess)) {
      DWORD error = GetLastError();
      TerminateProcess(pi.hProcess, 1);
      report(SERVICE_STOPPED, error, 0, 0);
      return;
    }
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);

    HANDLE waits[2] = { stop_event, pi.hProcess };
    DWORD which = WaitForMultipleObjects(2, waits, FALSE, INFINITE);
    /* Asked to stop, or t1c.exe ended: nothing it started outlives it. The Registry keeps
       nothing that needs a goodbye (agents re-register by themselves). */
    TerminateJobObject(job, 0);
    WaitForSingleObject(pi.hProcess, 10000);
    CloseHandle(pi.hProcess);
    if (which == WAIT_OBJECT_0) break;
    /* It ended by itself (the port still held by a plain connector, a crash): start it again
       in 5 s, like the Linux unit's Restart=on-failure; a stop meanwhile ends the wait. */
    if (WaitForSingleObject(stop_event, 5000) == WAIT_OBJECT_0) break;
  }
  CloseHandle(job);
  report(SERVICE_STOPPED, NO_ERROR, 0, 0);
}

void __stdcall start(void) {
  SERVICE_TABLE_ENTRYW table[] = { { service_name, service_main }, { NULL, NULL } };
  if (!StartServiceCtrlDispatcherW(table)) {
    if (GetLastError() == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
      static const char text[] = "t1csvc.exe is the T1CRegistry service: start it with `sc start T1CRegistry`; run `t1c registry` in a console instead\r\n";
      DWORD written;
      WriteFile(GetStdHandle(STD_ERROR_HANDLE), text, sizeof text - 1, &written, NULL);
    }
    ExitProcess(1);
  }
  ExitProcess(0);
}
