/**
 * The local DynamoDB's in-memory store (local/memory-level.ts): dynalite's items kept in
 * arrays of their own, not in slices of Node.js's shared Buffer slabs (each of which a
 * stored item would keep alive), and still in DynamoDB's order, by UTF-8 bytes.
 */
import { describe, expect, it } from 'vitest';
import { dynaliteMemoryLevel } from '../../local/memory-level';

type Store = {
  put(key: string, value: unknown): Promise<void>;
  get(key: string, options: { valueEncoding: 'view' }): Promise<Uint8Array>;
  keys(): AsyncIterable<string>;
};

/** The store as dynalite creates it. */
const dynaliteStore = () => new dynaliteMemoryLevel.MemoryLevel({ valueEncoding: 'json' }) as unknown as Store;

describe("dynalite's in-memory store", () => {
  it('keeps each item in an array of its own, however small', async () => {
    const store = dynaliteStore();
    await store.put('CUSTOMER#1~PROFILE', { pk: 'CUSTOMER#1', sk: 'PROFILE' });
    const stored = await store.get('CUSTOMER#1~PROFILE', { valueEncoding: 'view' });
    expect(new TextDecoder().decode(stored)).toBe('{"pk":"CUSTOMER#1","sk":"PROFILE"}');
    expect(stored.buffer.byteLength).toBe(stored.byteLength);
  });

  it('orders keys by their UTF-8 bytes, as DynamoDB does, not by UTF-16 code units', async () => {
    const store = dynaliteStore();
    // U+FFFF is EF BF BF in UTF-8, U+1F600 F0 9F 98 80; in UTF-16 the emoji (D83D DE00) sorts first.
    for (const key of ['a😀', 'a\uffff', 'a']) await store.put(key, {});
    const keys: string[] = [];
    for await (const key of store.keys()) keys.push(key);
    expect(keys).toEqual(['a', 'a\uffff', 'a😀']);
  });
});
