import { describe } from 'node:test';
import { packageChecks } from './helpers/deb-package.js';

// The arm64 package cannot run here: its fields, contents, ELF machine and lintian are what is checked.
describe('dist/t1c-<version>-linux-arm64.deb', () => {
  packageChecks('linux-arm64');
});
