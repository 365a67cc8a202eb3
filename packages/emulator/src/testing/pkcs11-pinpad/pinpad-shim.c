/*
 * Test fixture: a PKCS#11 library that puts a "PIN pad" in front of another one (SoftHSM2).
 *
 * SoftHSM2 has no protected authentication path, so this shim forwards every entry of the
 * wrapped library's CK_FUNCTION_LIST and changes two:
 *  - C_GetTokenInfo sets CKF_PROTECTED_AUTHENTICATION_PATH on the tokens named in
 *    T1C_PINPAD_LABELS (comma-separated labels; unset: every token);
 *  - C_Login with a NULL PIN on such a token reads what the user "typed on the pad" from the
 *    file named by T1C_PINPAD_FILE, read anew at each login: the line "cancel" (or no file)
 *    is CKR_FUNCTION_CANCELED, "wait" keeps the login waiting until the line changes (a user
 *    still typing), anything else is the PIN handed to the wrapped C_Login.
 * Each login appends one word to the file named by T1C_PINPAD_LOG, if set: "pad" (entered on
 * the pad), "cancelled", or "pin" (the application sent a PIN), after "waiting" when the pad
 * waited. Never the PIN itself.
 * The wrapped library's path is fixed when the shim is compiled: -DWRAPPED_LIBRARY="...".
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <p11-kit/pkcs11.h>

#ifndef WRAPPED_LIBRARY
#error "compile with -DWRAPPED_LIBRARY=\"/path/to/library.so\""
#endif

static CK_FUNCTION_LIST shim;
static CK_FUNCTION_LIST_PTR wrapped;

static void log_word(const char *word) {
  const char *path = getenv("T1C_PINPAD_LOG");
  if (path == NULL || *path == '\0') return;
  FILE *f = fopen(path, "a");
  if (f == NULL) return;
  fprintf(f, "%s\n", word);
  fclose(f);
}

/* Whether the blank-padded 32-byte label is one of T1C_PINPAD_LABELS. */
static int has_pinpad(const unsigned char label[32]) {
  const char *labels = getenv("T1C_PINPAD_LABELS");
  if (labels == NULL) return 1;
  size_t length = 32;
  while (length > 0 && (label[length - 1] == ' ' || label[length - 1] == '\0')) length--;
  const char *start = labels;
  for (;;) {
    const char *end = strchr(start, ',');
    size_t n = end ? (size_t)(end - start) : strlen(start);
    if (n == length && memcmp(start, label, n) == 0) return 1;
    if (end == NULL) return 0;
    start = end + 1;
  }
}

/* The first line of T1C_PINPAD_FILE, without its line end; 0 when there is no such file. */
static int read_pad(char *typed, size_t size) {
  const char *path = getenv("T1C_PINPAD_FILE");
  FILE *f = path ? fopen(path, "r") : NULL;
  memset(typed, 0, size);
  if (f == NULL) return 0;
  if (fgets(typed, (int)size, f) == NULL) typed[0] = '\0';
  fclose(f);
  typed[strcspn(typed, "\r\n")] = '\0';
  return 1;
}

static CK_RV shim_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
  CK_RV rv = wrapped->C_GetTokenInfo(slot, info);
  if (rv == CKR_OK && has_pinpad(info->label)) info->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
  return rv;
}

static CK_RV shim_Login(CK_SESSION_HANDLE session, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG length) {
  if (pin != NULL) {
    log_word("pin");
    return wrapped->C_Login(session, user, pin, length);
  }
  CK_SESSION_INFO session_info;
  CK_TOKEN_INFO token_info;
  CK_RV rv = wrapped->C_GetSessionInfo(session, &session_info);
  if (rv != CKR_OK) return rv;
  rv = shim_GetTokenInfo(session_info.slotID, &token_info);
  if (rv != CKR_OK) return rv;
  /* What SoftHSM itself answers to a NULL PIN: a token without a pad needs the PIN. */
  if ((token_info.flags & CKF_PROTECTED_AUTHENTICATION_PATH) == 0) return CKR_ARGUMENTS_BAD;
  char typed[64];
  int found = read_pad(typed, sizeof typed);
  if (found && strcmp(typed, "wait") == 0) log_word("waiting");
  /* "wait": the user has not finished typing; poll until the test types (at most two minutes). */
  for (int i = 0; found && strcmp(typed, "wait") == 0 && i < 6000; i++) {
    struct timespec pause = { 0, 20 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    found = read_pad(typed, sizeof typed);
  }
  if (!found || strcmp(typed, "cancel") == 0 || strcmp(typed, "wait") == 0) {
    log_word("cancelled");
    return CKR_FUNCTION_CANCELED;
  }
  log_word("pad");
  rv = wrapped->C_Login(session, user, (CK_UTF8CHAR_PTR)typed, strlen(typed));
  memset(typed, 0, sizeof typed);
  return rv;
}

static CK_RV shim_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list);

static CK_RV load(void) {
  if (wrapped != NULL) return CKR_OK;
  void *library = dlopen(WRAPPED_LIBRARY, RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) return CKR_GENERAL_ERROR;
  CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(library, "C_GetFunctionList");
  if (get == NULL || get(&wrapped) != CKR_OK || wrapped == NULL) return CKR_GENERAL_ERROR;
  shim = *wrapped;
  shim.C_GetFunctionList = shim_GetFunctionList;
  shim.C_GetTokenInfo = shim_GetTokenInfo;
  shim.C_Login = shim_Login;
  return CKR_OK;
}

static CK_RV shim_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
  if (list == NULL) return CKR_ARGUMENTS_BAD;
  CK_RV rv = load();
  if (rv != CKR_OK) return rv;
  *list = &shim;
  return CKR_OK;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
  return shim_GetFunctionList(list);
}
