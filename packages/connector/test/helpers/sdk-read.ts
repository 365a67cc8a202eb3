import { connect, isT1cError } from '@t1c/sdk';

/** Connects through `registryUrl` (with `codeWord` for the consent mode) and reads the holder's surname. */
export async function readAsUser(registryUrl: string, codeWord: string | undefined): Promise<{ url: string; surname: string } | { kind: string }> {
  try {
    const client = await connect({ candidates: [registryUrl], ...(codeWord ? { consent: { codeWord, durationInDays: 1 } } : {}), verifySignatures: true });
    const [reader] = await client.readers();
    if (!reader) return { kind: 'no-reader' };
    return { url: client.url, surname: (await client.beid(reader.id).biometric()).name };
  } catch (error) {
    if (isT1cError(error)) return { kind: error.kind };
    throw error;
  }
}
