/**
 * Issue 11, hostile links: the public link handler (and the local server in
 * front of it) answers anything malformed with a 4xx and the neutral page,
 * never an error; a token cannot reach a key through the prototype; the
 * comment box takes its longest comment in any script; unsubscribe links
 * live as long as the law and the mailbox providers expect, and no longer.
 * The handler runs over in-memory stores (the use cases' ports).
 */
// First, as the local stack imports it: the handlers' logger is created quiet.
import '../../local/environment';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NpsResponse } from '../../functions/campaigns/ports';
import { surveyScoreLinks } from '../../functions/campaigns/nps/survey-links';
import { parseConfig } from '../../functions/config';
import type { CustomerProfile } from '../../functions/customers/profile';
import type { OutgoingEvent } from '../../functions/events/event';
import { linksApp, maxCommentBodyBytes, maxCommentChars } from '../../functions/handlers/links';
import { invalidLinkPage } from '../../functions/links/pages';
import { signToken, verifyToken, type Keyring } from '../../functions/links/signed-token';
import { unsubscribeLinks, unsubscribeValidDays } from '../../functions/links/unsubscribe';
import { startLinksServer, toHttpEvent } from '../../local/links-server';

const keyring: Keyring = { current: 'k1', keys: { k1: 'unit-test-key' } };
const config = parseConfig({});
const shopName = config.shop.name;
const sentAt = new Date('2026-05-01T10:00:00Z');
const now = new Date('2026-05-02T10:00:00Z');
const day = 86_400_000;
const neutral = invalidLinkPage({ shopName });

/** In-memory stores: one customer, who reads Arabic, and what the links record. */
const fakeLinks = () => {
  const profiles = new Map<string, CustomerProfile>([
    ['ana', { customerId: 'ana', email: 'ana@example.com', locale: 'ar', marketingConsent: true, updatedAt: '2026-04-01T00:00:00Z' }],
  ]);
  const responses = new Map<string, NpsResponse>();
  const published: OutgoingEvent[] = [];
  const suppressed = new Set<string>();
  const app = linksApp({
    config,
    shopName,
    keyring: async () => keyring,
    wooCommerceSecret: async () => undefined,
    settings: async () => config,
    customers: {
      get: async (id) => profiles.get(id),
      update: async (id, values) => {
        const profile = profiles.get(id);
        if (profile) profiles.set(id, { ...profile, ...values });
        return profile !== undefined;
      },
      setOptedOut: async (id, campaigns) => {
        const profile = profiles.get(id);
        if (!profile) return undefined;
        profiles.set(id, { ...profile, optedOut: campaigns });
        return { previous: profile.optedOut ?? [] };
      },
    },
    responses: {
      record: async (response) => {
        const key = `${response.customerId}#${response.surveyId}`;
        const previous = responses.get(key);
        if (previous?.score === response.score) return { changed: false };
        responses.set(key, { ...previous, ...response });
        return { changed: true, previousScore: previous?.score, firstRecordedAt: previous?.recordedAt ?? response.recordedAt };
      },
      comment: async (customerId, surveyId, comment) => {
        const response = responses.get(`${customerId}#${surveyId}`);
        if (!response) return undefined;
        responses.set(`${customerId}#${surveyId}`, { ...response, comment });
        return { ...response, comment };
      },
    },
    suppressions: {
      isSuppressed: async (email) => suppressed.has(email),
      suppress: async (email) => !suppressed.has(email) && Boolean(suppressed.add(email)),
      liftUnsubscribe: async (email) => suppressed.delete(email),
    },
    events: { publish: async (events) => void published.push(...events) },
    story: { consent: async () => undefined },
    kpis: { contribute: async () => undefined, footprint: async () => undefined, upTo: async () => ({}) },
  });
  const call = (method: string, path: string, body = '', headers: Record<string, string> = {}) =>
    app(toHttpEvent(method, new URL(path, 'https://links.shop.example'), headers, Buffer.from(body, 'utf8'), now));
  return { app, call, responses, published };
};

const scoreToken = (score: number) => new URL(surveyScoreLinks(keyring, config, 'ana', 'o1', sentAt)[score]!.url).searchParams.get('token')!;
const form = { 'content-type': 'application/x-www-form-urlencoded' };
/** A token that claims key `kid`, with a signature made up. */
const forged = (kid: string) =>
  `${Buffer.from(JSON.stringify({ kid, c: 'ana', p: 'nps', s: 'o1#9', e: 1_900_000_000 })).toString('base64url')}.${Buffer.alloc(32, 7).toString('base64url')}`;

