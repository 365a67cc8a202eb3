import { sdkError, type T1cError } from '../errors/t1c-error.js';
import { permissionState } from './permission.js';

/**
 * A fetch that produced no response at all. The browser gives the same TypeError for "nothing
 * listens", "CORS refused" and "Local Network Access denied", so the permission state is
 * what tells the user apart who must click "Allow" from the one who must start the connector.
 */
export async function networkFailure(url: string, cause: unknown, reachable?: () => Promise<boolean>): Promise<T1cError> {
  if ((await permissionState()) === 'denied') {
    return sdkError('permission-denied', `The browser does not allow this page to reach the connector at ${url} (Local Network Access permission denied)`, { cause });
  }
  // A connector that answers a no-cors request is running: CORS refused this page's origin.
  if (reachable && (await reachable())) {
    return sdkError('origin-not-allowed', `The connector at ${url} does not allow this page's origin`, { cause });
  }
  return sdkError('connector-not-running', `No connector answered at ${url}`, { cause });
}
