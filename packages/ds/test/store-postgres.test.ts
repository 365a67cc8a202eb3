import { storeSuite } from './suites/store.js';

storeSuite('postgres');
