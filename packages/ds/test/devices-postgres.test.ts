import { deviceSuite } from './suites/devices.js';

deviceSuite('postgres');
