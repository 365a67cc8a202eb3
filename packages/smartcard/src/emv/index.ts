export { type EmvApplication } from './application.js';
export { EmvCard, type EmvApplicationList, type EmvApplicationRecords, type EmvApplicationSource, type EmvCertificates } from './emv-card.js';
export {
  answersTerminalAid, buildCandidateList, judgeSelection, parseAdfFci, MAX_OCCURRENCES,
  type CandidateList, type SelectAnswer, type SelectByName, type SelectionStep,
} from './candidate-list.js';
export { TERMINAL_AIDS, type TerminalAid } from './terminal-aids.js';
export { applicationData, type EmvApplicationData } from './application-data.js';
export {
  recoverCertificate, type EmvCertificationAuthorityKey, type EmvPublicKeyCertificate, type RecoveredPublicKey, type Recovery,
} from './certificates.js';
export { caKeyChecksum, caKeyProblem, EmvCaKeyTable, type CaKeyLookup, type PaymentSchemeCaKey } from './ca-key-table.js';
export { PAYMENT_SCHEME_CA_KEYS, paymentSchemeCaKeyTable } from './payment-scheme-ca-keys.js';
export { parseAfl, type AflEntry } from './afl.js';
export { answerDol, type TerminalData } from './dol.js';
export { maskPan, maskPans } from './pan.js';
export { EMV_SELECTION, PSE, PPSE, Tag as EMV_TAGS } from './constants.js';
