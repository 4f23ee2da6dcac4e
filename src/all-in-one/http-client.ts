/**
 * A small JSON client for dari's public API, used by the demo seed, `npm run
 * demo` and the end-to-end tests: what a merchant's developer would write.
 */

export interface ApiAnswer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

export class ApiCallError extends Error {
  override name = 'ApiCallError';
  readonly status: number;
  readonly body: unknown;
  constructor(method: string, path: string, status: number, body: unknown) {
    super(`${method} ${path} answered ${status}: ${JSON.stringify(body)}`);
    this.status = status;
    this.body = body;
  }
}

export interface ApiClient {
  /** Any answer, with its status. */
  request<T = Record<string, unknown>>(method: string, path: string, options?: { readonly token?: string; readonly body?: unknown }): Promise<ApiAnswer<T>>;
  /** A 2xx answer's body; anything else throws ApiCallError. */
  call<T = Record<string, unknown>>(method: string, path: string, options?: { readonly token?: string; readonly body?: unknown }): Promise<T>;
}

export function apiClient(baseUrl: string): ApiClient {
  const request = async <T>(method: string, path: string, options: { readonly token?: string; readonly body?: unknown } = {}): Promise<ApiAnswer<T>> => {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: kept as text for the error message.
    }
    return { status: response.status, body: body as T };
  };
  return {
    request,
    async call<T>(method: string, path: string, options: { readonly token?: string; readonly body?: unknown } = {}) {
      const answer = await request<T>(method, path, options);
      if (answer.status < 200 || answer.status > 299) throw new ApiCallError(method, path, answer.status, answer.body);
      return answer.body;
    },
  };
}
