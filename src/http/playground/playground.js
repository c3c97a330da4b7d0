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

  const fetcher = window.GraphiQL.createFetcher({ url: new URL(config.endpoint, window.location.href).href });

  const root = window.ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    window.React.createElement(window.GraphiQL, {
      fetcher,
      storage,
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
