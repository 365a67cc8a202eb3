import { randomBytes } from 'node:crypto';
import { command, type ResponseApdu } from '../codec/apdu.js';
import { decodeBerTlv, findBerTlv, flattenBerTlv, type BerTlv } from '../codec/ber-tlv.js';
import { concatBytes, wipe } from '../codec/hex.js';
import { describeStatusWord, SW, triesLeft } from '../codec/status-words.js';
import type { PinSource } from '../beid/beid-card.js';
import { pinBlock, pinpadVerifyStructure } from '../beid/pin.js';
import { SmartCardError } from '../errors.js';
import type { CardSession } from '../reader/session.js';
import { parseAfl, type AflEntry } from './afl.js';
import { applicationData, type EmvApplicationData } from './application-data.js';
import {
  recoverCertificate, type EmvCertificationAuthorityKey, type EmvPublicKeyCertificate, type Recovery,
} from './certificates.js';
import { EmvCaKeyTable } from './ca-key-table.js';
import { applicationFrom, byPriority, latin1Text as text, type EmvApplication } from './application.js';
import { answersTerminalAid, buildCandidateList, type SelectByName } from './candidate-list.js';
import { CARD_BLOCKED_OR_UNSUPPORTED, CONDITIONS_NOT_SATISFIED, FIRST_OCCURRENCE, NEXT_OCCURRENCE, PLAINTEXT_PIN, PPSE, PSE, RECORD_NOT_FOUND, Tag } from './constants.js';
import { answerDol, pdolEntries, type TerminalData } from './dol.js';

/** What GET PROCESSING OPTIONS and the AFL's records yielded for one application. */
export interface EmvApplicationRecords {
  readonly aid: string;
  readonly language: string | undefined;
  readonly aip: Uint8Array;
  readonly afl: readonly AflEntry[];
  /** Every primitive data object of the FCI and the records; the first of a repeated tag wins. */
  readonly data: ReadonlyMap<number, Uint8Array>;
  /** Book 3 §10.3: what the ICC certificate's hash covers besides its own fields. */
  readonly staticData: Uint8Array;
}

export type EmvApplicationSource = 'ppse' | 'pse' | 'terminal-aids';

/** The applications a card lists, by priority, and how the list was built. */
export interface EmvApplicationList {
  readonly applications: readonly EmvApplication[];
  readonly source: EmvApplicationSource;
}

export interface EmvCertificates {
  readonly aid: string;
  readonly caIndex: number | undefined;
  readonly issuer: (EmvPublicKeyCertificate & { readonly recovery: Recovery }) | undefined;
  readonly icc: (EmvPublicKeyCertificate & { readonly recovery: Recovery }) | undefined;
}

const BELGIUM = '056';
const EURO = '978';
const EMPTY = new Uint8Array(0);

function fail(what: string, response: ResponseApdu): never {
  throw new SmartCardError('CARD_STATUS', `${what}: ${describeStatusWord(response.sw)}`, { sw: response.sw });
}

function directoryEntry(node: BerTlv): EmvApplication | undefined {
  const fields = flattenBerTlv(node.children);
  const aid = fields.get(Tag.aid);
  if (!aid || aid.length < 5 || aid.length > 16) return undefined;
  return applicationFrom(aid, fields);
}

