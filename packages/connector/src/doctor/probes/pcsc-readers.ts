import type { ReaderBackend, ReaderStatus } from '@t1c/smartcard/reader';
import { LocalCardService } from '../../cards/index.js';
import { TolerantPcscBackend } from '../../sandbox/tolerant-backend.js';
import type { DoctorReader } from '../types.js';

/**
 * PC/SC as the sandbox sees it (the same backend and card-module registry, probes included),
 * from one listing: the card service's. PC/SC's own facts (a mute card) are those that very
 * listing saw, so a card that comes or goes meanwhile cannot pair one listing's ATR with
 * another's module.
 */
export async function listPcscReaders(pcsc: TolerantPcscBackend = new TolerantPcscBackend()): Promise<DoctorReader[]> {
  let listed: readonly ReaderStatus[] = [];
  const seen: ReaderBackend = {
    kind: pcsc.kind,
    listReaders: async () => {
      const statuses = await pcsc.listReaders();
      listed = statuses;
      return statuses;
    },
    readerStatus: (name) => pcsc.readerStatus(name),
    waitForChange: (known, timeoutMs) => pcsc.waitForChange(known, timeoutMs),
    connect: (name, options) => pcsc.connect(name, options),
    close: () => pcsc.close(),
  };
  const cards = new LocalCardService([seen]);
  try {
    const readers = await cards.listReaders();
    if (pcsc.status === 'down') throw new Error('no connection to the service (SCardEstablishContext failed)');
    const statuses = new Map(listed.map((status) => [status.name, status]));
    return readers.flatMap((reader) => {
      const status = statuses.get(reader.name);
      return status ? [{ ...status, module: reader.card?.module ?? null }] : [];
    });
  } finally {
    await cards.close();
  }
}
