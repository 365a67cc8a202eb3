import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { T1CError } from '../api/errors.js';

export interface DialogCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** Extra environment for the helper: how the prompt reaches PowerShell without being code. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Who asks for the PIN, as the request said: its Origin header and JWT subject, when known. */
export interface PinAsker {
  readonly origin?: string | undefined;
  readonly application?: string | undefined;
}

export interface PinDialogRequest extends PinAsker {
  readonly timeoutSeconds?: number | undefined;
}

const TITLE = 'Smart card PIN';
const PROMPT = 'Enter the PIN of your eID card';
export const NO_ORIGIN_TEXT = 'a local program (no web origin)';
const MAX_SHOWN = 200;

/** Control and bidi-override characters could hide or reorder what the person reads. */
const UNSHOWABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function shown(value: string): string {
  const clean = value.replace(UNSHOWABLE, '');
  return clean.length > MAX_SHOWN ? `${clean.slice(0, MAX_SHOWN)}…` : clean;
}

/** "Requested by https://app.example (application acme)": plain text, no markup. */
export function askerText(asker: PinAsker): string {
  const who = asker.origin ? shown(asker.origin) : NO_ORIGIN_TEXT;
  const app = asker.application ? ` (application ${shown(asker.application)})` : '';
  return `Requested by ${who}${app}`;
}

/** The window title names the site too: it is plain text on every desktop. */
export function dialogTitle(asker: PinAsker): string {
  return `${TITLE} for ${asker.origin ? shown(asker.origin) : NO_ORIGIN_TEXT}`;
}

/**
 * zenity's --entry label is GTK "text with mnemonic" after g_strcompress (not Pango markup):
 * a backslash starts an escape and an underscore marks a mnemonic, so both are doubled.
 */
export function zenityLabel(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/_/g, '__');
}

/** kdialog's label is a QLabel that guesses rich text: force rich text and escape it. */
function kdialogLabel(text: string): string {
  const html = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '<br>');
  return `<qt>${html}</qt>`;
}

function onPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(':')) {
    if (dir && existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return undefined;
}

/**
 * The native password dialog per OS. The PIN comes back on the helper's stdout, never on a
 * command line. The asking site's text is never part of a script: osascript gets it as an
 * argument, PowerShell from the environment, zenity/kdialog as one argv element each (no shell).
 * Linux needs a display; zenity (GNOME) first, then kdialog (KDE).
 */
export function dialogCommand(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, asker: PinAsker = {}): DialogCommand | undefined {
  const prompt = `${PROMPT}.\n${askerText(asker)}`;
  const title = dialogTitle(asker);
  if (platform === 'darwin') {
    const script = `text returned of (display dialog (item 1 of argv) with title (item 2 of argv) default answer "" with hidden answer buttons {"Cancel","OK"} default button "OK")`;
    return { command: 'osascript', args: ['-e', 'on run argv', '-e', script, '-e', 'end run', prompt, title] };
  }
  if (platform === 'win32') {
    const script = [
      '$c = Get-Credential -UserName "PIN" -Message $env:T1C_PIN_PROMPT',
      'if ($c -eq $null) { exit 1 }',
      '[Console]::Out.Write($c.GetNetworkCredential().Password)',
    ].join('; ');
    return { command: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-Command', script], env: { T1C_PIN_PROMPT: prompt } };
  }
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  const zenity = onPath('zenity', env.PATH);
  if (zenity) return { command: zenity, args: ['--entry', '--hide-text', `--title=${title}`, `--text=${zenityLabel(prompt)}`] };
  const kdialog = onPath('kdialog', env.PATH);
  if (kdialog) return { command: kdialog, args: ['--title', title, '--password', kdialogLabel(prompt)] };
  return undefined;
}

export type PinDialog = (request: PinDialogRequest) => Promise<Uint8Array>;

/** Shows the dialog; resolves with the PIN bytes (caller wipes), rejects PIN_CANCELLED/TIMEOUT. */
export function systemPinDialog(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): PinDialog {
  return ({ timeoutSeconds = 120, ...asker }) => new Promise((resolve, reject) => {
    const cmd = dialogCommand(platform, env, asker);
    if (!cmd) return reject(new T1CError('PIN_DIALOG_UNAVAILABLE'));
    const child = spawn(cmd.command, [...cmd.args], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...env, ...cmd.env }, shell: false });
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
