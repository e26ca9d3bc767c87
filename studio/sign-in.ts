/**
 * Sign-in on AWS (lib/studio.ts): the studio's API wants a Cognito ID token on
 * every request. The stack deploys `/config.json` beside the page, naming the
 * hosted UI, the page's client and its own URL; `npm start` serves none, and
 * the local studio signs everyone in as a local user, so no sign-in happens.
 *
 * oidc-client-ts runs the authorization code flow with PKCE: the browser goes
 * to the hosted UI and comes back to the page with a code, which is exchanged
 * here for the tokens; they are kept for the tab's session (sessionStorage)
 * and renewed with the refresh token until it expires (12 hours), then the
 * marketer signs in again.
 *
 *   const response = await fetch('/api/catalog', { headers: { ...(await authorizationHeader()) } });
 */
import { UserManager, type User } from 'oidc-client-ts';

/** `/config.json`, as lib/studio.ts writes it (`StudioSignInConfig`). */
interface SignInConfig {
  /** The hosted UI's base URL, `https://<prefix>.auth.<region>.amazoncognito.com`. */
  domain: string;
  clientId: string;
  /** The page's own URL: where the hosted UI sends the browser back. */
  redirectUri: string;
}

/** Renew a little before the token expires, so a request does not reach the API with a token that just lapsed. */
const renewBeforeSeconds = 60;

const readConfig = async (): Promise<SignInConfig | undefined> => {
  // Asking for JSON only: Vite's dev server would answer an HTML request with the page itself.
  const response = await fetch('/config.json', { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`/config.json: HTTP ${response.status}`);
  if (!(response.headers.get('content-type') ?? '').includes('json')) return undefined;
  const { signIn } = (await response.json()) as { signIn?: Partial<SignInConfig> };
  if (!signIn?.domain || !signIn.clientId || !signIn.redirectUri) throw new Error('/config.json: signIn needs domain, clientId and redirectUri');
  return { domain: signIn.domain.replace(/\/+$/, ''), clientId: signIn.clientId, redirectUri: signIn.redirectUri };
};

interface Session {
  config: SignInConfig;
  users: UserManager;
}

let session: Promise<Session | undefined> | undefined;
const sessionOf = () =>
  (session ??= readConfig().then(
    (config) =>
      config && {
        config,
        users: new UserManager({
          authority: config.domain,
          client_id: config.clientId,
          redirect_uri: config.redirectUri,
          post_logout_redirect_uri: config.redirectUri,
          response_type: 'code',
          scope: 'openid email profile',
          // Cognito's endpoints, given rather than discovered: its discovery document lives on another host.
          metadata: {
            authorization_endpoint: `${config.domain}/oauth2/authorize`,
            token_endpoint: `${config.domain}/oauth2/token`,
            userinfo_endpoint: `${config.domain}/oauth2/userInfo`,
            revocation_endpoint: `${config.domain}/oauth2/revoke`,
          },
        }),
      },
  ));

/** The browser is leaving for the hosted UI: whoever waits for a token waits for the page that comes back. */
const leaving = () => new Promise<never>(() => {});

const usable = (user: User): boolean => !!user.id_token && (user.expires_in ?? 0) > renewBeforeSeconds;

const signIn = async ({ users }: Session): Promise<User> => {
  const here = new URL(location.href);
  if (here.searchParams.has('state') && (here.searchParams.has('code') || here.searchParams.has('error'))) {
    // Back from the hosted UI: exchange the code (with the PKCE verifier kept before leaving), then tidy the address bar.
    const user = await users.signinRedirectCallback().catch((error: Error) => {
      history.replaceState(history.state, '', here.pathname);
      throw new Error(`Sign-in failed: ${error.message}`);
    });
    history.replaceState(history.state, '', typeof user.url_state === 'string' ? user.url_state : here.pathname);
    if (usable(user)) return user;
  }
  const user = await users.getUser();
  if (user && usable(user)) return user;
  if (user?.refresh_token) {
    const renewed = await users.signinSilent().catch(() => null); // the refresh token expired or was revoked
    if (renewed && usable(renewed)) return renewed;
  }
  await users.signinRedirect({ url_state: location.pathname + location.search + location.hash });
  return leaving();
};

/** One sign-in at a time: the page's first requests all wait for the same one. */
let pending: Promise<User> | undefined;

/**
 * The headers that authenticate a request to the studio's API: `{}` locally
 * (no `/config.json`), otherwise `{ authorization: 'Bearer <ID token>' }`,
 * signing the marketer in first if need be (a redirect to the hosted UI: the
 * promise then never settles, the page is leaving).
 */
export async function authorizationHeader(): Promise<Record<string, string>> {
  const current = await sessionOf();
  if (!current) return {};
  pending ??= signIn(current).finally(() => (pending = undefined));
  const user = await pending;
  return { authorization: `Bearer ${user.id_token}` };
}

/** Signs out of the page and of the hosted UI (whose own session would sign the marketer straight back in), then back to the page. */
export async function signOut(): Promise<void> {
  const current = await sessionOf();
  if (!current) return;
  const { config, users } = current;
  await users.revokeTokens(['refresh_token']).catch(() => undefined);
  await users.removeUser();
  const logout = new URL(`${config.domain}/logout`);
  logout.searchParams.set('client_id', config.clientId);
  logout.searchParams.set('logout_uri', config.redirectUri);
  location.assign(logout.href);
  return leaving();
}
