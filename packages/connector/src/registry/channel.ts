import type { Socket } from 'node:net';
import { z } from 'zod';

/**
 * The agent ↔ Registry channel: one JSON object per line over a Unix socket or a TCP connection
 * on 127.0.0.1 (channel-address.ts). Who the agent is never comes from a message: the Registry
 * asks the OS (channel-peer.ts).
 */
export const agentMessage = z.discriminatedUnion('type', [
  // `port`: the port the agent already listens on (after a Registry restart), if any.
  z.object({ type: z.literal('register'), pid: z.number().int().positive(), port: z.number().int().min(1).max(65535).optional() }),
  z.object({ type: z.literal('ready'), port: z.number().int().min(1).max(65535), sandboxPid: z.number().int().positive().optional() }),
  z.object({ type: z.literal('clipboard-answer'), id: z.number().int().nonnegative(), matches: z.boolean() }),
]);
export type AgentMessage = z.infer<typeof agentMessage>;

export const registryMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('assigned'), port: z.number().int().min(1).max(65535) }),
  z.object({ type: z.literal('accepted'), port: z.number().int().min(1).max(65535) }),
  z.object({ type: z.literal('refused'), reason: z.string() }),
  // The port was verified as this user's listener: the agent is in the list now.
  z.object({ type: z.literal('live'), port: z.number().int().min(1).max(65535) }),
  // The Registry never sends the code word itself to an agent twice; agents answer only yes/no.
  z.object({ type: z.literal('clipboard-check'), id: z.number().int().nonnegative(), codeWord: z.string().min(1).max(512) }),
]);
export type RegistryMessage = z.infer<typeof registryMessage>;

/** A line longer than this is an attack or a bug, not a message. */
const MAX_LINE = 4096;

/**
 * Frames a socket into parsed messages. A line that is not valid JSON or not a known message
 * ends the connection: a peer that speaks nonsense is not worth a second chance.
 */
export function onMessages<T>(socket: Socket, schema: z.ZodType<T>, handle: (message: T) => void): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      let parsed: z.ZodSafeParseResult<T>;
      try {
        parsed = schema.safeParse(JSON.parse(line));
      } catch {
        socket.destroy();
        return;
      }
      if (!parsed.success) {
        socket.destroy();
        return;
      }
      handle(parsed.data);
      newline = buffered.indexOf('\n');
    }
    if (buffered.length > MAX_LINE) socket.destroy();
  });
}

export function send(socket: Socket, message: AgentMessage | RegistryMessage): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
}
