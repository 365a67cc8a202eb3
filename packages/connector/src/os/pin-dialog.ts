import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { T1CError } from '../api/errors.js';

export interface DialogCommand {
  readonly command: string;
  readonly args: readonly string[];
}

const TITLE = 'Smart card PIN';
const PROMPT = 'Enter the PIN of your eID card';

function onPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(':')) {
    if (dir && existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return undefined;
}

/**
 * The native password dialog per OS. The PIN comes back on the helper's stdout, never on a
 * command line. Linux needs a display; zenity (GNOME) first, then kdialog (KDE).
 */
export function dialogCommand(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): DialogCommand | undefined {
  if (platform === 'darwin') {
    const script = `text returned of (display dialog "${PROMPT}" with title "${TITLE}" default answer "" with hidden answer buttons {"Cancel","OK"} default button "OK")`;
    return { command: 'osascript', args: ['-e', script] };
  }
  if (platform === 'win32') {
    const script = [
      '$c = Get-Credential -UserName "PIN" -Message "' + PROMPT + '"',
      'if ($c -eq $null) { exit 1 }',
      '[Console]::Out.Write($c.GetNetworkCredential().Password)',
    ].join('; ');
    return { command: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-Command', script] };
  }
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  const zenity = onPath('zenity', env.PATH);
  if (zenity) return { command: zenity, args: ['--password', `--title=${TITLE}`] };
  const kdialog = onPath('kdialog', env.PATH);
  if (kdialog) return { command: kdialog, args: ['--title', TITLE, '--password', PROMPT] };
  return undefined;
}

export type PinDialog = (timeoutSeconds?: number) => Promise<Uint8Array>;

/** Shows the dialog; resolves with the PIN bytes (caller wipes), rejects PIN_CANCELLED/TIMEOUT. */
export function systemPinDialog(env: NodeJS.ProcessEnv = process.env): PinDialog {
  return (timeoutSeconds = 120) => new Promise((resolve, reject) => {
    const cmd = dialogCommand(process.platform, env);
    if (!cmd) return reject(new T1CError('PIN_DIALOG_UNAVAILABLE'));
    const child = spawn(cmd.command, [...cmd.args], { stdio: ['ignore', 'pipe', 'ignore'], env });
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, timeoutSeconds * 1000);
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', () => {
      clearTimeout(timer);
      reject(new T1CError('PIN_DIALOG_UNAVAILABLE'));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      for (const c of chunks) c.fill(0);
      let end = all.length;
      while (end > 0 && (all[end - 1] === 0x0a || all[end - 1] === 0x0d)) end--;
      const pin = Uint8Array.from(all.subarray(0, end));
      all.fill(0);
      if (timedOut) return reject(new T1CError('PIN_TIMEOUT'));
      if (code !== 0) return reject(new T1CError('PIN_CANCELLED'));
      resolve(pin);
    });
  });
}
