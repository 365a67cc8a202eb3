// The card process of a CardHost: builds virtual cards and serves them to vpcd, so their
// answers never wait for the event loop of the program that reads them.
import { BeidVirtualCard } from '../beid/beid-virtual-card.js';
import { parseHolderData } from '../beid/holder-data-format.js';
import { attachToVpcd, type VpcdLink } from '../vpcd/vpcd-link.js';
import { cardHostRequestSchema, type CardHostReply, type CardHostRequest, type HostedBeidCard } from './card-host-protocol.js';

const send = process.send?.bind(process);
if (!send) throw new TypeError('card-host-process runs only as a child with an IPC channel (startCardHost)');
const links = new Map<number, VpcdLink>();

async function makeCard(options: HostedBeidCard): Promise<BeidVirtualCard> {
  const { holder, ...rest } = options;
  return BeidVirtualCard.create({ ...rest, ...(holder === undefined ? {} : { holder: parseHolderData(holder) }) });
}

async function handle(request: CardHostRequest): Promise<void> {
  if (request.op === 'close') {
    for (const link of links.values()) await link.close();
    links.clear();
    return;
  }
  const link = links.get(request.port);
  if (request.op === 'remove') {
    await link?.removeCard();
    return;
  }
  const card = await makeCard(request.card);
  if (link) await link.insert(card);
  else links.set(request.port, await attachToVpcd(card, { port: request.port }));
}

function requestId(message: unknown): number {
  if (typeof message !== 'object' || message === null || !('id' in message)) return -1;
  return typeof message.id === 'number' && Number.isInteger(message.id) ? message.id : -1;
}

// One request at a time, in order, like a hand moving cards between readers.
let queue = Promise.resolve();
process.on('message', (message: unknown) => {
  const parsed = cardHostRequestSchema.safeParse(message);
  // A request that fails the schema still gets its answer when it carries an id.
  const id = parsed.success ? parsed.data.id : requestId(message);
  queue = queue.then(async () => {
    let reply: CardHostReply;
    try {
      if (!parsed.success) throw new TypeError(`bad card host request: ${parsed.error.message}`);
      await handle(parsed.data);
      reply = { id };
    } catch (error) {
      reply = { id, error: error instanceof Error ? error.message : String(error) };
    }
    send(reply);
  });
});

// The host went away (ended or crashed): no card outlives it.
process.on('disconnect', () => {
  void queue.then(() => handle({ id: -1, op: 'close' })).finally(() => process.exit(0));
});
