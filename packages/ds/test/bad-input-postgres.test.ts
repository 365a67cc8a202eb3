import { badInputSuite } from './suites/bad-input.js';

badInputSuite('postgres');
