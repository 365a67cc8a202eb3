import { authenticationObjectDirectory, certificateDirectory, privateKeyDirectory, type CertificateEntry } from './belpic-directories.js';

export interface BelpicCertificates {
  readonly authentication: Uint8Array;
  /** Undefined when the card has no signing certificate (kids cards, revoked). */
  readonly nonRepudiation: Uint8Array | undefined;
  readonly ca: Uint8Array;
  readonly root: Uint8Array;
}

/** The PKCS#15 directory files of DF(BELPIC) by absolute path: AODF 5034, PrKDF 5035, CDF 5037 (CC54 §5.3). */
export function belpicPkcs15Files(applet: '1.7' | '1.8', certificates: BelpicCertificates): [string, Uint8Array][] {
  const entry = (label: string, id: number, file: string, der: Uint8Array, authority: boolean): CertificateEntry =>
    ({ label, id, path: `3F00DF00${file}`, authority, size: der.length });
  const signature = entry('Signature', 0x03, '5039', certificates.nonRepudiation ?? certificates.authentication, false);
  const complete = [
    entry('Authentication', 0x02, '5038', certificates.authentication, false),
    signature,
    entry('CA', 0x04, '503A', certificates.ca, true),
    entry('Root', 0x06, '503B', certificates.root, true),
  ];
  // Without a signing certificate its entry goes and the directory keeps its size, zero-filled (CC54 §8).
  const present = certificates.nonRepudiation ? complete : complete.filter((e) => e !== signature);
  return [
    ['3F00DF005034', authenticationObjectDirectory()],
    ['3F00DF005035', applet === '1.7' ? privateKeyDirectory('rsa', 2048) : privateKeyDirectory('ec', 384)],
    ['3F00DF005037', certificateDirectory(present, certificateDirectory(complete).length)],
  ];
}
