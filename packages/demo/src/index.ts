export { startDemo, type DemoOptions, type RunningDemo } from './server.js';
export { ChallengeStore, type SignatureVerdict } from './challenges.js';
export { TokenSource } from './token-source.js';
