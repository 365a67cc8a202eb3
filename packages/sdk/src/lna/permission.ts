/**
 * Browser Local Network Access (Chrome 142+, Edge 143+): a public page needs the user's
 * permission before it may reach 127.0.0.1. Chrome 145 named the permission
 * 'loopback-network'; earlier builds call it 'local-network-access'.
 */
export type LoopbackPermissionState = 'granted' | 'denied' | 'prompt' | 'unknown';

const PERMISSION_NAMES = ['loopback-network', 'local-network-access'] as const;

interface PermissionsLike {
  query(descriptor: { name: string }): Promise<{ state: string }>;
}

function permissionsApi(): PermissionsLike | undefined {
  const nav = (globalThis as { navigator?: { permissions?: unknown } }).navigator;
  const permissions = nav?.permissions as Partial<PermissionsLike> | undefined;
  return typeof permissions?.query === 'function' ? (permissions as PermissionsLike) : undefined;
}

/**
 * The page's permission to reach the loopback connector. 'unknown' where the browser has no
 * such permission (it then needs none) or refuses the query (browsers throw a TypeError for
 * permission names they do not know).
 */
export async function permissionState(): Promise<LoopbackPermissionState> {
  const permissions = permissionsApi();
  if (!permissions) return 'unknown';
  for (const name of PERMISSION_NAMES) {
    try {
      const status = await permissions.query({ name });
      const state = status.state;
      if (state === 'granted' || state === 'denied' || state === 'prompt') return state;
    } catch {
      // Not known by this browser: try the older name.
    }
  }
  return 'unknown';
}
