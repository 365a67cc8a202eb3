// Test-only (its own subpath, never in the desktop bundle). @peculiar/x509's tsyringe needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, webcrypto, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const run = promisify(execFile);

/** Debian's path (package libsofthsm2); a symbolic link into the multiarch directory. */
export const SOFTHSM2_LIBRARY = '/usr/lib/softhsm/libsofthsm2.so';

export interface SoftHsmKey {
  /** CKA_ID in upper-case hex. */
  readonly id: string;
  readonly label: string;
  readonly certificate: Uint8Array;
  readonly publicKey: KeyObject;
}

/**
 * A SoftHSM2 token made for one test (beid-card.md §10.1): its own SOFTHSM2_CONF and token
 * directory in a temp dir, an RSA-2048 authentication key, a P-256 non-repudiation key and a
 * CA certificate, each certificate issued by a throw-away CA. `env` must be in the environment
 * of the process that loads the library (SoftHSM reads SOFTHSM2_CONF in C_Initialize).
 */
export interface SoftHsmToken {
  readonly library: string;
  readonly label: string;
  readonly pin: string;
  readonly soPin: string;
  readonly dir: string;
  readonly env: { readonly SOFTHSM2_CONF: string };
  readonly authentication: SoftHsmKey;
  readonly nonRepudiation: SoftHsmKey;
  readonly ca: { readonly id: string; readonly certificate: Uint8Array };
  remove(): void;
}

export interface SoftHsmTokenOptions {
  readonly label?: string;
  readonly pin?: string;
  readonly soPin?: string;
  /** Put this token in the same token directory as another (one SOFTHSM2_CONF, two slots); that one's remove() removes both. */
  readonly beside?: SoftHsmToken;
  /** The non-repudiation key gets CKA_ALWAYS_AUTHENTICATE (a qualified-signature key: the PIN again for each signature). */
  readonly alwaysAuthenticate?: boolean;
}

type RsaHashedImportParams = webcrypto.RsaHashedImportParams;
type EcKeyImportParams = webcrypto.EcKeyImportParams;

async function webKeyPair(key: { privateKey: KeyObject; publicKey: KeyObject }, algorithm: RsaHashedImportParams | EcKeyImportParams): Promise<webcrypto.CryptoKeyPair> {
  const pkcs8 = key.privateKey.export({ format: 'der', type: 'pkcs8' });
  const spki = key.publicKey.export({ format: 'der', type: 'spki' });
  return {
    privateKey: await webcrypto.subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', spki, algorithm, true, ['verify']),
  };
}

export async function createSoftHsmToken(options: SoftHsmTokenOptions = {}): Promise<SoftHsmToken> {
  const label = options.label ?? 't1c-test';
  const pin = options.pin ?? '1234';
  const soPin = options.soPin ?? '12345678';
  const owned = options.beside === undefined;
  const dir = options.beside?.dir ?? mkdtempSync(join(tmpdir(), 't1c-softhsm-'));
  const removeOwned = (): void => {
    if (owned) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const conf = join(dir, 'softhsm2.conf');
    if (owned) {
      const tokens = join(dir, 'tokens');
      mkdirSync(tokens);
      writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
    }
    const env = { ...process.env, SOFTHSM2_CONF: conf };
    await run('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', soPin, '--pin', pin], { env });

    const caKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecParams: EcKeyImportParams = { name: 'ECDSA', namedCurve: 'P-256' };
    const caWeb = await webKeyPair(caKeys, ecParams);
    const caName = 'CN=T1C Test Token CA, O=t1c-open tests';
    const notBefore = new Date(Date.now() - 3_600_000);
    const notAfter = new Date(Date.now() + 86_400_000 * 365);
    const ca = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01', name: caName, notBefore, notAfter, keys: caWeb, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
    });
    const issue = async (serial: string, cn: string, publicKey: webcrypto.CryptoKey, usage: x509.KeyUsageFlags) => new Uint8Array((await x509.X509CertificateGenerator.create({
      serialNumber: serial, subject: `CN=${cn}, O=t1c-open tests`, issuer: caName, notBefore, notAfter, publicKey,
      signingKey: caWeb.privateKey, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [new x509.BasicConstraintsExtension(false, undefined, true), new x509.KeyUsagesExtension(usage, true)],
    })).rawData);
    const rsaWeb = await webKeyPair(rsa, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' });
    const ecWeb = await webKeyPair(ec, ecParams);
    const authentication = { id: '01', label: 'Authentication', certificate: await issue('02', 'Test Holder (Authentication)', rsaWeb.publicKey, x509.KeyUsageFlags.digitalSignature), publicKey: rsa.publicKey };
    const nonRepudiation = { id: '02', label: 'Signature', certificate: await issue('03', 'Test Holder (Signature)', ecWeb.publicKey, x509.KeyUsageFlags.nonRepudiation), publicKey: ec.publicKey };

    const module = ['--module', SOFTHSM2_LIBRARY, '--token-label', label, '--login', '--pin', pin];
    for (const [key, pair] of [[authentication, rsa], [nonRepudiation, ec]] as const) {
      if (options.alwaysAuthenticate === true && key === nonRepudiation) {
        // softhsm2-util cannot set the attribute; pkcs11-tool writes the key with it.
        const pkcs8 = join(dir, `${key.id}.key.der`);
        writeFileSync(pkcs8, pair.privateKey.export({ format: 'der', type: 'pkcs8' }));
        await run('pkcs11-tool', [...module, '--write-object', pkcs8, '--type', 'privkey', '--id', key.id, '--label', key.label, '--usage-sign', '--always-auth'], { env });
        rmSync(pkcs8);
      } else {
        const pem = join(dir, `${key.id}.pem`);
        writeFileSync(pem, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
        await run('softhsm2-util', ['--import', pem, '--token', label, '--label', key.label, '--id', key.id, '--pin', pin], { env });
        rmSync(pem);
      }
      const der = join(dir, `${key.id}.der`);
      writeFileSync(der, key.certificate);
      await run('pkcs11-tool', [...module, '--write-object', der, '--type', 'cert', '--id', key.id, '--label', key.label], { env });
    }
    const caDer = join(dir, 'ca.der');
    writeFileSync(caDer, new Uint8Array(ca.rawData));
    await run('pkcs11-tool', [...module, '--write-object', caDer, '--type', 'cert', '--id', '03', '--label', 'CA'], { env });
    return {
      library: SOFTHSM2_LIBRARY, label, pin, soPin, dir, env: { SOFTHSM2_CONF: conf }, authentication, nonRepudiation,
      ca: { id: '03', certificate: new Uint8Array(ca.rawData) },
      remove: removeOwned,
    };
  } catch (error) {
    removeOwned();
    throw error;
  }
}
