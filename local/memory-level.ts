/**
 * dynalite's in-memory store (memory-level), holding each key and value in an
 * array of its own. memory-level stores Buffers by default, and Node.js cuts a
 * small Buffer from a shared 8 KB slab: each stored item kept its whole slab
 * alive, and a simulated quarter of 300 customers held 65 MB of slabs for a few
 * MB of data (BENCHMARKS.md). As `view`s (TextEncoder's own arrays) they keep
 * memory-level's byte order, which is DynamoDB's (UTF-8 bytes). dynalite
 * creates its store itself, so this replaces the class it takes from
 * memory-level before dynalite is loaded: import it first.
 */
import { createRequire } from 'node:module';

type Options = { storeEncoding?: string } & Record<string, unknown>;
type MemoryLevelClass = new (options?: Options) => object;

// The memory-level module as dynalite requires it (from its own folder): the class it creates its store with.
const dynaliteMemoryLevel = createRequire(createRequire(import.meta.url).resolve('dynalite'))('memory-level') as { MemoryLevel: MemoryLevelClass };

const { MemoryLevel } = dynaliteMemoryLevel;
if (!(MemoryLevel as { ownArrays?: true }).ownArrays) {
  dynaliteMemoryLevel.MemoryLevel = class extends MemoryLevel {
    static ownArrays = true as const;
    constructor(options: Options = {}) {
      super({ storeEncoding: 'view', ...options });
    }
  };
}
