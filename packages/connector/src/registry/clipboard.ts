import { execFile } from 'node:child_process';
import { createHash, timingSafeEqual } from 'node:crypto';

/** The text on this user's clipboard, read only to compare it with a consent code word. */
export interface ClipboardReader {
  read(): Promise<string | undefined>;
}

function output(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: 2000, maxBuffer: 64 * 1024 }, (error, stdout) => resolve(error ? undefined : stdout));
  });
}

/**
 * The session's clipboard by the desktop's own tool: X11 through xclip (then xsel) under the
 * session's DISPLAY, Wayland through wl-paste, macOS pbpaste, Windows PowerShell.
 */
export function systemClipboard(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ClipboardReader {
  return {
    async read() {
      if (platform === 'darwin') return output('pbpaste', [], env);
      if (platform === 'win32') return output('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', 'Get-Clipboard -Raw'], env);
      if (env.WAYLAND_DISPLAY) {
        const text = await output('wl-paste', ['--no-newline'], env);
        if (text !== undefined) return text;
      }
      if (!env.DISPLAY) return undefined;
      return (await output('xclip', ['-o', '-selection', 'clipboard'], env)) ?? output('xsel', ['--clipboard', '--output'], env);
    },
  };
}

/** Constant-time comparison of the clipboard with the code word (trailing line ends ignored). */
export function clipboardMatches(clipboard: string | undefined, codeWord: string): boolean {
  if (clipboard === undefined) return false;
  const a = createHash('sha256').update(clipboard.replace(/\r?\n$/, '')).digest();
  const b = createHash('sha256').update(codeWord).digest();
  return timingSafeEqual(a, b);
}