function parseTemplate(data: Uint8Array, what: string): BerTlv[] {
  try {
    return decodeBerTlv(data);
  } catch (error) {
    throw new SmartCardError('CARD_DATA_INVALID', `${what} is not BER-TLV: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * A contact EMV payment card, read-only: application selection through the PPSE or the PSE
 * (never by ATR), then per application SELECT → GET PROCESSING OPTIONS → READ RECORD per the
 * AFL, as terminals do (Book 3 §10), offline plaintext PIN and the issuer/ICC certificates.
 */
export class EmvCard {
  private constructor(
    readonly session: CardSession,
    readonly applications: readonly EmvApplication[],
    /** How the list was built: a directory (Book 1 §12.3.2) or the terminal's AIDs (§12.3.3). */
    readonly source: EmvApplicationSource,
    private readonly terminal: TerminalData,
  ) {}

  /**
   * Whether the card in the session is a payment card: it has a PPSE or a PSE, or else answers
   * SELECT of one of the terminal's AIDs (Book 1 §12.3.3). Costs two SELECTs for a card with
   * a PSE/PPSE and at most eight for one without; the eID and other cards answer 6A82.
   */
  static async recognise(session: CardSession): Promise<boolean> {
    for (const name of [PPSE, PSE]) {
      const response = await session.transmit(command(0x00, 0xa4, 0x04, FIRST_OCCURRENCE, Buffer.from(name, 'latin1'), 256));
      if (response.sw !== SW.OK) continue;
      try {
        if (findBerTlv(decodeBerTlv(response.data), [Tag.fci])) return true;
      } catch {
        // An answer that is not an FCI is not a payment system environment.
      }
    }
    return answersTerminalAid(selectByName(session));
  }

  /**
   * Lists the applications: the PPSE's directory, else the PSE's directory records, else
   * (neither there, or either malformed) the candidate list from the terminal's AIDs (Book 1
   * §12.3.3). Refuses a card none of the three finds an application on.
   */
  static async readApplicationList(session: CardSession): Promise<EmvApplicationList> {
    const { apps, source } = await session.inTransaction(async () => {
      const ppse = await listFromPpse(session);
      if (ppse) return { apps: ppse, source: 'ppse' as const };
      const pse = await listFromPse(session);
      if (pse) return { apps: pse, source: 'pse' as const };
      return { apps: await listFromTerminalAids(session), source: 'terminal-aids' as const };
    });
    return { applications: byPriority(apps), source };
  }

  /**
   * The card with its application list: `known`, a list read from this same insertion of the
   * card (the caller answers for that), or else read now.
   */
  static async open(session: CardSession, terminal: Partial<TerminalData> = {}, known?: EmvApplicationList): Promise<EmvCard> {
    const { applications, source } = known ?? await EmvCard.readApplicationList(session);
    return new EmvCard(session, applications, source, {
      countryCode: terminal.countryCode ?? BELGIUM, currencyCode: terminal.currencyCode ?? EURO,
      date: terminal.date ?? new Date(), unpredictableNumber: terminal.unpredictableNumber ?? randomBytes(4),
    });
  }

  /** The application to use when none is named: the highest priority (Book 1 §12.4). */
  preferredAid(): string {
    const first = this.applications[0];
    if (!first) throw new SmartCardError('CARD_DATA_INVALID', 'the card lists no payment application');
    return first.aid;
  }

  private checkAid(aid: string): string {
    const wanted = aid.toUpperCase();
    if (!this.applications.some((a) => a.aid === wanted)) {
      throw new SmartCardError('CARD_FILE_NOT_FOUND', 'the card lists no application with that AID', { aid: wanted });
    }
    return wanted;
  }

  /** SELECT the application and run GET PROCESSING OPTIONS with our PDOL answer. */
  private async initiate(aid: string): Promise<{ fci: BerTlv[]; aip: Uint8Array; afl: AflEntry[] }> {
    const selected = await this.session.transmit(command(0x00, 0xa4, 0x04, 0x00, Buffer.from(aid, 'hex'), 256));
    if (selected.sw !== SW.OK) fail('SELECT application', selected);
    const fci = parseTemplate(selected.data, 'the application FCI');
    const pdol = findBerTlv(fci, [Tag.fci, Tag.fciProprietary, Tag.pdol])?.value;
    const answer = answerDol(pdolEntries(pdol), this.terminal);
    const body = concatBytes(Uint8Array.of(Tag.commandTemplate, answer.length), answer);
    const gpo = await this.session.transmit(command(0x80, 0xa8, 0x00, 0x00, body, 256));
    if (gpo.sw === CONDITIONS_NOT_SATISFIED) {
      throw new SmartCardError('CARD_STATUS', 'the card refused GET PROCESSING OPTIONS for this application', { sw: gpo.sw });
    }
    if (gpo.sw !== SW.OK) fail('GET PROCESSING OPTIONS', gpo);
    const template = parseTemplate(gpo.data, 'the GPO answer');
    const format1 = findBerTlv(template, [Tag.gpoFormat1])?.value;
    let aip: Uint8Array | undefined;
    let afl: Uint8Array | undefined;
    if (format1) {
      aip = format1.subarray(0, 2);
      afl = format1.subarray(2);
    } else {
      aip = findBerTlv(template, [Tag.gpoFormat2, Tag.aip])?.value;
      afl = findBerTlv(template, [Tag.gpoFormat2, Tag.afl])?.value;
    }
    if (aip?.length !== 2 || !afl) throw new SmartCardError('CARD_DATA_INVALID', 'the GPO answer lacks the AIP or the AFL');
    return { fci, aip: Uint8Array.from(aip), afl: parseAfl(afl) };
  }

  /** READ RECORD; a card that refuses it (6985 before GPO) gets a clear error, not a crash. */
  async readRecord(sfi: number, record: number): Promise<Uint8Array> {
    if (!Number.isInteger(sfi) || sfi < 1 || sfi > 30 || !Number.isInteger(record) || record < 1 || record > 255) {
      throw new RangeError('SFI must be 1..30 and the record 1..255');
    }
    const response = await this.session.transmit(command(0x00, 0xb2, record, (sfi << 3) | 0x04, EMPTY, 256));
    if (response.sw === CONDITIONS_NOT_SATISFIED) {
      throw new SmartCardError('CARD_STATUS', 'the card refused READ RECORD: no application was initiated with GET PROCESSING OPTIONS', { sw: response.sw });
    }
    if (response.sw === RECORD_NOT_FOUND || response.sw === SW.FILE_NOT_FOUND) {
      throw new SmartCardError('CARD_FILE_NOT_FOUND', `READ RECORD: ${describeStatusWord(response.sw)}`, { sw: response.sw, sfi, record });
    }
    if (response.sw !== SW.OK) fail('READ RECORD', response);
    return response.data;
  }

  /** Book 3 §10: SELECT, GPO, then every record the AFL names, in one PC/SC transaction. */
  async readApplication(aid: string = this.preferredAid()): Promise<EmvApplicationRecords> {
    const wanted = this.checkAid(aid);
    return this.session.inTransaction(async () => {
      const { fci, aip, afl } = await this.initiate(wanted);
      const data = flattenBerTlv(fci);
      const oda: Uint8Array[] = [];
      for (const entry of afl) {
        for (let record = entry.first; record <= entry.last; record++) {
          const bytes = await this.readRecord(entry.sfi, record);
          const nodes = parseTemplate(bytes, 'a record');
          const template = findBerTlv(nodes, [Tag.record]);
          if (entry.sfi <= 10 && !template) throw new SmartCardError('CARD_DATA_INVALID', 'a record of SFI 1-10 is not a 70 template');
          flattenBerTlv(nodes, data);
          if (record - entry.first < entry.odaRecords) oda.push(entry.sfi <= 10 && template ? template.value : bytes);
        }
      }
      // Book 3 §10.3: the SDA tag list may only name the AIP.
      if (data.get(Tag.staticDataTagList)?.[0] === Tag.aip) oda.push(aip);
      return { aid: wanted, language: text(data.get(Tag.language)), aip, afl, data, staticData: concatBytes(...oda) };
    });
  }

  async applicationData(aid?: string): Promise<EmvApplicationData> {
    return applicationData(await this.readApplication(aid));
  }

  /**
   * The issuer and ICC public key certificates with their exponents and remainders, and what
   * they recover to with the CA key the table holds under (RID, index) on the transaction date
   * (Book 2 §5.3: an expired CA key is not used).
   */
  async certificates(aid: string, authorities: EmvCaKeyTable | readonly EmvCertificationAuthorityKey[] = []): Promise<EmvCertificates> {
    const table = authorities instanceof EmvCaKeyTable ? authorities : EmvCaKeyTable.ofKeys(authorities);
    const records = await this.readApplication(aid);
    const get = (tag: number): Uint8Array | undefined => records.data.get(tag);
    const caIndex = get(Tag.caIndex)?.[0];
    const issuerCertificate = get(Tag.issuerCertificate);
    const iccCertificate = get(Tag.iccCertificate);
    const issuerRaw = issuerCertificate
      ? { certificate: issuerCertificate, exponent: get(Tag.issuerExponent) ?? EMPTY, remainder: get(Tag.issuerRemainder) ?? EMPTY }
      : undefined;
    const rid = records.aid.slice(0, 10);
    const issuerRecovery: Recovery = issuerRaw ? recoverIssuer(issuerRaw, table, rid, caIndex, this.terminal.date) : { status: 'no-key', reason: 'no issuer certificate' };
    let icc: EmvCertificates['icc'];
    if (iccCertificate) {
      const raw = { certificate: iccCertificate, exponent: get(Tag.iccExponent) ?? EMPTY, remainder: get(Tag.iccRemainder) ?? EMPTY };
      const recovery: Recovery = issuerRecovery.status === 'recovered' && issuerRecovery.key.hashValid
        ? recoverCertificate(raw, issuerRecovery.key, 0x04, records.staticData)
        : unrecoveredSigner(issuerRecovery);
      icc = { ...raw, recovery };
    }
    return { aid: records.aid, caIndex, issuer: issuerRaw ? { ...issuerRaw, recovery: issuerRecovery } : undefined, icc };
  }

  /** GET DATA 9F17 in the selected application; undefined when the card does not give it. */
  private async readTryCounter(): Promise<number | undefined> {
    const response = await this.session.transmit(command(0x80, 0xca, 0x9f, 0x17, EMPTY, 256));
    if (response.sw !== SW.OK) return undefined;
    return findBerTlv(parseTemplate(response.data, 'GET DATA 9F17'), [Tag.pinTryCounter])?.value[0];
  }

  /** PIN tries left in the application (GET DATA 9F17), or undefined when the card keeps it private. */
  async pinTriesLeft(aid: string = this.preferredAid()): Promise<number | undefined> {
    const wanted = this.checkAid(aid);
    return this.session.inTransaction(async () => {
      await this.initiate(wanted);
      return this.readTryCounter();
    });
  }

  /**
   * Offline plaintext PIN (Book 3 §6.5.12) after SELECT and GPO, from the caller's digits or
   * typed on the reader's pinpad (PC/SC part 10 builds the same VERIFY). A counter already at
   * zero is reported without asking for the PIN, as Book 4 §6.3.4 has terminals do. Digits
   * stay the caller's to wipe; the block built from them is wiped here.
   */
  async verifyPin(source: PinSource | Uint8Array, aid: string = this.preferredAid()): Promise<void> {
    const wanted = this.checkAid(aid);
    const pin: PinSource = source instanceof Uint8Array ? { kind: 'digits', pin: source } : source;
    const block = pin.kind === 'digits' ? pinBlock(pin.pin) : undefined;
    try {
      await this.session.inTransaction(async () => {
        await this.initiate(wanted);
        if ((await this.readTryCounter()) === 0) throw new SmartCardError('PIN_BLOCKED', 'the PIN is blocked', { triesLeft: 0 });
        checkEmvVerifyAnswer(block ? (await this.session.transmit(command(0x00, 0x20, 0x00, PLAINTEXT_PIN, block))).sw : await this.pinpadVerify());
      });
    } finally {
      if (block) wipe(block);
    }
  }

  private async pinpadVerify(): Promise<number> {
    const features = await this.session.connection.features();
    if (features.verifyPinDirect === undefined) throw new SmartCardError('PCSC_UNSUPPORTED', 'the reader has no pinpad');
    const answer = await this.session.connection.control(features.verifyPinDirect, pinpadVerifyStructure(PLAINTEXT_PIN));
    if (answer.length !== 2) throw new SmartCardError('PCSC_COMM_ERROR', `pinpad answered ${answer.length} bytes`);
    return ((answer[0] ?? 0) << 8) | (answer[1] ?? 0);
  }
}

/** VERIFY's answer (Book 3 §6.5.12.4, and the pinpad's own status words) as done or a typed PIN error. */
function checkEmvVerifyAnswer(sw: number): void {
  if (sw === SW.OK) return;
  const tries = triesLeft(sw);
  if (tries === 0 || sw === SW.AUTH_METHOD_BLOCKED) throw new SmartCardError('PIN_BLOCKED', 'wrong PIN; the PIN is now blocked', { triesLeft: 0 });
  if (tries !== undefined) throw new SmartCardError('PIN_INCORRECT', `wrong PIN, ${tries} tries left`, { triesLeft: tries });
  if (sw === SW.NO_PRECISE_DIAGNOSIS) throw new SmartCardError('PIN_TIMEOUT', 'no PIN was entered on the pinpad in time', { sw });
  if (sw === SW.PINPAD_CANCELLED) throw new SmartCardError('PIN_CANCELLED', 'PIN entry was cancelled on the pinpad', { sw });
  throw new SmartCardError('CARD_STATUS', `VERIFY: ${describeStatusWord(sw)}`, { sw });
}

/** The ICC certificate's signer is the issuer key: when that did not recover, the ICC key fails for the same reason. */
function unrecoveredSigner(issuer: Recovery): Recovery {
  if (issuer.status === 'recovered') return { status: 'invalid', reason: 'the issuer public key certificate\'s hash does not match' };
  const reason = `the issuer public key was not recovered: ${issuer.reason}`;
  return issuer.status === 'invalid' ? { status: 'invalid', reason } : { status: issuer.status, reason };
}

/** Book 2 §5.3 step 1: the CA key named by the RID and tag 8F, if the table has it and it has not expired. */
function recoverIssuer(cert: EmvPublicKeyCertificate, table: EmvCaKeyTable, rid: string, caIndex: number | undefined, on: Date): Recovery {
  const name = `RID ${rid}, index ${caIndex === undefined ? '(none: the card has no tag 8F)' : caIndex.toString(16).toUpperCase().padStart(2, '0')}`;
  if (caIndex === undefined) return { status: 'no-key', reason: `no CA public key for ${name}` };
  const found = table.find(rid, caIndex, on);
  if (found.status === 'unknown') return { status: 'no-key', reason: `the CA public key for ${name} is not known` };
  if (found.status === 'expired') return { status: 'expired', reason: `the CA public key for ${name} expired on ${found.expiry}` };
  return recoverCertificate(cert, found.key, 0x02);
}

/** SELECT by DF name as the candidate-list steps ask for it. */
function selectByName(session: CardSession): SelectByName {
  return (name, occurrence) => session.transmit(command(0x00, 0xa4, 0x04, occurrence === 'next' ? NEXT_OCCURRENCE : FIRST_OCCURRENCE, name, 256));
}

/** BER-TLV nodes, or undefined for an answer that is not: a malformed directory counts as none. */
function tryTemplate(data: Uint8Array): BerTlv[] | undefined {
  try {
    return decodeBerTlv(data);
  } catch {
    return undefined;
  }
}

async function listFromPpse(session: CardSession): Promise<EmvApplication[] | undefined> {
  const response = await session.transmit(command(0x00, 0xa4, 0x04, FIRST_OCCURRENCE, Buffer.from(PPSE, 'latin1'), 256));
  if (response.sw !== SW.OK) return undefined;
  const nodes = tryTemplate(response.data);
  if (!nodes) return undefined;
  const directory = findBerTlv(nodes, [Tag.fci, Tag.fciProprietary, Tag.issuerDiscretionary]);
  const apps = (directory?.children ?? []).filter((n) => n.tag === Tag.applicationTemplate).map(directoryEntry);
  const found = apps.filter((a): a is EmvApplication => a !== undefined);
  return found.length > 0 ? found : undefined;
}

/** Book 1 §12.3.2: SELECT the PSE, then READ RECORD its directory SFI from record 1 until 6A83. */
async function listFromPse(session: CardSession): Promise<EmvApplication[] | undefined> {
  const response = await session.transmit(command(0x00, 0xa4, 0x04, FIRST_OCCURRENCE, Buffer.from(PSE, 'latin1'), 256));
  // Book 1 §12.3.2: a card blocked, or without SELECT, ends the session; it is not "no PSE".
  if (response.sw === CARD_BLOCKED_OR_UNSUPPORTED) {
    throw new SmartCardError('CARD_STATUS', 'SELECT of the PSE: the card is blocked or does not support SELECT (6A81)', { sw: response.sw });
  }
  if (response.sw !== SW.OK) return undefined;
  const fci = tryTemplate(response.data);
  const sfi = fci ? findBerTlv(fci, [Tag.fci, Tag.fciProprietary, Tag.sfi])?.value[0] : undefined;
  // Book 1 §12.3.2: a PSE the terminal cannot use sends it to the list of AIDs.
  if (sfi === undefined || sfi < 1 || sfi > 30) return undefined;
  const apps: EmvApplication[] = [];
  for (let record = 1; record <= 255; record++) {
    const answer = await session.transmit(command(0x00, 0xb2, record, (sfi << 3) | 0x04, EMPTY, 256));
    if (answer.sw === RECORD_NOT_FOUND) break;
    if (answer.sw !== SW.OK) fail('READ RECORD (PSE directory)', answer);
    const nodes = tryTemplate(answer.data);
    if (!nodes) return undefined;
    const template = findBerTlv(nodes, [Tag.record]);
    for (const node of template?.children ?? []) {
      if (node.tag !== Tag.applicationTemplate) continue;
      const app = directoryEntry(node);
      if (app) apps.push(app);
    }
  }
  return apps.length > 0 ? apps : undefined;
}

/** Book 1 §12.3.3, for a card without a usable PPSE or PSE. */
async function listFromTerminalAids(session: CardSession): Promise<EmvApplication[]> {
  const { candidates, blocked } = await buildCandidateList(selectByName(session));
  if (candidates.length > 0) return [...candidates];
  if (blocked > 0) throw new SmartCardError('CARD_STATUS', 'every payment application the card answered is blocked (6283)', { blocked });
  throw new SmartCardError('CARD_UNKNOWN', 'the card has no PPSE, no PSE and none of the terminal\'s AIDs: not an EMV payment card');
}