describe('a token reaches only the keyring’s own keys', () => {
  const prototypeKeys = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

  it.each(prototypeKeys)('a token claiming key id %s verifies as nothing, without throwing', (kid) => {
    expect(verifyToken(keyring, forged(kid), 'nps', now)).toBeUndefined();
  });

  it.each(prototypeKeys)('the link with key id %s gets the neutral page', async (kid) => {
    const response = await fakeLinks().call('GET', `/nps?token=${forged(kid)}`);
    expect(response.statusCode).toBe(404);
    expect(response.body).toBe(neutral);
  });

  it('a keyring whose current key is a prototype name signs nothing', () => {
    expect(() => signToken({ current: 'constructor', keys: {} }, { customerId: 'c', purpose: 'nps', subject: '', expiresAt: now })).toThrow(/current/);
  });
});

describe(`unsubscribe links work for ${unsubscribeValidDays} days after sending`, () => {
  const tokenAt = (at: Date) => new URL(unsubscribeLinks(keyring, config.shop, 'ana', 'winback', at).url).searchParams.get('token')!;

  it('at least the 30 days CAN-SPAM requires, at most a season', () => {
    expect(unsubscribeValidDays).toBeGreaterThanOrEqual(30);
    expect(unsubscribeValidDays).toBeLessThanOrEqual(90);
  });

  it('the link and the mailto still work on the last day', () => {
    expect(verifyToken(keyring, tokenAt(sentAt), 'unsubscribe', new Date(sentAt.getTime() + unsubscribeValidDays * day - 1000))?.customerId).toBe('ana');
  });

  it('and no longer', () => {
    expect(verifyToken(keyring, tokenAt(sentAt), 'unsubscribe', new Date(sentAt.getTime() + unsubscribeValidDays * day))).toBeUndefined();
  });
});

const longest = {
  Arabic: 'رأيكم يهمنا '.repeat(200).slice(0, maxCommentChars),
  Chinese: '包裹到得很晚'.repeat(400).slice(0, maxCommentChars),
  Hindi: 'पार्सल देर से आया '.repeat(200).slice(0, maxCommentChars),
  Thai: 'พัสดุมาช้า'.repeat(200).slice(0, maxCommentChars),
  emoji: '📦😞'.repeat(500).slice(0, maxCommentChars),
  'Latin with line breaks': 'Late.\n'.repeat(400).slice(0, maxCommentChars - 1).trim(),
};

describe(`a comment as long as the form allows (${maxCommentChars} characters), in any script, is accepted`, () => {
  it.each(Object.entries(longest))('%s', async (_, comment) => {
    const links = fakeLinks();
    expect((await links.call('GET', `/nps?token=${scoreToken(3)}`)).statusCode).toBe(200);
    // As a browser posts a textarea: line breaks as CRLF, each counted once by maxlength.
    const body = new URLSearchParams({ token: scoreToken(3), comment: comment.replace(/\n/g, '\r\n') }).toString();
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(maxCommentBodyBytes);
    const response = await links.call('POST', '/nps/comment', body, form);
    expect(response.statusCode).toBe(200);
    expect(links.responses.get('ana#o1')?.comment).toBe(comment.trim());
  });

  it('the limit is the longest comment’s body: 9 bytes a character (3 UTF-8 bytes, each as %XX), the token and the field names', () => {
    expect(maxCommentBodyBytes).toBe(6 + 1024 + 9 + 2000 * 9);
  });

  it('one character more is refused; a body past the limit too, before it is read', async () => {
    const links = fakeLinks();
    await links.call('GET', `/nps?token=${scoreToken(3)}`);
    const over = await links.call('POST', '/nps/comment', new URLSearchParams({ token: scoreToken(3), comment: 'ب'.repeat(maxCommentChars + 1) }).toString(), form);
    expect(over.statusCode).toBe(400);
    const huge = await links.call('POST', '/nps/comment', `token=${scoreToken(3)}&comment=${'a'.repeat(maxCommentBodyBytes)}`, form);
    expect(huge.statusCode).toBe(413);
    expect(links.responses.get('ana#o1')?.comment).toBeUndefined();
  });
});

