import { join } from 'node:path';
import { startDistributionService } from '@t1c/ds';
import { startDemo } from '@t1c/demo';
import { startApi } from '../api/start.js';
import { CONNECTOR_VERSION } from '../version.js';
import { seedDemo, type DemoSeed } from './seed-demo.js';

export interface ProductOptions {
  readonly dataDir: string;
  readonly dsPort?: number;
  readonly apiPort?: number;
  readonly demoPort?: number;
  /** Also show real PC/SC readers (when pcscd runs). */
  readonly pcsc?: boolean;
  /** In-process virtual eIDs; default one applet 1.8 card. */
  readonly virtualCards?: readonly ('1.7' | '1.8')[];
  /** More page origins to allow besides the demo's own (tests, a second site). */
  readonly extraOrigins?: readonly string[];
  readonly logStream?: NodeJS.WritableStream;
}

export interface RunningProduct {
  readonly demoUrl: string;
  readonly connectorUrl: string;
  readonly dsUrl: string;
  readonly dsAdminToken: string;
  readonly seed: DemoSeed;
  close(): Promise<void>;
}

/**
 * The whole product on one machine: the DS (embedded database) seeded with a demo
 * application, the connector with a virtual eID and real readers, and the demo web app.
 */
export async function runProduct(options: ProductOptions): Promise<RunningProduct> {
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const ds = await startDistributionService({ port: options.dsPort ?? 52000, dataDir: join(options.dataDir, 'ds'), logLevel: 'warn' });
    closers.push(() => ds.close());
    const demoPort = options.demoPort ?? 8088;
    const origins = [`http://127.0.0.1:${demoPort}`, `http://localhost:${demoPort}`, ...(options.extraOrigins ?? [])];
    const seed = await seedDemo(ds.url, ds.adminToken, origins, CONNECTOR_VERSION);
    // Origins and JWT keys come from the DS sync, as on a user's desktop.
    const api = await startApi({
      port: options.apiPort ?? 51983,
      transport: 'http',
      dataDir: join(options.dataDir, 'connector'),
      virtualCards: [...(options.virtualCards ?? ['1.8'])],
      pcsc: options.pcsc ?? true,
      dsUrl: ds.url,
      registrationKey: seed.registrationKey,
      jwtIssuer: 't1c-ds',
      jwtAudience: 't1c-connector',
      logLevel: 'warn',
      ...(options.logStream ? { logStream: options.logStream } : {}),
    });
    closers.push(() => api.close());
    await api.syncWithDs();
    const demo = await startDemo({ dsUrl: ds.url, apiKey: seed.apiKey, connectorUrl: api.url, port: demoPort });
    closers.push(() => demo.close());
    return { demoUrl: demo.url.replace('127.0.0.1', 'localhost'), connectorUrl: api.url, dsUrl: ds.url, dsAdminToken: ds.adminToken, seed, close };
  } catch (error) {
    await close();
    throw error;
  }
}
