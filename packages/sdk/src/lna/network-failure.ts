import { sdkError, type T1cError } from '../errors/t1c-error.js';
import { permissionState } from './permission.js';

/**
 * A fetch that produced no response at all. The browser gives the same TypeError for "nothing
 * listens", "CORS refused" and "Local Network Access denied", so the permission state is
 * what tells the user apart who must click "Allow" from the one who must start the connector.
 */
export async function networkFailure(url: string, cause: unknown): Promise<T1cError> {
  if ((await permissionState()) === 'denied') {
    return sdkError('permission-denied', `The browser does not allow this page to reach the connector at ${url} (Local Network Access permission denied)`, { cause });
  }
  return sdkError('connector-not-running', `No connector answered at ${url}`, { cause });
}
