/**
 * Liquid through the visual editor, unharmed. GrapesJS reads MJML as HTML:
 * Liquid between elements (`{% render 'footer' %}`, `{% if %}` around a
 * section, a `{% for %}` inside a table) would be moved, dropped or escaped.
 * `protect` turns each such piece into an `<mj-raw>` placeholder that carries
 * the original text (URI-encoded in a comment), and `restore` puts it back,
 * byte for byte. Liquid inside a text or a button (`Hello {{ customer.firstName }}`)
 * and inside an attribute value (`href="{{ links.shop }}"`) stays as it is:
 * the marketer sees and edits it there.
 *
 * Whole elements are protected too when the visual editor cannot hold them
 * faithfully: elements it does not know (mj-table, mj-raw…), Liquid inside a
 * start tag, and texts whose Liquid the HTML parser would change (`<`, `>`
 * or `&` inside it, or Liquid between table cells).
 * Pure: no DOM, so node's unit tests run it over every template.
 */
import { liquidEnd, parseMjml, type SourceElement, type SourceNode } from './mjml-source';

/** The MJML elements grapesjs-mjml edits; anything else stays code. */
export const visualContainers = new Set(['mjml', 'mj-body', 'mj-wrapper', 'mj-section', 'mj-group', 'mj-column', 'mj-hero', 'mj-social', 'mj-navbar']);
export const visualLeaves = new Set(['mj-text', 'mj-button', 'mj-image', 'mj-divider', 'mj-spacer', 'mj-navbar-link', 'mj-social-element']);

export interface Piece {
  /** The original text, restored as it was. */
  text: string;
  /** Liquid between elements, or a whole element kept as code. */
  kind: 'liquid' | 'element';
}

export interface ProtectOptions {
  /** What the canvas shows for a piece: HTML, without `</mj-raw>`. */
  label?: (piece: Piece) => string;
}

const marker = 'liquid-guard:';
const placeholderPattern = /<mj-raw\b[^>]*>\s*<!--liquid-guard:([^>]*?)-->[\s\S]*?<\/mj-raw>/g;

export const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const defaultLabel = (piece: Piece) => {
  const summary = piece.text.replace(/\s+/g, ' ').trim();
  return `<div>${escapeHtml(summary.length > 120 ? `${summary.slice(0, 117)}...` : summary)}</div>`;
};

/** The placeholder for one piece. */
export const placeholder = (piece: Piece, label = defaultLabel) => `<mj-raw><!--${marker}${encodeURIComponent(piece.text)}-->${label(piece).replace(/<\/mj-raw/gi, '&lt;/mj-raw')}</mj-raw>`;

/** Liquid that the HTML parser would not keep as it is: inside a tag but outside a quoted value, between table cells, or with `<`, `>` or `&`. */
export const textIsUnsafe = (html: string) => {
  if (!/\{[{%]/.test(html)) return false;
  // Text between table parts is moved out of the table by the HTML parser.
  if (/<(?:table|thead|tbody|tfoot|tr|td|th|select|option|colgroup)\b/i.test(html)) return true;
  for (let i = 0; i < html.length; i++) {
    if (html[i] === '{' && (html[i + 1] === '{' || html[i + 1] === '%')) {
      let end: number;
      try {
        end = liquidEnd(html, i);
      } catch {
        return true;
      }
      if (/[<>&]/.test(html.slice(i + 2, end - 2))) return true;
      i = end - 1;
    } else if (html[i] === '<' && /[a-zA-Z]/.test(html[i + 1] ?? '')) {
      // A start tag: Liquid may be in quoted values only.
      let j = i + 1;
      while (j < html.length && html[j] !== '>') {
        if (html[j] === '"' || html[j] === "'") {
          const close = html.indexOf(html[j]!, j + 1);
          j = close < 0 ? html.length : close + 1;
          continue;
        }
        if (html[j] === '{' && (html[j + 1] === '{' || html[j + 1] === '%')) return true;
        j++;
      }
      i = j;
    } else if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i);
      i = end < 0 ? html.length : end + 2;
    }
  }
  return false;
};

/** Whether the visual editor can hold this element (and so its children are looked at one by one). */
const isVisual = (element: SourceElement, text: string) => {
  if (element.liquidInTag) return false;
  if (visualContainers.has(element.tag)) return !element.ending;
  if (!visualLeaves.has(element.tag)) return false;
  return !textIsUnsafe(text.slice(element.openEnd, element.closeStart));
};

/** The pieces of `mjml` to protect, in order, as [start, end, kind]. */
const piecesOf = (mjml: string, nodes: SourceNode[]): [number, number, Piece['kind']][] =>
  nodes.flatMap((node): [number, number, Piece['kind']][] => {
    if (node.kind === 'liquid') return [[node.start, node.end, 'liquid']];
    if (node.kind !== 'element') return [];
    if (!isVisual(node, mjml)) return [[node.start, node.end, 'element']];
    return piecesOf(mjml, node.children);
  });

/**
 * MJML with every piece of Liquid the visual editor could harm turned into a
 * placeholder. Throws `MjmlSyntaxError` (mjml-source.ts) when the MJML cannot be read.
 */
export const protect = (mjml: string, options: ProtectOptions = {}): string => {
  let out = '';
  let at = 0;
  for (const [start, end, kind] of piecesOf(mjml, parseMjml(mjml))) {
    out += mjml.slice(at, start) + placeholder({ text: mjml.slice(start, end), kind }, options.label);
    at = end;
  }
  return out + mjml.slice(at);
};

/** The placeholders' original texts back in place; whatever the canvas showed in them is dropped. */
export const restore = (mjml: string): string => mjml.replace(placeholderPattern, (_, encoded: string) => decodeURIComponent(encoded));

/** The text a placeholder carries, if `mjml` (an `<mj-raw>…</mj-raw>`) is one. */
export const placeholderText = (mjml: string) => {
  placeholderPattern.lastIndex = 0;
  const match = placeholderPattern.exec(mjml);
  placeholderPattern.lastIndex = 0;
  return match && match.index === 0 && match[0].length === mjml.length ? decodeURIComponent(match[1]!) : undefined;
};

/**
 * Liquid the visual editor would see outside a text: none after `protect`.
 * Each as its offset and text. Liquid in a text, a button or an attribute value is fine.
 */
export const exposedLiquid = (mjml: string): { offset: number; text: string }[] => {
  const walk = (nodes: SourceNode[]): { offset: number; text: string }[] =>
    nodes.flatMap((node) => {
      if (node.kind === 'liquid') return [{ offset: node.start, text: mjml.slice(node.start, node.end) }];
      if (node.kind !== 'element') return [];
      const own = mjml.slice(node.start, node.end);
      if (node.tag === 'mj-raw' && placeholderText(own) !== undefined) return [];
      if (!isVisual(node, mjml) && /\{[{%]/.test(own)) return [{ offset: node.start, text: own }];
      return walk(node.children);
    });
  return walk(parseMjml(mjml));
};
