import { atRestSuite } from './suites/at-rest.js';

atRestSuite('pglite');
