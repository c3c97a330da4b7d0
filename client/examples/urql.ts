/**
 * Using @kelmu/graphql-client with urql (@urql/core 6): every result and variable below is typed from the document
 * alone, with no generics to write.
 *
 * Run against a local service (`npm start` prints a token):
 *   KELMU_TOKEN=$(npm run -s token -- --municipality 905) \
 *     node --import @swc-node/register/esm-register client/examples/urql.ts 905 [--move]
 */
import { pathToFileURL } from 'node:url';
import { Client, fetchExchange } from '@urql/core';
// In a frontend project: from '@kelmu/graphql-client'.
import {
  MoveToProcessingDocument,
  type MoveToProcessingMutation,
  NewNotificationsDocument,
  type NotificationListItemFragment,
  TransferToMunicipalityDocument,
  type TransferToMunicipalityMutation,
} from '../src/index.js';

/** One urql client per user session: the bearer token goes in every request. */
export function createKelmuClient(url: string, token: string): Client {
  return new Client({
    url,
    exchanges: [fetchExchange],
    // urql sends short queries as GET by default; the service (Apollo's CSRF prevention) wants POST from browsers.
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
  });
}

export interface NewList {
  totalCount: number;
  notifications: NotificationListItemFragment[];
  /** Pass as `after` for the next page; null on the last page. */
  nextPage: string | null;
}

/** The New list of one municipality, newest first (one page). */
export async function newNotifications(
  url: string,
  token: string,
  municipalityCode: string,
  after?: string,
): Promise<NewList> {
  const client = createKelmuClient(url, token);
  // Variables are checked: `{ municipalityCode: 905 }` or `{ status: 'NEW' }` would not compile.
  const result = await client
    .query(NewNotificationsDocument, { municipalityCode, first: 50, after })
    .toPromise();
  if (result.error) throw result.error;
  if (!result.data) throw new Error('no data');
  // result.data is NewNotificationsQuery: every field below is typed from the schema.
  const { totalCount, pageInfo, edges } = result.data.notifications;
  return {
    totalCount,
    notifications: edges.map((edge) => edge.node),
    nextPage: pageInfo.hasNextPage ? pageInfo.endCursor : null,
  };
}

export type MoveToProcessingResult = MoveToProcessingMutation['moveToProcessing'];

/** Moves a New notification to processing. The result is a union: switch on `__typename`. */
export async function moveToProcessing(
  url: string,
  token: string,
  id: string,
): Promise<MoveToProcessingResult> {
  const client = createKelmuClient(url, token);
  const result = await client.mutation(MoveToProcessingDocument, { id }).toPromise();
  if (result.error) throw result.error;
  if (!result.data) throw new Error('no data');
  return result.data.moveToProcessing;
}

/** What a user interface would say after moveToProcessing; TypeScript checks that every case is handled. */
export function describeMoveToProcessing(result: MoveToProcessingResult): string {
  switch (result.__typename) {
    case 'Notification':
      return `In processing since ${result.processingStartedAt} (version ${result.version})`;
    case 'NotificationRemoved':
      return `Pending ${result.pendingDays} days: removed under the 30-day rule`;
    case 'InvalidTransition':
      return `Not moved (${result.currentStatus}): ${result.message}`;
    default: {
      const unexpected: never = result;
      return unexpected;
    }
  }
}

export type TransferResult = TransferToMunicipalityMutation['transferToMunicipality'];

/** Transfers a New notification to another municipality with a reason. */
export async function transferToMunicipality(
  url: string,
  token: string,
  id: string,
  municipalityCode: string,
  reason: string,
): Promise<TransferResult> {
  const client = createKelmuClient(url, token);
  const result = await client
    .mutation(TransferToMunicipalityDocument, { id, municipalityCode, reason })
    .toPromise();
  if (result.error) throw result.error;
  if (!result.data) throw new Error('no data');
  return result.data.transferToMunicipality;
}

/**
 * The notification a demonstration may move to processing: the newest one the 30-day rule lets move. Moving one pending
 * over 30 days would delete it (NotificationRemoved), and a demo must not destroy the data it shows.
 */
export function movableNotification(list: NewList): NotificationListItemFragment | undefined {
  return list.notifications.find((notification) => notification.pendingDays <= 30);
}

/**
 * Lists the New notifications of a municipality (argument, default Vaasa 905); with `--move`, moves the newest one
 * that may be moved to processing (`npm run` the service again, or `returnToNew`, to undo).
 */
async function main(): Promise<void> {
  const url = process.env.KELMU_URL ?? 'http://localhost:4000/graphql';
  const token = process.env.KELMU_TOKEN;
  if (!token) throw new Error('set KELMU_TOKEN (npm start prints one)');
  const [municipalityCode = '905'] = process.argv.slice(2).filter((argument) => argument !== '--move');
  const list = await newNotifications(url, token, municipalityCode);
  console.log(`${list.totalCount} new notifications`);
  for (const notification of list.notifications) {
    const person = notification.person;
    console.log(
      `${notification.id}  ${notification.pendingDays} d  ${person?.lastName ?? '?'}, ${person?.firstNames ?? '?'}  ${person?.address?.postalCode ?? ''}`,
    );
  }
  if (!process.argv.includes('--move')) return;
  const movable = movableNotification(list);
  if (movable) console.log(describeMoveToProcessing(await moveToProcessing(url, token, movable.id)));
  else console.log('None of these may be moved: each is pending over 30 days and would be removed.');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
