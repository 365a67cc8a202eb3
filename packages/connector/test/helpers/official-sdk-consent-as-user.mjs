#!/usr/bin/env node
// The official t1c-sdk-js 3.6.1 in Debian Chromium, started by the registry tests as one OS
// user on that user's own X display: runs T1C's implicit consent flow and prints what it saw.
import { register } from 'tsx/esm/api';

register();
const { runOfficialConsentFlow } = await import('./official-sdk-consent.ts');
process.stdout.write(`${JSON.stringify(await runOfficialConsentFlow({ pageUrl: process.argv[2] ?? '', registryPort: Number(process.argv[3]), injectConsents: process.argv[4] }))}\n`);
