import { tokenFlowSuite } from './suites/flow.js';

tokenFlowSuite('postgres');
