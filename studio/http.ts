/**
 * Every request the page makes goes through `call`: JSON in and out, the
 * signed-in user's `authorization` header added (on AWS; nothing locally).
 */
import type { ErrorResponse } from './api';
// Sign-in (studio/sign-in.ts): `{ authorization: 'Bearer <ID token>' }` on AWS, `{}` locally.
import { authorizationHeader } from './sign-in';

/** Whether requests carry a sign-in (on AWS): then the page offers to sign out. */
export let signedIn = false;

/** A failure that is a message (403, 404, 409, 5xx), not a list of problems. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * 422 carries problems, the answer the page shows, so it resolves like a 2xx;
 * any other failure throws an `ApiError` with the server's message.
 */
export const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const headers: Record<string, string> = { ...(await authorizationHeader()) };
  signedIn = 'authorization' in headers;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }))) as T | ErrorResponse;
  if (!response.ok && response.status !== 422) {
    throw new ApiError(response.status, (json as ErrorResponse).error ?? `${response.status} ${response.statusText}`);
  }
  return json as T;
};
