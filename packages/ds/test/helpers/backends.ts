import { randomBytes } from 'node:crypto';
import { PostgresServer } from './postgres.js';
import { tempDir } from './tmp.js';

/** Where a test's DS keeps its data: the embedded database or a private PostgreSQL server. */
export interface Backend {
  name: 'pglite' | 'postgres';
  dataDir: string;
  databaseUrl: string | undefined;
  /** The key sealing the DS signing keys: required with PostgreSQL, generated for PGlite. */
  keyEncryptionKey: string | undefined;
  server: PostgresServer | undefined;
  dispose(): Promise<void>;
}

export async function openBackend(name: 'pglite' | 'postgres'): Promise<Backend> {
  const dir = tempDir(`t1c-ds-${name}-`);
  if (name === 'pglite') {
    return { name, dataDir: dir.path, databaseUrl: undefined, keyEncryptionKey: undefined, server: undefined, dispose: async () => dir.remove() };
  }
  const server = await PostgresServer.start();
  try {
    const databaseUrl = await server.createDatabase('ds');
    return {
      name, dataDir: dir.path, databaseUrl, server, keyEncryptionKey: randomBytes(32).toString('base64'),
      async dispose() {
        await server.stop();
        dir.remove();
      },
    };
  } catch (error) {
    await server.stop();
    dir.remove();
    throw error;
  }
}
