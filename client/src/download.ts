/**
 * Downloads (CSV and Excel workbooks) need the bearer token, which a link cannot carry: fetch the file with the token
 * into a Blob, then hand it to the user (`saveDownload` in a browser, or write `blob` wherever it should go).
 */

export interface Download {
  blob: Blob;
  /** The file name the service gave (Content-Disposition), e.g. `ilmoitukset-905-vaasa-2026-12-04.xlsx`. */
  fileName: string;
  contentType: string;
}

/** A download the service refused: `code` is the service's stable error code (FORBIDDEN, NOT_FOUND, …). */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

export interface DownloadOptions {
  /** Language of the headers and values in the file (`fi` by default, as the service decides). */
  language?: 'fi' | 'sv' | 'en';
  /** Another fetch (tests, a proxy); the global one by default. */
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/**
 * Fetches a download path (a GraphQL `downloadPath`, or `/downloads/notifications.xlsx?status=NEW…`) from the
 * service at `baseUrl` (e.g. `https://kelmu.example.fi`) with the bearer token.
 */
export async function fetchDownload(
  baseUrl: string,
  path: string,
  token: string,
  { language, fetch: fetchFile = fetch, signal }: DownloadOptions = {},
): Promise<Download> {
  const url = new URL(path, baseUrl);
  if (language) url.searchParams.set('lang', language);
  const response = await fetchFile(url, {
    headers: { authorization: `Bearer ${token}` },
    ...(signal ? { signal } : {}),
  });
  if (!response.ok) {
    let message = `The download failed with HTTP ${response.status}.`;
    let code: string | undefined;
    try {
      const body = (await response.json()) as {
        errors?: { message?: string; extensions?: { code?: string } }[];
      };
      message = body.errors?.[0]?.message ?? message;
      code = body.errors?.[0]?.extensions?.code;
    } catch {
      // not a JSON error body
    }
    throw new DownloadError(message, response.status, code);
  }
  return {
    blob: await response.blob(),
    fileName: fileNameOf(response.headers.get('content-disposition')) ?? lastSegment(url.pathname),
    contentType: response.headers.get('content-type') ?? 'application/octet-stream',
  };
}

/** The file name of a Content-Disposition header: RFC 6266's `filename*` (UTF-8, for å, ä and ö) before `filename`. */
export function fileNameOf(contentDisposition: string | null): string | undefined {
  if (!contentDisposition) return undefined;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(contentDisposition);
  if (extended?.[1]) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      // fall back to the plain name
    }
  }
  const plain = /filename\s*=\s*"((?:[^"\\]|\\.)*)"|filename\s*=\s*([^;]+)/i.exec(contentDisposition);
  const name = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2]?.trim();
  return name || undefined;
}

function lastSegment(pathname: string): string {
  return decodeURIComponent(pathname.slice(pathname.lastIndexOf('/') + 1)) || 'download';
}

/** The little of the DOM that saveDownload uses: the package's types must not require the DOM library. */
interface BrowserDocument {
  createElement(tag: 'a'): { href: string; download: string; click(): void; remove(): void };
  body: { append(node: unknown): void };
}

/** In a browser: offers the downloaded file to the user under its name, as a link to it would have. */
export function saveDownload({ blob, fileName }: Download): void {
  const { document } = globalThis as unknown as { document?: BrowserDocument };
  if (!document) throw new Error('saveDownload runs in a browser; elsewhere write download.blob yourself');
  const href = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  // Some browsers read the URL after click() returns: revoke it a moment later.
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
