/** Everything the page writes into the document; the flow in main.ts never touches the DOM. */
export type PageState =
  | 'starting' | 'connector-not-running' | 'permission-denied' | 'not-authorised' | 'no-reader' | 'no-card'
  | 'unsupported-card' | 'update-required' | 'reading' | 'ready' | 'pin-blocked' | 'error';

const MESSAGES: Record<PageState, string> = {
  'starting': 'Looking for the connector…',
  'connector-not-running': 'The connector is not running on this computer. Start it, then this page finds it by itself.',
  'permission-denied': 'Your browser blocks this page from reaching the connector on this computer. Allow "local network access" for this site in the address bar (or ask your IT department), then reload.',
  'not-authorised': 'The connector refused this page: it is not on the list of allowed sites, or its access token is no longer valid.',
  'no-reader': 'No card reader found. Connect a reader.',
  'no-card': 'Insert your eID card in the reader.',
  'unsupported-card': 'The card in the reader is not a Belgian eID.',
  'update-required': 'The connector on this computer must be updated before it can read cards.',
  'reading': 'Reading your card…',
  'ready': 'Card read.',
  'pin-blocked': 'The PIN of this card is blocked. Unblock it with your PUK at your municipality.',
  'error': 'Something went wrong.',
};

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page lacks #${id}`);
  return found as T;
}

export function showState(state: PageState, detail?: string): void {
  const status = element('status');
  status.dataset.state = state;
  status.textContent = detail ? `${MESSAGES[state]} ${detail}` : MESSAGES[state];
  const cardVisible = state === 'ready' || state === 'pin-blocked';
  element('card').hidden = !cardVisible;
  element('actions').hidden = state !== 'ready';
}

export interface ReaderRow {
  readonly name: string;
  readonly card: string;
}

export function showReaders(rows: readonly ReaderRow[]): void {
  const list = element('readers');
  list.replaceChildren(...rows.map((r) => {
    const item = document.createElement('li');
    item.textContent = `${r.name}: ${r.card}`;
    return item;
  }));
  if (rows.length === 0) {
    const item = document.createElement('li');
    item.textContent = 'none';
    list.append(item);
  }
}

function fill(id: string, entries: readonly (readonly [string, string])[]): void {
  element(id).replaceChildren(...entries.flatMap(([label, value]) => {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.textContent = value;
    return [dt, dd];
  }));
}

export function showIdentity(identity: readonly (readonly [string, string])[], address: readonly (readonly [string, string])[], photoBase64: string | undefined): void {
  fill('identity', identity);
  fill('address', address);
  const photo = element<HTMLImageElement>('photo');
  if (photoBase64) photo.src = `data:image/jpeg;base64,${photoBase64}`;
  else photo.removeAttribute('src');
}

/** Resolves once the photo is decoded and can be painted (or at once when there is none). */
export async function photoDecoded(): Promise<void> {
  const photo = element<HTMLImageElement>('photo');
  if (photo.src) await photo.decode().catch(() => undefined);
}

export function showIntegrity(checks: readonly { readonly label: string; readonly ok: boolean; readonly reason?: string }[]): void {
  element('integrity').replaceChildren(...checks.map((c) => {
    const item = document.createElement('li');
    item.className = c.ok ? 'ok' : 'bad';
    item.textContent = c.ok ? c.label : `${c.label}: ${c.reason ?? 'failed'}`;
    return item;
  }));
}

export function showResult(id: 'pin-result' | 'sign-result', ok: boolean, text: string): void {
  const target = element(id);
  target.dataset.ok = String(ok);
  target.textContent = text;
}

export function onPinSubmit(handler: (pin: string) => void): void {
  const form = element<HTMLFormElement>('pin-form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    handler(element<HTMLInputElement>('pin').value);
  });
}

export function onSign(handler: (pin: string) => void): void {
  element('sign').addEventListener('click', () => {
    const input = element<HTMLInputElement>('pin');
    if (!input.reportValidity()) return;
    handler(input.value);
  });
}

export function clearPin(): void {
  element<HTMLInputElement>('pin').value = '';
}
