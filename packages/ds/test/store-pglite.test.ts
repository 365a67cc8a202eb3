import { storeSuite } from './suites/store.js';

storeSuite('pglite');
