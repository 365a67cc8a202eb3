/** JSON.parse that answers undefined for text that is not JSON (a foreign server, a half-written file). */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
