#!/usr/bin/env node
// The official t1c-sdk-js 3.6.1 in headless Debian Chromium, started by the registry tests as one
// OS user: reads the first card through the connector URL given and prints what the page saw.
import { register } from 'tsx/esm/api';

register();
const { readBeidWithOfficialSdk } = await import('./official-sdk-beid.ts');
process.stdout.write(`${JSON.stringify(await readBeidWithOfficialSdk({ pageUrl: process.argv[2] ?? '', connectorUrl: process.argv[3] ?? '' }))}\n`);