describe('a malformed request gets a 4xx and the neutral page, never an error', () => {
  const requests: [string, string, string, string?, Record<string, string>?][] = [
    ['no token', 'GET', '/nps'],
    ['a token far too long', 'GET', `/nps?token=${'a'.repeat(5000)}`],
    ['a token of three parts', 'GET', '/nps?token=a.b.c'],
    ['a token that is not base64 JSON', 'GET', '/nps?token=%FF%FE.%00'],
    ['claims of the wrong shape', 'GET', `/nps?token=${Buffer.from('{"kid":["k1"],"e":1e400}').toString('base64url')}.x`],
    ['an expiry past what a date holds', 'GET', `/nps?token=${Buffer.from('{"kid":"k1","c":"ana","p":"nps","s":"o1#9","e":1e300}').toString('base64url')}.x`],
    ['an unknown route', 'GET', '/admin'],
    ['a path that climbs', 'GET', '/../../etc/passwd'],
    ['the wrong method', 'PUT', `/nps?token=${scoreToken(9)}`],
    ['DELETE', 'DELETE', '/unsubscribe'],
    ['a comment without a token', 'POST', '/nps/comment', 'comment=hello', form],
    ['a comment with broken percent-encoding', 'POST', '/nps/comment', `token=${scoreToken(9)}x&comment=%E0%A4%A`, form],
    ['a comment as JSON', 'POST', '/nps/comment', JSON.stringify({ token: scoreToken(9), comment: 'hi' }), { 'content-type': 'application/json' }],
    ['a broken multipart body', 'POST', '/nps/comment', '--x\r\nbroken', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['a multipart body without a boundary', 'POST', '/unsubscribe/preferences', 'a', { 'content-type': 'multipart/form-data' }],
    ['a one-click POST without a token', 'POST', '/unsubscribe', 'List-Unsubscribe=One-Click', form],
    ['a one-click POST far too large', 'POST', `/unsubscribe?token=${scoreToken(9)}`, `List-Unsubscribe=One-Click&pad=${'a'.repeat(1 << 20)}`, form],
    ['preferences of unknown campaigns', 'POST', '/unsubscribe/preferences', `token=x&keep=${'everything&keep='.repeat(50)}`, form],
  ];

  it.each(requests)('%s', async (_, method, path, body = '', headers = {}) => {
    const links = fakeLinks();
    const response = await links.call(method, path, body, headers);
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.body).toBe(neutral);
    expect(links.published).toEqual([]);
  });

  it.each([
    ['an octet stream', 'application/octet-stream', 415],
    ['a form', 'application/x-www-form-urlencoded', 400],
    ['a multipart form', 'multipart/form-data; boundary=x', 400],
  ])('a body that is not UTF-8, sent as %s', async (_, contentType, status) => {
    const links = fakeLinks();
    const bytes = Buffer.concat([Buffer.from(`token=${scoreToken(9)}&comment=`), Buffer.from([0xff, 0xfe, 0x00, 0xc3])]);
    const response = await links.app(toHttpEvent('POST', new URL('https://links.shop.example/nps/comment'), { 'content-type': contentType }, bytes, now));
    expect(response.statusCode).toBe(status);
    expect(response.body).toBe(neutral);
  });
});

describe('the local links server answers what it cannot make an event of with a 4xx', () => {
  let server: Awaited<ReturnType<typeof startLinksServer>>;
  beforeAll(async () => {
    server = await startLinksServer(fakeLinks().app, () => now);
  });
  afterAll(() => server?.close());
  const hostname = '127.0.0.1';
  const port = () => Number(new URL(server.url).port);

  it('takes the longest Arabic comment, as a browser posts it', async () => {
    await fetch(`${server.url}/nps?token=${scoreToken(3)}`);
    const response = await fetch(`${server.url}/nps/comment`, {
      method: 'POST',
      headers: form,
      body: new URLSearchParams({ token: scoreToken(3), comment: longest.Arabic }).toString(),
    });
    expect(response.status).toBe(200);
  });

  it('a Host no URL can be made of: 400, and the server still serves', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      request({ hostname, port: port(), path: '/nps', headers: { host: 'bad host' } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(400);
    expect((await fetch(`${server.url}/nps`)).status).toBe(400);
  });

  it('a request target no URL can be made of: 400', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(port(), hostname, () => socket.end('GET http://[bad/nps HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
  });
});
