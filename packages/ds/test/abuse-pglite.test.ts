import { abuseSuite } from './suites/abuse.js';

abuseSuite('pglite');
