/** This connector's own release (what the DS version policy speaks of); a test keeps it equal to package.json. */
export const CONNECTOR_VERSION = '0.1.0';
