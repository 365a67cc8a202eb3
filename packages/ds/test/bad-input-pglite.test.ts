import { badInputSuite } from './suites/bad-input.js';

badInputSuite('pglite');
