export {
  DsDeviceClient, type DsDeviceClientOptions, type DeviceState, generateDeviceKey, newCounterBatchId, signEnvelope, verifySyncAnswer,
} from './device-client.js';
export { DsRequestError } from './errors.js';
export { isRegistrationKey } from './key-format.js';
export { fetchApplicationToken } from './token.js';
export * from './protocol.js';
