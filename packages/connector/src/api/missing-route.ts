import { CARD_MODULES, isCardModuleName } from '../ipc/index.js';

const MODULE_PATH = /^\/v3\/modules\/([^/?#]*)(?:\/([^?#]*))?/;
/** What of the caller's path is repeated back: short, and only characters a path segment needs. */
const shown = (text: string): string => text.slice(0, 64).replace(/[^A-Za-z0-9._~/-]/g, '?');

/**
 * The 404 text for a path no route serves: under `/v3/modules/` it says whether the module or
 * the operation is what is missing. The status stays 404 (the SDK maps it to 112999 whatever
 * the body says); the text is for people reading the answer.
 */
export function describeMissingRoute(method: string, url: string): string | undefined {
  const match = MODULE_PATH.exec(url);
  if (!match) return undefined;
  const [, module = '', rest = ''] = match;
  if (!isCardModuleName(module)) {
    return `No card module named "${shown(module)}"; this connector has ${Object.keys(CARD_MODULES).join(', ')}`;
  }
  return `The ${module} module has no operation ${method} ${shown(rest.replace(/^apps\/token\/(readers\/[^/]+\/)?/, ''))}`;
}
