/**
 * A React + urql view of one municipality's New notifications, built on @kelmu/graphql-client: paging with `after`,
 * newest or oldest first, a postal code filter, moving a notification to processing (a union result), downloading
 * the list as a workbook with the bearer token, and a subscription that refreshes the list when another handler (or
 * Kela's weekly run) changes the municipality's notifications. Every variable and field is typed from the documents alone.
 * `npm test` type-checks this file (client/examples/react/tsconfig.json).
 */
import { createClient as createWsClient } from 'graphql-ws';
import { useState } from 'react';
import {
  Client,
  fetchExchange,
  Provider,
  subscriptionExchange,
  useMutation,
  useQuery,
  useSubscription,
} from 'urql';
// In a frontend project: from '@kelmu/graphql-client'.
import {
  fetchDownload,
  MoveToProcessingDocument,
  type MoveToProcessingMutation,
  type NotificationListItemFragment,
  type NotificationOrder,
  NotificationsChangedDocument,
  type NotificationsChangedSubscription,
  type NotificationsChangedSubscriptionVariables,
  NotificationsDocument,
  saveDownload,
} from '../../src/index.js';

/**
 * One client per signed-in user: the token goes in every request, and in graphql-ws's connection_init for
 * subscriptions (same URL, ws: or wss:).
 */
export function createClient(url: string, token: string): Client {
  const ws = createWsClient({
    url: url.replace(/^http/, 'ws'),
    connectionParams: { authorization: `Bearer ${token}` },
  });
  return new Client({
    url,
    exchanges: [
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink),
          }),
        }),
      }),
    ],
    // The service's CSRF prevention wants POST (or a preflight header) from browsers.
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
  });
}

const PAGE_SIZE = 25;

/** What the handler sees after moveToProcessing: every member of the union is handled, or this does not compile. */
export function moveOutcome(result: MoveToProcessingMutation['moveToProcessing']): string {
  switch (result.__typename) {
    case 'Notification':
      return `In processing (version ${result.version})`;
    case 'NotificationRemoved':
      return `Removed: pending ${result.pendingDays} days, over Kela's 30`;
    case 'InvalidTransition':
      return result.message;
    default: {
      const unexpected: never = result;
      return unexpected;
    }
  }
}

function Row({
  notification,
  onMove,
}: {
  notification: NotificationListItemFragment;
  onMove: (id: string) => void;
}) {
  const { person } = notification;
  return (
    <tr>
      <td>{notification.createdOn}</td>
      <td>{notification.pendingDays}</td>
      <td>
        {person?.lastName}, {person?.firstNames}
      </td>
      <td>{person?.address?.postalCode}</td>
      <td>
        {/* Kela's 30-day rule: moving one pending over 30 days removes it, so the button is not offered. */}
        <button
          type="button"
          disabled={notification.pendingDays > 30}
          onClick={() => onMove(notification.id)}
        >
          Move to processing
        </button>
      </td>
    </tr>
  );
}

export function NotificationQueue({
  serviceUrl,
  token,
  municipalityCode,
}: {
  /** The service's origin, e.g. https://kelmu.example.fi */
  serviceUrl: string;
  token: string;
  municipalityCode: string;
}) {
  const [order, setOrder] = useState<NotificationOrder>('NEWEST_FIRST');
  const [postalCode, setPostalCode] = useState('');
  // The cursors of the pages before this one, so that "previous" goes back.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors.at(-1) ?? null;
  const filter = {
    status: 'NEW' as const,
    municipalityCode,
    ...(postalCode.length === 5 ? { postalCode } : {}),
  };

  const [{ data, fetching, error }, refetch] = useQuery({
    query: NotificationsDocument,
    variables: { filter, first: PAGE_SIZE, after, orderBy: order },
  });
  const [moved, move] = useMutation(MoveToProcessingDocument);
  const [message, setMessage] = useState<string | null>(null);

  // Pushed changes (ids only, never personal data): count them and refetch the page the handler is looking at.
  const [changes] = useSubscription<
    NotificationsChangedSubscription,
    number,
    NotificationsChangedSubscriptionVariables
  >({ query: NotificationsChangedDocument, variables: { municipalityCode } }, (count = 0) => {
    refetch({ requestPolicy: 'network-only' });
    return count + 1;
  });

  const page = data?.notifications;
  const restart = () => setCursors([null]);

  async function moveToProcessing(id: string) {
    const result = await move({ id });
    setMessage(result.data ? moveOutcome(result.data.moveToProcessing) : (result.error?.message ?? null));
    refetch({ requestPolicy: 'network-only' });
  }

  async function download() {
    const params = new URLSearchParams({ status: 'NEW', municipalityCode, orderBy: order });
    if (postalCode.length === 5) params.set('postalCode', postalCode);
    saveDownload(await fetchDownload(serviceUrl, `/downloads/notifications.xlsx?${params}`, token));
  }

  return (
    <section>
      <label>
        Postal code{' '}
        <input
          value={postalCode}
          inputMode="numeric"
          maxLength={5}
          onChange={(event) => {
            setPostalCode(event.target.value);
            restart();
          }}
        />
      </label>
      <select
        value={order}
        onChange={(event) => {
          setOrder(event.target.value as NotificationOrder);
          restart();
        }}
      >
        <option value="NEWEST_FIRST">Newest first</option>
        <option value="OLDEST_FIRST">Oldest first (order of arrival)</option>
      </select>
      <button type="button" onClick={() => void download()}>
        Download (Excel)
      </button>
      {error && <p role="alert">{error.message}</p>}
      {message && <p role="status">{message}</p>}
      {changes.data ? <p>{changes.data} changes since you opened the list</p> : null}
      {fetching && !page ? (
        <p>Loading…</p>
      ) : (
        <table>
          <caption>{page?.totalCount ?? 0} new notifications</caption>
          <tbody>
            {page?.edges.map(({ node }) => (
              <Row key={node.id} notification={node} onMove={(id) => void moveToProcessing(id)} />
            ))}
          </tbody>
        </table>
      )}
      <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
        Previous
      </button>
      <button
        type="button"
        disabled={!page?.pageInfo.hasNextPage || moved.fetching}
        onClick={() => page?.pageInfo.endCursor && setCursors([...cursors, page.pageInfo.endCursor])}
      >
        Next
      </button>
    </section>
  );
}

/** The view with its client; the token comes from the application's sign-in (Suomi.fi through the gateway). */
export function App({ serviceUrl, token }: { serviceUrl: string; token: string }) {
  const [client] = useState(() => createClient(`${serviceUrl}/graphql`, token));
  return (
    <Provider value={client}>
      <NotificationQueue serviceUrl={serviceUrl} token={token} municipalityCode="905" />
    </Provider>
  );
}
