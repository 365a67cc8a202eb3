import { isIPv4, isIPv6 } from 'node:net';

/** 127.0.0.0/8 or ::1 (also as ::ffff:127.x). */
export function isLoopback(address: string): boolean {
  if (isIPv4(address)) return address.startsWith('127.');
  if (!isIPv6(address)) return false;
  const lower = address.toLowerCase();
  return lower === '::1' || lower === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(lower);
}

export const isIpLiteral = (host: string): boolean => isIPv4(host) || isIPv6(host.replace(/^\[|\]$/g, ''));
