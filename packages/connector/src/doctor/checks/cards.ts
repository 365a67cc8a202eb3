import { toHex } from '@t1c/smartcard/codec';
import { CARD_MODULES } from '../../ipc/index.js';
import type { Check } from '../types.js';

const id = 'cards';

function serviceFix(platform: NodeJS.Platform): { fix: string; command: string } {
  if (platform === 'win32') return { fix: 'Start the Windows "Smart Card" service.', command: 'sc start SCardSvr   (as administrator)' };
  if (platform === 'darwin') return { fix: 'Unplug and plug the reader in again; macOS starts its smart-card service with a reader.', command: 'system_profiler SPSmartCardsDataType' };
  return { fix: 'Install and start the PC/SC service.', command: 'sudo apt install pcscd && sudo systemctl enable --now pcscd.socket' };
}

/** 6. The PC/SC service runs, readers and cards are seen, each card's module named. */
export const cardsCheck: Check = async (ctx) => {
  if (!ctx.settings.pcsc) return { id, status: 'info', summary: 'PC/SC is switched off in the configuration ("pcsc": false): only virtual cards' };
  let readers;
  try {
    readers = await ctx.readers();
  } catch (error) {
    return { id, status: 'fail', summary: `the smart-card service (PC/SC) does not answer: ${error instanceof Error ? error.message : String(error)}`, ...serviceFix(ctx.platform) };
  }
  if (readers.length === 0) return { id, status: 'warn', summary: 'the smart-card service runs, but no card reader is connected', fix: 'Plug in the card reader (and install its driver if your reader needs one).' };
  const details = readers.map((r) => {
    if (r.atr === null) return `${r.name}: ${r.mute ? 'card does not answer (insert it the right way round)' : 'no card'}`;
    return `${r.name}: card ${toHex(r.atr)} → ${r.module ? `module ${r.module} (${CARD_MODULES[r.module].description})` : 'no module for this card'}`;
  });
  const cards = readers.filter((r) => r.atr !== null).length;
  return { id, status: 'ok', summary: `${readers.length} reader${readers.length === 1 ? '' : 's'}, ${cards} card${cards === 1 ? '' : 's'}`, details };
};
