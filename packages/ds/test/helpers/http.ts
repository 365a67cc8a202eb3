/** Small fetch wrappers that keep status, headers and parsed body together for assertions. */
export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}

export function json(method: string, body: unknown, token?: string): RequestInit {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return { method, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** The `data` of a success envelope, typed by the caller's expectation. */
export function dataOf<T>(answer: Answer): T {
  const body = answer.body as { success?: unknown; data?: unknown } | undefined;
  if (answer.status >= 300 || body?.success !== true) throw new Error(`expected success, got ${answer.status} ${answer.text.slice(0, 300)}`);
  return body.data as T;
}

export function codeOf(answer: Answer): string | undefined {
  const body = answer.body as { code?: unknown } | undefined;
  return typeof body?.code === 'string' ? body.code : undefined;
}
