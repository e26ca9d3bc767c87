/**
 * Reading what a stranger sent, without letting it crash the reader. Before any
 * schema looks at an event, its size and depth are measured without recursion:
 * no event larger than EventBridge delivers, or nested deeper than any real
 * one, reaches zod or JSON handling (a 20,000-level value overflows the stack
 * of both). What the engine echoes back of a refused event (the dead letter's
 * copy, the reason) is bounded too.
 */
import type { z } from 'zod';
import { describeIssues, isoInstant, outgoing, type OutgoingEvent } from './event';
import { eventRejected } from './retention';

/** EventBridge's limit for one PutEvents entry: no larger event arrives on a bus. */
export const maxEventBytes = 256 * 1024;
/** A shop event nests three levels (envelope, detail, field); 32 is far beyond any real shape. */
export const maxEventDepth = 32;
/**
 * A dead letter keeps the refused event itself up to this size, else a preview
 * of it: an `Event Rejected` must itself fit EventBridge's 256 KB with room to spare.
 */
export const maxDeadLetterCopyBytes = 64 * 1024;
const previewChars = 2048;
/** Measuring stops here: only a value built in memory (not parsed JSON) can be larger. */
const measureLimit = 64 * maxEventBytes;

type Path = (string | number)[];

/** The field a problem is in, as the schema names it: `detail.<field>` or an envelope key, each bounded. */
const fieldOf = (path: Path) => {
  // An event that is not an object has no fields.
  if (typeof path[0] === 'number') return '(event)';
  const field = path.slice(0, path[0] === 'detail' ? 2 : 1).map((key) => {
    const text = String(key);
    return text.length > 64 ? `${text.slice(0, 64)}…` : text;
  });
  return field.length ? field.join('.') : '(event)';
};

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

export interface Measure {
  /** About the size of the value as JSON (escapes aside); a lower bound past the depth limit. */
  bytes: number;
  /** The first bound the value breaks: `detail.notes: nested deeper than 32 levels`. */
  problem?: string;
}

/** Size and depth of any value, iteratively, so neither can exhaust the stack. */
export const measure = (value: unknown): Measure => {
  const stack: { value: unknown; path: Path; depth: number }[] = [{ value, path: [], depth: 0 }];
  let bytes = 0;
  let problem: string | undefined;
  const found = (path: Path, message: string) => (problem ??= `${fieldOf(path)}: ${message}`);
  while (stack.length && bytes <= measureLimit) {
    const { value: node, path, depth } = stack.pop()!;
    if (typeof node === 'string') bytes += utf8Bytes(node) + 2;
    else if (typeof node === 'number' || typeof node === 'boolean' || typeof node === 'bigint') bytes += String(node).length;
    else if (node === null) bytes += 4;
    else if (typeof node === 'object') {
      if (depth >= maxEventDepth) {
        found(path, `nested deeper than ${maxEventDepth} levels`);
        continue;
      }
      bytes += 2;
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length && bytes <= measureLimit; i++) {
          bytes += 1;
          stack.push({ value: node[i], path: [...path, i], depth: depth + 1 });
        }
      } else {
        for (const key of Object.keys(node)) {
          if (bytes > measureLimit) break;
          bytes += utf8Bytes(key) + 4;
          stack.push({ value: (node as Record<string, unknown>)[key], path: [...path, key], depth: depth + 1 });
        }
      }
    }
    if (bytes > maxEventBytes) found(path, `too large: the event passes EventBridge's ${maxEventBytes / 1024} KB`);
  }
  return { bytes, ...(problem && { problem }) };
};

/**
 * JSON of any value, cut at `maxChars` and at the depth limit (deeper values
 * become `"…"`); `complete` when nothing was cut.
 */
export const boundedJson = (value: unknown, maxChars: number): { text: string; complete: boolean } => {
  let text = '';
  let complete = true;
  const emit = (part: string) => {
    if (text.length + part.length <= maxChars) text += part;
    else {
      text += part.slice(0, maxChars - text.length);
      complete = false;
    }
    return complete;
  };
  const write = (node: unknown, depth: number): boolean => {
    if (typeof node === 'string') {
      if (node.length <= maxChars) return emit(JSON.stringify(node));
      emit(JSON.stringify(node.slice(0, maxChars)));
      return (complete = false);
    }
    if (typeof node === 'number') return emit(Number.isFinite(node) ? String(node) : 'null');
    if (typeof node === 'boolean' || node === null) return emit(String(node));
    if (typeof node !== 'object') return emit('null');
    if (depth >= maxEventDepth) {
      emit('"…"');
      return (complete = false);
    }
    if (Array.isArray(node)) {
      if (!emit('[')) return false;
      for (let i = 0; i < node.length; i++) if ((i && !emit(',')) || !write(node[i], depth + 1)) return false;
      return emit(']');
    }
    if (!emit('{')) return false;
    let first = true;
    for (const key of Object.keys(node)) {
      if ((!first && !emit(',')) || !emit(`${JSON.stringify(key)}:`) || !write((node as Record<string, unknown>)[key], depth + 1)) return false;
      first = false;
    }
    return emit('}');
  };
  if (!write(value, 0)) complete = false;
  return { text, complete };
};

/** The dead letter's copy of a refused event: itself when small, else a preview noting its size. */
export const deadLetterCopy = (raw: unknown, bytes = measure(raw).bytes): unknown => {
  const { text, complete } = boundedJson(raw, maxDeadLetterCopyBytes);
  if (complete && utf8Bytes(text) <= maxDeadLetterCopyBytes) return raw;
  return { truncated: true, bytes, preview: text.slice(0, previewChars) };
};

export type BoundedParse<T> = { success: true; data: T } | { success: false; reason: string; bytes: number };

/** Parses an event from outside: bounds first, then the schema; a refusal names the field and never throws. */
export const parseBounded = <S extends z.ZodType>(schema: S, raw: unknown): BoundedParse<z.infer<S>> => {
  const { bytes, problem } = measure(raw);
  if (problem) return { success: false, reason: problem, bytes };
  const parsed = schema.safeParse(raw);
  return parsed.success ? { success: true, data: parsed.data } : { success: false, reason: describeIssues(parsed.error), bytes };
};

const timeOf = (raw: unknown) => {
  const time = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).time : undefined;
  const parsed = isoInstant.safeParse(time);
  return parsed.success ? parsed.data : undefined;
};

/** `Event Rejected` for the dead letters: the reason and a bounded copy of the event, at the event's time when it has one. */
export const rejection = (raw: unknown, reason: string, bytes?: number): OutgoingEvent =>
  outgoing(eventRejected, timeOf(raw) ?? new Date().toISOString(), { reason, event: deadLetterCopy(raw, bytes) });
