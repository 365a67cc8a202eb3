import { decodeBerTlv, findBerTlv, flattenBerTlv, type BerTlv } from '../codec/ber-tlv.js';
import { SW } from '../codec/status-words.js';
import { SmartCardError } from '../errors.js';
import { CARD_BLOCKED_OR_UNSUPPORTED, Tag } from './constants.js';
import { applicationFrom, type EmvApplication } from './application.js';
import { TERMINAL_AIDS, type TerminalAid } from './terminal-aids.js';

/** A SELECT answer, as the candidate-list steps need it. */
export interface SelectAnswer {
  readonly sw: number;
  readonly data: Uint8Array;
}

/** SELECT by DF name, P2 00 (first occurrence) or 02 (next occurrence); the only side effect the steps use. */
export type SelectByName = (name: Uint8Array, occurrence: 'first' | 'next') => Promise<SelectAnswer>;

/**
 * Cap on SELECTs per terminal AID: a card that keeps answering "next occurrence" with 9000
 * would otherwise hold the reader forever. Real cards carry a handful of applications.
 */
export const MAX_OCCURRENCES = 16;
/** The contract lists at most 32 applications. */
export const MAX_CANDIDATES = 32;

function invalid(message: string, details: Record<string, string | number> = {}): SmartCardError {
  return new SmartCardError('CARD_DATA_INVALID', message, details);
}

/**
 * The FCI of an ADF (Book 1 Table 45): 6F with the DF name (84, 5 to 16 bytes) and the
 * proprietary template (A5) holding label, priority and preferred name. Anything else is a
 * card fault, reported with the terminal AID it answered (an AID is not personal data).
 */
export function parseAdfFci(data: Uint8Array, selected: string): EmvApplication {
  let nodes: BerTlv[];
  try {
    nodes = decodeBerTlv(data);
  } catch (error) {
    throw invalid(`the answer to SELECT ${selected} is not BER-TLV: ${error instanceof Error ? error.message : String(error)}`, { aid: selected });
  }
  const fci = findBerTlv(nodes, [Tag.fci]);
  if (!fci) throw invalid(`the answer to SELECT ${selected} is not an FCI template (6F)`, { aid: selected });
  const dfName = findBerTlv(fci.children, [Tag.dfName])?.value;
  if (!dfName) throw invalid(`the FCI answering SELECT ${selected} has no DF name (84)`, { aid: selected });
  if (dfName.length < 5 || dfName.length > 16) throw invalid(`the DF name answering SELECT ${selected} is ${dfName.length} bytes, not 5 to 16`, { aid: selected });
  const proprietary = findBerTlv(fci.children, [Tag.fciProprietary]);
  if (!proprietary) throw invalid(`the FCI answering SELECT ${selected} has no proprietary template (A5)`, { aid: selected });
  return applicationFrom(dfName, flattenBerTlv(proprietary.children));
}

/** What Book 1 §12.3.3 steps 2–4 make of one SELECT answer. */
export type SelectionStep =
  | { readonly kind: 'terminate' }
  | { readonly kind: 'next-aid' }
  | { readonly kind: 'candidate'; readonly application: EmvApplication; readonly then: 'next-occurrence' | 'next-aid' }
  | { readonly kind: 'blocked'; readonly then: 'next-occurrence' | 'next-aid' }
  | { readonly kind: 'not-matching'; readonly dfName: string };

/**
 * Book 1 §12.3.3 for one answer, pure: 6A81 ends the session (card blocked or SELECT not
 * supported); 9000 with an ADF FCI whose DF name equals the AID, or begins with it when the
 * ASI allows partial names, is a candidate; 6283 (application blocked) is never one; any
 * other status word means no (more) application under this AID. After a match the terminal
 * asks for the next occurrence when partial names are allowed, since more ADFs may share
 * the prefix.
 */
