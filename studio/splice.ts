/**
 * An edit made in one spelling of a text, made to another spelling of it:
 * GrapesJS gives back `—` and `<br/>` where the file has `&mdash;` and `<br />`;
 * the marketer's changes go into the file's text, the rest stays as written.
 * Pure: unit-tested in node.
 */
import { diffChars } from 'diff';

interface Hunk {
  equal: boolean;
  baseStart: number;
  baseEnd: number;
  originalStart: number;
  originalEnd: number;
}

interface Edit {
  from: number;
  to: number;
  insert: string;
}

/** How `base` lines up with `original`: stretches written the same, and stretches written differently. */
const alignment = (base: string, original: string): Hunk[] => {
  if (base === original) return [{ equal: true, baseStart: 0, baseEnd: base.length, originalStart: 0, originalEnd: original.length }];
  const hunks: Hunk[] = [];
  let b = 0;
  let o = 0;
  for (const part of diffChars(base, original)) {
    const equal = !part.added && !part.removed;
    let last = hunks.at(-1);
    if (!last || last.equal || equal) {
      last = { equal, baseStart: b, baseEnd: b, originalStart: o, originalEnd: o };
      hunks.push(last);
    }
    if (!part.added) b += part.value.length;
    if (!part.removed) o += part.value.length;
    last.baseEnd = b;
    last.originalEnd = o;
  }
  return hunks;
};

/** The marketer's changes from `base` to `now`, in base's offsets. */
const editsOf = (base: string, now: string): Edit[] => {
  const edits: Edit[] = [];
  let b = 0;
  for (const part of diffChars(base, now)) {
    if (!part.added && !part.removed) {
      b += part.value.length;
      continue;
    }
    let last = edits.at(-1);
    if (!last || last.to !== b) {
      last = { from: b, to: b, insert: '' };
      edits.push(last);
    }
    if (part.added) last.insert += part.value;
    else last.to = b += part.value.length;
  }
  return edits;
};

/**
 * `now` is `base` with the marketer's edits; `original` is what `base` was read
 * from (the same text, written differently). The edits, made to `original`:
 * an edit that touches a stretch written differently takes that whole stretch
 * (in GrapesJS's spelling); everything else stays as written.
 */
export const spliceEdit = (original: string, base: string, now: string) => {
  if (now === base) return original;
  const hunks = alignment(base, original);
  // Each edit's range, widened to the stretches it touches that are written differently.
  const widen = (edit: Edit) => {
    let from = edit.from;
    let originalFrom = original.length;
    for (const hunk of hunks) {
      if (hunk.equal ? from <= hunk.baseEnd : from < hunk.baseEnd) {
        originalFrom = hunk.equal ? hunk.originalStart + (from - hunk.baseStart) : hunk.originalStart;
        if (!hunk.equal) from = hunk.baseStart;
        break;
      }
    }
    let to = edit.to;
    let originalTo = original.length;
    for (const hunk of hunks) {
      if (to <= hunk.baseEnd && (to > hunk.baseStart || (hunk.equal && to === hunk.baseStart))) {
        originalTo = hunk.equal ? hunk.originalStart + (to - hunk.baseStart) : hunk.originalEnd;
        if (!hunk.equal) to = hunk.baseEnd;
        break;
      }
    }
    return { from, to, originalFrom, originalTo: Math.max(originalTo, originalFrom), edits: [edit] };
  };
  // Widened ranges that meet become one.
  const ranges: ReturnType<typeof widen>[] = [];
  for (const range of editsOf(base, now).map(widen)) {
    const last = ranges.at(-1);
    if (last && range.from <= last.to) {
      last.to = Math.max(last.to, range.to);
      last.originalTo = Math.max(last.originalTo, range.originalTo);
      last.edits.push(...range.edits);
    } else {
      ranges.push(range);
    }
  }
  let out = original;
  for (const range of ranges.reverse()) {
    // The range's text in base, with the edits inside it made.
    let text = base.slice(range.from, range.to);
    for (const edit of [...range.edits].reverse()) {
      text = text.slice(0, edit.from - range.from) + edit.insert + text.slice(edit.to - range.from);
    }
    out = out.slice(0, range.originalFrom) + text + out.slice(range.originalTo);
  }
  return out;
};
