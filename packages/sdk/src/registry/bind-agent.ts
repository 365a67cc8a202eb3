import { asRecord } from '../errors/from-response.js';
import { sdkError } from '../errors/t1c-error.js';
import type { Transport } from '../http/transport.js';
import type { InfoResponse } from '../types/core.js';
import { consentStorageKey, defaultConsentStore, type ConsentStore } from './consent-store.js';

/** For shared hosts, where a Registry answers on the well-known port (t1c-api.md §1.4, §1.7). */
export interface ConsentOptions {
  /** The code word the page has just put on the clipboard: asks for a new consent when none is stored. */
  codeWord?: string;
  /** How long a new consent lasts. Default 365, as T1C. */
  durationInDays?: number;
  /** Default: localStorage under the official SDK's key. */
  store?: ConsentStore;
}

interface ConsentAnswer {
  readonly consentState: string;
  readonly consents: string[];
  readonly consent: string | undefined;
}

function consentAnswer(body: unknown): ConsentAnswer {
  const data = asRecord(asRecord(body)?.data);
  if (!data || typeof data.consentState !== 'string') throw sdkError('invalid-response', 'The Registry did not answer with a consent state');
  const consents = Array.isArray(data.consents) ? data.consents.filter((c): c is string => typeof c === 'string') : [];
  return { consentState: data.consentState, consents, consent: typeof data.consent === 'string' ? data.consent : undefined };
}

/** The agent port in a consent string (standard base64 of `{agent: {apiPort}, signedHash}`). */
function portOfConsent(consent: string): string {
  try {
    const port: unknown = asRecord(asRecord(JSON.parse(atob(consent)))?.agent)?.apiPort;
    if (typeof port === 'string' && /^\d{1,5}$/.test(port)) return port;
  } catch {
    // Falls through to the error below.
  }
  throw sdkError('invalid-response', 'The Registry returned a consent without an agent port');
}

function portOfAgents(body: unknown): string | undefined {
  const list = asRecord(body)?.data;
  const port: unknown = Array.isArray(list) ? asRecord(list[0])?.apiPort : undefined;
  return typeof port === 'string' && /^\d{1,5}$/.test(port) ? port : undefined;
}

/**
 * The port of this user's own connector behind a Registry, or undefined when `/info` came from
 * a connector (our Registry in mode `ours` forwards everything, so it answers as one).
 * optionalConsent: the Registry lists only the caller's agent. Otherwise the stored consents
 * are validated, and failing that a new one is asked for with the clipboard code word.
 */
export async function agentPort(registry: Transport, info: InfoResponse, applicationDomain: string | undefined, options: ConsentOptions = {}): Promise<string | undefined> {
  if (info.t1CInfoAPI.service?.deviceType !== 'PROXY') return undefined;
  if (info.t1CInfoAPI.optionalConsent === true) {
    const port = portOfAgents(await registry.request('/v3/agents'));
    if (port === undefined) throw sdkError('no-agent', 'No connector of this user is running on this computer');
    return port;
  }
  const store = options.store ?? defaultConsentStore(consentStorageKey(applicationDomain, registry.baseUrl));
  const stored = store.load();
  if (stored.length > 0) {
    const answer = consentAnswer(await registry.request('/v3/validate', { method: 'POST', body: { consents: stored } }));
    store.save(answer.consents);
    if (answer.consentState === 'APPROVED' && answer.consent !== undefined) return portOfConsent(answer.consent);
  }
  if (options.codeWord === undefined) throw sdkError('consent-required', 'Consent required: put a code word on the clipboard and connect with consent.codeWord');
  const answer = consentAnswer(await registry.request('/v3/consent', {
    method: 'POST', body: { codeWord: options.codeWord, durationInDays: options.durationInDays ?? 365, consents: store.load() },
  }));
  store.save(answer.consents);
  if (answer.consentState !== 'APPROVED' || answer.consent === undefined) throw sdkError('consent-required', 'The code word was not found on the clipboard of this user\'s session');
  return portOfConsent(answer.consent);
}
