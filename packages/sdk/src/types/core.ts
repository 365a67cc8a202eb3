/** Shapes of the core endpoints (t1c-api.md §2.1), as the connector sends them. */

export interface InfoResponse {
  t1CInfoOS?: { architecture?: string; os?: string; version?: string };
  t1CInfoRuntime?: { runtime?: string; desktop?: string; version?: string; dateTime?: string };
  t1CInfoUser?: { hostName?: string; username?: string; timezone?: string; language?: string; [key: string]: unknown };
  t1CInfoAPI: {
    service?: {
      url?: string;
      apiPort?: string;
      deviceType?: string;
      distributionServiceUrl?: string;
      dsRegistryActivated?: boolean;
    };
    version?: string;
    status?: string;
    modules?: string[];
    jwtEnabled?: boolean;
    optionalConsent?: boolean;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface CardReader {
  id: string;
  name: string;
  pinpad: boolean;
  card?: {
    atr: string;
    description: string[];
    /** The SDK model's name; docs samples use `module`. */
    modules?: string[];
    module?: string[];
  };
}
