import { ascii, tlv } from './ber-tlv-writer.js';
import type { EmvApplicationProfile } from './emv-profile.js';
import { EmvTag as T, PPSE_NAME, PSE_NAME } from './emv-spec.js';

/** The PSE's directory file lives in SFI 1 (Book 1 §12.2.3). */
export const PSE_DIRECTORY_SFI = 1;

function directoryEntry(profile: EmvApplicationProfile): Uint8Array {
  return tlv(T.applicationTemplate, [
    tlv(T.aid, Uint8Array.from(Buffer.from(profile.aid, 'hex'))),
    tlv(T.applicationLabel, ascii(profile.label)),
    ...(profile.preferredName ? [tlv(T.applicationPreferredName, ascii(profile.preferredName))] : []),
    tlv(T.applicationPriority, Uint8Array.of(profile.priority)),
  ]);
}

/** Book 1 Table 43: FCI of the PSE, pointing at its directory's SFI. */
export function pseFci(language: string): Uint8Array {
  return tlv(T.fciTemplate, [
    tlv(T.dfName, ascii(PSE_NAME)),
    tlv(T.fciProprietaryTemplate, [tlv(T.directorySfi, Uint8Array.of(PSE_DIRECTORY_SFI)), tlv(T.languagePreference, ascii(language))]),
  ]);
}

/** Book 1 §12.2.3: one directory record per application (one per record keeps each record short). */
export function pseRecords(profiles: readonly EmvApplicationProfile[]): Uint8Array[] {
  return profiles.map((p) => tlv(T.recordTemplate, directoryEntry(p)));
}

/** Contactless Book B Table 3-2: the PPSE carries its directory inline, in BF0C. */
export function ppseFci(profiles: readonly EmvApplicationProfile[]): Uint8Array {
  return tlv(T.fciTemplate, [
    tlv(T.dfName, ascii(PPSE_NAME)),
    tlv(T.fciProprietaryTemplate, [tlv(T.fciIssuerDiscretionary, profiles.map(directoryEntry))]),
  ]);
}
