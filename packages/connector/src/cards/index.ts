export type { CardService, CardModuleName, PinInput, ReaderInfo, SignInput } from './types.js';
export { LocalCardService } from './local-card-service.js';
