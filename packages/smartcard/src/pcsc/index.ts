// The only entry point that loads koffi: card modules, codecs and errors never import it.
export { PcscBackend } from './pcsc-backend.js';
export { parseFeatures } from './pcsc-connection.js';
export { controlCode } from './native.js';
export { pcscError } from './errors.js';
