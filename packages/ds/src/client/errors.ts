/** A DS answer that was not `{success:true}`: carries the DS's stable code. */
export class DsRequestError extends Error {
  constructor(readonly status: number, readonly code: string, readonly description: string, readonly retryAfterSeconds?: number) {
    super(`DS ${status} ${code}: ${description}`);
    this.name = 'DsRequestError';
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Reads a DS response: resolves `data` on success, throws DsRequestError otherwise. */
export async function readDsResponse<T>(response: Response): Promise<T> {
  return (await readDsBody(response)).data as T;
}

/** Like readDsResponse but hands back the whole success body (for its `signed` field). */
export async function readDsBody(response: Response): Promise<Record<string, unknown> & { data: unknown }> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.ok && isRecord(body) && body.success === true && 'data' in body) return { ...body, data: body.data };
  const retry = response.headers.get('retry-after');
  const code = isRecord(body) && (typeof body.code === 'string' || typeof body.code === 'number') ? String(body.code) : '000000';
  const description = isRecord(body) && typeof body.description === 'string' ? body.description : `HTTP ${response.status}`;
  throw new DsRequestError(response.status, code, description, retry === null ? undefined : Number(retry));
}