export function judgeSelection(terminal: TerminalAid, answer: SelectAnswer): SelectionStep {
  const onward = terminal.partial ? 'next-occurrence' : 'next-aid';
  if (answer.sw === CARD_BLOCKED_OR_UNSUPPORTED) return { kind: 'terminate' };
  // A blocked application may answer without its FCI (T=0 keeps it for GET RESPONSE): no name is needed to drop it.
  if (answer.sw === SW.WARNING_FILE_DEACTIVATED) return { kind: 'blocked', then: onward };
  if (answer.sw !== SW.OK) return { kind: 'next-aid' };
  const application = parseAdfFci(answer.data, terminal.aid);
  if (!application.aid.startsWith(terminal.aid)) {
    throw invalid(`SELECT ${terminal.aid} was answered by DF name ${application.aid}, which does not begin with it`, { aid: terminal.aid });
  }
  if (application.aid === terminal.aid) return { kind: 'candidate', application, then: onward };
  return terminal.partial ? { kind: 'candidate', application, then: 'next-occurrence' } : { kind: 'not-matching', dfName: application.aid };
}

export interface CandidateList {
  /** In the order found: terminal list order, then the card's order of occurrences. */
  readonly candidates: readonly EmvApplication[];
  /** Applications the card answered as blocked (6283), left out. */
  readonly blocked: number;
}

/**
 * Book 1 §12.3.3: the candidate list from the terminal's AIDs, for a card without PSE/PPSE.
 * SELECT each AID (first occurrence), then next occurrences while they match, until the card
 * answers anything but 9000/6283. A card that repeats a DF name or answers more than
 * MAX_OCCURRENCES times for one AID is refused, so a looping card cannot hold the reader.
 */
export async function buildCandidateList(select: SelectByName, terminalAids: readonly TerminalAid[] = TERMINAL_AIDS): Promise<CandidateList> {
  const candidates: EmvApplication[] = [];
  let blocked = 0;
  for (const terminal of terminalAids) {
    const name = Uint8Array.from(Buffer.from(terminal.aid, 'hex'));
    const seen = new Set<string>();
    let answer = await select(name, 'first');
    for (let occurrence = 1; ; occurrence++) {
      const step = judgeSelection(terminal, answer);
      if (step.kind === 'terminate') {
        throw new SmartCardError('CARD_STATUS', `SELECT ${terminal.aid}: the card is blocked or does not support SELECT (6A81)`, { sw: answer.sw, aid: terminal.aid });
      }
      if (step.kind === 'next-aid') break;
      if (step.kind === 'candidate' || step.kind === 'not-matching') {
        const dfName = step.kind === 'candidate' ? step.application.aid : step.dfName;
        if (seen.has(dfName)) throw invalid(`SELECT ${terminal.aid} next occurrence returned ${dfName} again: the card loops`, { aid: terminal.aid });
        seen.add(dfName);
      }
      if (step.kind === 'candidate' && !candidates.some((c) => c.aid === step.application.aid)) {
        if (candidates.length >= MAX_CANDIDATES) throw invalid(`the card lists more than ${MAX_CANDIDATES} applications`);
        candidates.push(step.application);
      }
      if (step.kind === 'blocked') blocked++;
      if ((step.kind === 'candidate' || step.kind === 'blocked') && step.then === 'next-aid') break;
      if (occurrence >= MAX_OCCURRENCES) {
        throw invalid(`SELECT ${terminal.aid} still answered after ${MAX_OCCURRENCES} occurrences: the card loops`, { aid: terminal.aid });
      }
      answer = await select(name, 'next');
    }
  }
  return { candidates, blocked };
}

/**
 * Whether the card holds an application under one of the terminal's AIDs: its first SELECT
 * answers 9000 or 6283. Cheap (one SELECT per AID at most) and lenient by design: a card that
 * answers a payment AID but then sends a broken FCI is a payment card with a fault, which
 * the `emv` routes report as such rather than as "not a payment card".
 */
export async function answersTerminalAid(select: SelectByName, terminalAids: readonly TerminalAid[] = TERMINAL_AIDS): Promise<boolean> {
  for (const terminal of terminalAids) {
    const { sw } = await select(Uint8Array.from(Buffer.from(terminal.aid, 'hex')), 'first');
    if (sw === SW.OK || sw === SW.WARNING_FILE_DEACTIVATED) return true;
    if (sw === CARD_BLOCKED_OR_UNSUPPORTED) return false;
  }
  return false;
}
