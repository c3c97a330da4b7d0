// The GraphiQL page's own script (served from /graphql/assets/, no inline script): reads the configuration the server
// put in <script type="application/json" id="playground-config"> and renders GraphiQL 3 with React 18's UMD builds.
// Plain browser JavaScript, no build step: window.React, window.ReactDOM and window.GraphiQL come from the scripts
// loaded before this one.
(() => {
  const config = JSON.parse(document.getElementById('playground-config').textContent);

  // GraphiQL keeps its state in localStorage under `graphiql:*`. Two exceptions here:
  // - the open tabs and the editors' contents live in this page only, so that every visit opens with the example
  //   operations and a fresh token (what was run stays in the history);
  // - headers (bearer tokens) are never stored: GraphiQL's history and favourites would otherwise keep them.
  const IN_PAGE = new Set(
    ['tabState', 'query', 'variables', 'headers', 'operationName'].map((k) => `graphiql:${k}`),
  );
  const WITH_HEADERS = new Set(['graphiql:queries', 'graphiql:favorites']);
  const inPage = new Map();

  function withoutHeaders(value) {
    try {
      const parsed = JSON.parse(value);
      if (parsed && Array.isArray(parsed.queries)) {
        for (const item of parsed.queries) {
          if (item && typeof item === 'object') delete item.headers;
        }
        return JSON.stringify(parsed);
      }
    } catch {
      // Not JSON: stored as it is.
    }
    return value;
  }

  function local() {
    try {
      return window.localStorage;
    } catch {
      return null; // Storage disabled: keep everything in the page.
    }
  }

  const store = local();
  const storage = {
    getItem(key) {
      if (IN_PAGE.has(key) || !store) return inPage.has(key) ? inPage.get(key) : null;
      return store.getItem(key);
    },
    setItem(key, value) {
      if (IN_PAGE.has(key) || !store) inPage.set(key, value);
      else store.setItem(key, WITH_HEADERS.has(key) ? withoutHeaders(value) : value);
    },
    removeItem(key) {
      inPage.delete(key);
      store?.removeItem(key);
    },
    get length() {
      return store ? Object.keys(store).filter((key) => key.startsWith('graphiql:')).length : inPage.size;
    },
    clear() {
      inPage.clear();
      if (!store) return;
      for (const key of Object.keys(store)) {
        if (key.startsWith('graphiql:')) store.removeItem(key);
      }
    },
  };

  const endpoint = new URL(config.endpoint, window.location.href);
  const httpFetcher = window.GraphiQL.createFetcher({ url: endpoint.href });

  // Subscriptions go over graphql-ws on the same address (ws: or wss:), with the Authorization header of the Headers
  // editor as connection_init's payload: one WebSocket client per token, opened when first needed.
  const wsEndpoint = new URL(endpoint.href);
  wsEndpoint.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';
  const wsClients = new Map();
  function authorizationOf(headers) {
    const authorization = Object.entries(headers || {}).find(
      ([name]) => name.toLowerCase() === 'authorization',
    );
    return authorization ? String(authorization[1]) : '';
  }
  function wsClient(key) {
    let client = wsClients.get(key);
    if (!client) {
      client = window.graphqlWs.createClient({
        url: wsEndpoint.href,
        connectionParams: key ? { authorization: key } : {},
        retryAttempts: 0,
      });
      wsClients.set(key, client);
    }
    return client;
  }

  function isSubscription(params, opts) {
    const definitions = opts?.documentAST?.definitions ?? [];
    const operations = definitions.filter((definition) => definition.kind === 'OperationDefinition');
    const operation =
      operations.find((definition) => definition.name?.value === params.operationName) ?? operations[0];
    return operation ? operation.operation === 'subscription' : /^\s*subscription\b/m.test(params.query);
  }

  // GraphiQL shows an Observable's values as they come, and stops it with the ■ button (unsubscribe).
  function subscribe(params, headers) {
    return {
      subscribe(observer) {
        const key = authorizationOf(headers);
        const client = wsClient(key);
        const dispose = client.subscribe(params, {
          next: (value) => observer.next(value),
          error: (error) => {
            // A closed socket (4401: bad token, 4403: expired) is a CloseEvent: show its code and reason.
            if (Array.isArray(error)) observer.next({ errors: error });
            else if (error && typeof error.code === 'number') {
              // The next run opens a new connection (with the token the Headers editor then holds).
              wsClients.delete(key);
              observer.next({ errors: [{ message: `WebSocket closed ${error.code}: ${error.reason}` }] });
            } else observer.next({ errors: [{ message: String(error?.message ?? error) }] });
            observer.complete();
          },
          complete: () => observer.complete(),
        });
        return { unsubscribe: dispose };
      },
    };
  }

  function fetcher(params, opts) {
    return isSubscription(params, opts) ? subscribe(params, opts?.headers) : httpFetcher(params, opts);
  }

  // The Explorer plugin in GraphiQL's sidebar: the schema as a tree of fields to tick.
  const plugins = window.GraphiQLPluginExplorer ? [window.GraphiQLPluginExplorer.explorerPlugin()] : [];

  const root = window.ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    window.React.createElement(window.GraphiQL, {
      fetcher,
      storage,
      plugins,
      defaultTabs: [{ query: config.query, variables: config.variables, headers: config.headers }],
      // GraphiQL 3.8 fills the first tab's variables and headers editors from these, not from defaultTabs.
      variables: config.variables,
      headers: config.headers,
      // New tabs start with the same headers (the development token).
      defaultHeaders: config.headers,
      shouldPersistHeaders: false,
      showPersistHeadersSettings: false,
      defaultEditorToolsVisibility: config.editorTools,
    }),
  );
})();
