import { connect, isT1cError, PinIncorrectError, type Beid, type CardReader, type T1cClient } from '@t1c/sdk';
import { backend } from './backend.js';
import * as view from './view.js';

interface IntegrityCheck { ok: boolean; skipped?: boolean; reason?: string }
type Integrity = Record<'identitySignature' | 'addressSignature' | 'photoHash' | 'rrnCertificate' | 'basicKeyHash', IntegrityCheck>;

const INTEGRITY_LABELS: Record<keyof Integrity, string> = {
  identitySignature: 'Identity signed by the National Register',
  addressSignature: 'Address signed by the National Register',
  photoHash: 'Photo matches the identity file',
  rrnCertificate: 'National Register certificate issued by the card root',
  basicKeyHash: 'Card key matches the identity file',
};

let current: { readerId: string; atr: string; beid: Beid } | undefined;
let busy = false;

/** Maps an SDK failure to what the page says; returns false when it is not a page-level state. */
function showFailure(error: unknown): boolean {
  if (!isT1cError(error)) {
    view.showState('error', error instanceof Error ? error.message : String(error));
    return true;
  }
  switch (error.kind) {
    case 'connector-not-running': view.showState('connector-not-running'); return true;
    case 'permission-denied': view.showState('permission-denied'); return true;
    case 'unauthorized':
    case 'origin-not-allowed': view.showState('not-authorised'); return true;
    case 'pin-blocked': view.showState('pin-blocked'); return true;
    case 'unsupported-card': view.showState('unsupported-card'); return true;
    case 'version-not-allowed': view.showState('update-required', error.description); return true;
    case 'no-card':
    case 'card-removed': view.showState('no-card'); return true;
    default: return false;
  }
}

async function readCard(beid: Beid): Promise<void> {
  view.showState('reading');
  const data = await beid.allData() as Awaited<ReturnType<Beid['allData']>> & { integrity?: Integrity };
  const b = data.biometric;
  const a = data.address;
  view.showIdentity(
    [['Name', b?.name ?? ''], ['First names', b?.firstNames ?? ''], ['Born', `${b?.birthDate ?? ''}, ${b?.birthLocation ?? ''}`],
      ['Nationality', b?.nationality ?? ''], ['National number', b?.nationalNumber ?? ''], ['Card number', b?.cardNumber ?? ''],
      ['Valid', `${b?.cardValidityDateBegin ?? ''} – ${b?.cardValidityDateEnd ?? ''}`]],
    [['Street', a?.streetAndNumber ?? ''], ['Postcode', a?.zipcode ?? ''], ['Municipality', a?.municipality ?? '']],
    data.picture?.picture,
  );
  await view.photoDecoded();
  // For bench/demo: from the first SDK call to identity and photo on screen.
  if (performance.getEntriesByName('t1c:identity-rendered').length === 0) performance.mark('t1c:identity-rendered');
  const integrity = data.integrity;
  view.showIntegrity(integrity
    ? (Object.keys(INTEGRITY_LABELS) as (keyof Integrity)[]).filter((k) => !integrity[k].skipped)
      .map((k) => ({ label: INTEGRITY_LABELS[k], ok: integrity[k].ok, ...(integrity[k].reason ? { reason: integrity[k].reason } : {}) }))
    : [{ label: 'Integrity', ok: false, reason: 'the connector did not report it' }]);
  view.showState('ready');
}

function describeCard(reader: CardReader): string {
  if (!reader.card) return 'no card';
  const modules = [...(reader.card.modules ?? []), ...(reader.card.module ?? [])];
  return modules.includes('beid') ? 'Belgian eID' : 'unknown card';
}

async function follow(client: T1cClient): Promise<void> {
  const readers = await client.readers();
  view.showReaders(readers.map((r) => ({ name: r.name, card: describeCard(r) })));
  const withBeid = readers.find((r) => r.card && describeCard(r) === 'Belgian eID');
  if (!withBeid?.card) {
    current = undefined;
    view.showState(readers.length === 0 ? 'no-reader' : readers.some((r) => r.card) ? 'unsupported-card' : 'no-card');
    return;
  }
  if (current?.readerId === withBeid.id && current.atr === withBeid.card.atr) return;
  const beid = client.beid(withBeid.id);
  current = { readerId: withBeid.id, atr: withBeid.card.atr, beid };
  try {
    await readCard(beid);
  } catch (error) {
    current = undefined;
    throw error;
  }
}

/** Runs one PIN action on the current card: one at a time, the PIN field cleared afterwards. */
async function pinAction(target: 'pin-result' | 'sign-result', action: (beid: Beid) => Promise<void>): Promise<void> {
  if (!current || busy) return;
  busy = true;
  try {
    await action(current.beid);
  } catch (error) {
    if (error instanceof PinIncorrectError) view.showResult(target, false, `Wrong PIN. ${error.triesLeft ?? 'Few'} tries left.`);
    else if (!showFailure(error)) view.showResult(target, false, isT1cError(error) ? error.description : String(error));
  } finally {
    view.clearPin();
    busy = false;
  }
}

const verifyPin = (pin: string): Promise<void> => pinAction('pin-result', async (beid) => {
  await beid.verifyPin({ pin });
  view.showResult('pin-result', true, 'PIN correct.');
});

const signChallenge = (pin: string): Promise<void> => pinAction('sign-result', async (beid) => {
  const challenge = await backend.challenge();
  const signature = await beid.sign({ algorithm: challenge.algorithm, digest: challenge.digest, pin });
  const certs = await beid.certificates(['nonRepudiationCertificate', 'intermediateCertificates', 'rootCertificate']);
  const chain = [certs.nonRepudiationCertificate, certs.intermediateCertificates, certs.rootCertificate]
    .map((c) => c?.certificates[0]?.certificate).filter((c): c is string => typeof c === 'string');
  const verdict = await backend.verify(challenge.id, signature.data, chain);
  const ok = verdict.signatureValid && verdict.chainValid;
  view.showResult('sign-result', ok, ok
    ? `The server verified your signature (${verdict.signer}) and its certificate chain up to ${verdict.root}${verdict.rootTrusted ? ', a trusted root' : ' (a root this server does not trust: a test card)'}.`
    : `The server could not verify the signature: ${verdict.reason ?? (verdict.signatureValid ? 'certificate chain broken' : 'signature invalid')}.`);
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function run(): Promise<void> {
  view.onPinSubmit((pin) => void verifyPin(pin));
  view.onSign((pin) => void signChallenge(pin));
  const { connectorUrl } = await backend.config();
  performance.mark('t1c:first-sdk-call');
  for (;;) {
    let client: T1cClient;
    try {
      client = await connect({ candidates: [connectorUrl], getJwt: backend.jwt });
    } catch (error) {
      showFailure(error);
      await sleep(2000);
      continue;
    }
    for (;;) {
      try {
        if (!busy) await follow(client);
      } catch (error) {
        if (!showFailure(error)) view.showState('error', isT1cError(error) ? error.description : String(error));
        if (isT1cError(error) && (error.kind === 'connector-not-running' || error.kind === 'permission-denied')) break;
      }
      await sleep(1000);
    }
  }
}

void run();
