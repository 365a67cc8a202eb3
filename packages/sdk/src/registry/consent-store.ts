/** Where a page keeps its consent strings between visits. */
export interface ConsentStore {
  load(): string[];
  save(consents: readonly string[]): void;
}

/** The official SDK's localStorage key (t1c-api.md §1.7), so both SDKs share a page's consents. */
export function consentStorageKey(applicationDomain: string | undefined, registryUrl: string): string {
  return `t1c-consent-${String(applicationDomain)}::${registryUrl}`;
}

/** localStorage when the page has one; a store that forgets otherwise (Node, workers). */
export function defaultConsentStore(key: string): ConsentStore {
  const storage = (globalThis as { localStorage?: { getItem(k: string): string | null; setItem(k: string, v: string): void } }).localStorage;
  let memory: string[] = [];
  return {
    load() {
      if (!storage) return memory;
      try {
        const parsed: unknown = JSON.parse(storage.getItem(key) ?? '[]');
        return Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === 'string') : [];
      } catch {
        return [];
      }
    },
    save(consents) {
      memory = [...consents];
      storage?.setItem(key, JSON.stringify(memory));
    },
  };
}

/** A code word in the official SDK's form (`::t1c::miksa::` + 32 letters and digits), for the clipboard. */
export function generateConsentCodeWord(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let word = '';
  while (word.length < 32) {
    // Bytes of 248 (4 × 62) and above are dropped so every character is equally likely.
    for (const b of crypto.getRandomValues(new Uint8Array(48))) if (b < 248 && word.length < 32) word += alphabet[b % 62] ?? '';
  }
  return `::t1c::miksa::${word}`;
}
