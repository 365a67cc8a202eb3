import { isSmartCardError, SmartCardError } from '@t1c/smartcard/errors';
import type { CardConnection, ConnectOptions, ReaderBackend, ReaderStatus } from '@t1c/smartcard/reader';
import { PcscBackend } from '@t1c/smartcard/pcsc';

/**
 * PC/SC that may be missing or stopped: listing answers "no readers" and remembers that the
 * service is down, so a virtual reader next to it keeps working and /v3/readers still answers.
 * The real backend is (re)created lazily, so a pcscd started later is picked up.
 */
export class TolerantPcscBackend implements ReaderBackend {
  readonly kind = 'pcsc' as const;
  private backend: PcscBackend | undefined;
  status: 'up' | 'down' = 'down';

  private get(): PcscBackend {
    this.backend ??= new PcscBackend();
    return this.backend;
  }

  // No context at all is no usable service, whatever the code: Wine's winscard stub answers
  // SCARD_F_INTERNAL_ERROR, a disabled Windows Smart Card service other codes.
  private serviceGone(error: unknown): boolean {
    return isSmartCardError(error)
      && (error.code === 'PCSC_NO_SERVICE' || error.code === 'PCSC_LIBRARY_MISSING' || error.details.call === 'SCardEstablishContext');
  }

  async listReaders(): Promise<ReaderStatus[]> {
    try {
      const list = await this.get().listReaders();
      this.status = 'up';
      return list;
    } catch (error) {
      if (!this.serviceGone(error)) throw error;
      this.status = 'down';
      return [];
    }
  }

  async readerStatus(readerName: string): Promise<ReaderStatus | undefined> {
    // Down: listing is what notices a service that came back.
    if (this.status === 'down') return (await this.listReaders()).find((r) => r.name === readerName);
    try {
      return await this.get().readerStatus(readerName);
    } catch (error) {
      if (!this.serviceGone(error)) throw error;
      this.status = 'down';
      return undefined;
    }
  }

  async waitForChange(known: readonly ReaderStatus[], timeoutMs: number): Promise<ReaderStatus[]> {
    if (this.status === 'down') {
      await new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 1000)));
      return this.listReaders();
    }
    try {
      return await this.get().waitForChange(known, timeoutMs);
    } catch (error) {
      if (!this.serviceGone(error)) throw error;
      this.status = 'down';
      return [];
    }
  }

  connect(readerName: string, options?: ConnectOptions): Promise<CardConnection> {
    if (this.status === 'down') return Promise.reject(new SmartCardError('PCSC_NO_SERVICE', 'the PC/SC service is not running'));
    return this.get().connect(readerName, options);
  }

  async close(): Promise<void> {
    await this.backend?.close();
  }
}
