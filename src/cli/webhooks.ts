import 'reflect-metadata';
import { WEBHOOK_EVENT_TYPES } from '../domain/webhooks';
import { checkedEndpointInput, WebhookEndpointError } from '../services/webhooks/webhook-endpoint.service';
import { parseCommandLine } from './args';
import { type OpenCommand, runCommand } from './run-command';

const USAGE = `Usage: npm run webhooks -- add|list|rotate-secret|remove [options]

  add            --client-id ID --url URL --events EVENT[,EVENT…]
                 prints the endpoint's id and its secret (whsec_…), shown this once
  list           [--client-id ID]
  rotate-secret  --id ENDPOINT_ID      prints the new secret; the old one stops working at once
  remove         --id ENDPOINT_ID      nothing more is sent; pending deliveries are cancelled

  URL: https, or plain http to loopback only (127.0.0.0/8, ::1, localhost) for development.
  Events: ${WEBHOOK_EVENT_TYPES.join(', ')}.`;

const COMMANDS = ['add', 'list', 'rotate-secret', 'remove'];

async function main(open: OpenCommand): Promise<number> {
  const { values, positionals } = parseCommandLine(USAGE, {
    'client-id': { type: 'string' },
    url: { type: 'string' },
    events: { type: 'string', multiple: true },
    id: { type: 'string' },
  });
  const [command] = positionals;
  if (!command || !COMMANDS.includes(command) || positionals.length !== 1) {
    const problem = !command
      ? 'Name a command.'
      : !COMMANDS.includes(command)
        ? `Unknown command: ${command}.`
        : `Unexpected argument: ${positionals[1]}.`;
    console.error(`${problem}\n\n${USAGE}`);
    return 2;
  }
  // Each command's own options; any other one is a mistake rather than silently ignored.
  const allowed: Record<string, string[]> = {
    add: ['client-id', 'url', 'events'],
    list: ['client-id'],
    'rotate-secret': ['id'],
    remove: ['id'],
  };
  const stray = Object.keys(values).filter((name) => name !== 'help' && !allowed[command]?.includes(name));
  if (stray.length > 0) {
    console.error(`--${stray[0]}: not an option of ${command}.\n\n${USAGE}`);
    return 2;
  }
  if ((command === 'rotate-secret' || command === 'remove') && !values.id) {
    console.error(`--id: is required.\n\n${USAGE}`);
    return 2;
  }
  const input = {
    clientId: values['client-id'] ?? '',
    url: values.url ?? '',
    events: (values.events ?? []).flatMap((list) => list.split(',')),
  };
  try {
    // A mistake in the endpoint is refused before the database is opened.
    if (command === 'add') checkedEndpointInput(input);
  } catch (error) {
    if (error instanceof WebhookEndpointError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  const { webhooks } = (await open()).services;
  try {
    if (command === 'add') {
      const { endpoint, warning } = await webhooks.add(input);
      if (warning) console.error(`Warning: ${warning}`);
      console.log(`id: ${endpoint.id}`);
      console.log(`secret: ${endpoint.secret}`);
    } else if (command === 'list') {
      for (const e of await webhooks.list(values['client-id'])) {
        console.log(`${e.id}  ${e.clientId}  ${e.url}  ${e.events.join(',')}  ${e.createdAt.toISOString()}`);
      }
    } else if (command === 'rotate-secret') {
      const rotated = await webhooks.rotateSecret(values.id ?? '');
      console.log(`id: ${rotated.id}`);
      console.log(`secret: ${rotated.secret}`);
    } else {
      const removed = await webhooks.remove(values.id ?? '');
      console.log(`Removed webhook endpoint ${removed.id} of client ${removed.clientId}.`);
    }
    return 0;
  } catch (error) {
    if (error instanceof WebhookEndpointError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

runCommand(main);
