#!/usr/bin/env node
// Our SDK under Node, run as one OS user by the registry tests: connect(registry URL, consent
// options from argv) and print {url, surname} of the first card, or {kind} of the T1cError.
// A launcher (like bin/t1c.js) so it runs from any working directory as any user.
import { register } from 'tsx/esm/api';

register();
const { readAsUser } = await import('./sdk-read.ts');
process.stdout.write(`${JSON.stringify(await readAsUser(process.argv[2] ?? '', process.argv[3]))}\n`);
