/**
 * MJML source as a tree of positions: which element starts and ends where,
 * its attributes, and the Liquid between elements. Nothing is rewritten here:
 * the visual mode (visual.ts) and the Liquid guard (liquid-guard.ts) use the
 * positions to put back, byte for byte, every part the marketer did not change.
 * Pure: no DOM, so it runs in node's unit tests too.
 */

export interface SourceAttr {
  name: string;
  /** As written, entities and Liquid included. */
  value: string;
  /** The whole `name="value"`. */
  start: number;
  end: number;
}

export interface SourceElement {
  kind: 'element';
  tag: string;
  start: number;
  /** Just after the start tag's `>`. */
  openEnd: number;
  /** Where the end tag starts (`end` when self-closing). */
  closeStart: number;
  end: number;
  selfClosing: boolean;
  attrs: SourceAttr[];
  /** Liquid inside the start tag but outside an attribute value: `<mj-section {% if x %}...>`. */
  liquidInTag: boolean;
  /** An ending tag (mj-text, mj-button, mj-raw…): its content is HTML text, not elements. */
  ending: boolean;
  /** Elements, Liquid, comments and text between them; empty for an ending tag. */
  children: SourceNode[];
}

/** One `{{ … }}` or `{% … %}`, or a whole `{% comment %}…{% endcomment %}` / `{% raw %}…{% endraw %}` block. */
export interface SourceLiquid {
  kind: 'liquid';
  start: number;
  end: number;
}

export interface SourceComment {
  kind: 'comment';
  start: number;
  end: number;
}

/** Text between elements that is not only white space. */
export interface SourceText {
  kind: 'text';
  start: number;
  end: number;
}

export type SourceNode = SourceElement | SourceLiquid | SourceComment | SourceText;

/** MJML's ending tags: their content is kept as HTML. */
export const endingTags = new Set([
  'mj-text',
  'mj-button',
  'mj-table',
  'mj-raw',
  'mj-navbar-link',
  'mj-social-element',
  'mj-accordion-title',
  'mj-accordion-text',
  'mj-title',
  'mj-preview',
  'mj-style',
]);

export class MjmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** 1-based line and column of an offset. */
export const lineColumn = (text: string, offset: number) => {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
};

/** The end of a quoted string starting at `at` (its opening quote), past the closing quote. */
const skipQuoted = (text: string, at: number) => {
  const close = text.indexOf(text[at]!, at + 1);
  return close < 0 ? text.length : close + 1;
};

/**
 * The end of the Liquid token at `at` (`{{` or `{%`). Quoted strings inside
 * are skipped, so `{{ "}}" }}` is one token. A comment or raw block runs to its end tag.
 */
export const liquidEnd = (text: string, at: number): number => {
  const closer = text[at + 1] === '{' ? '}}' : '%}';
  let i = at + 2;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' || c === "'") i = skipQuoted(text, i);
    else if (text.startsWith(closer, i)) break;
    else i++;
  }
  if (i >= text.length) throw new MjmlSyntaxError(`unclosed Liquid ${text.slice(at, at + 2)}`, at);
  const end = i + 2;
  if (closer === '%}') {
    const name = /^\{%-?\s*(\w+)/.exec(text.slice(at, end))?.[1];
    if (name === 'comment' || name === 'raw') {
      const close = new RegExp(`\\{%-?\\s*end${name}\\s*-?%\\}`, 'g');
      close.lastIndex = end;
      const match = close.exec(text);
      if (!match) throw new MjmlSyntaxError(`{% ${name} %} without {% end${name} %}`, at);
      return match.index + match[0].length;
    }
  }
  return end;
};

const isLiquidAt = (text: string, at: number) => text[at] === '{' && (text[at + 1] === '{' || text[at + 1] === '%');

/** Parses MJML (a whole document or a fragment) into its nodes. Throws `MjmlSyntaxError` with the offset of what it cannot read. */
export const parseMjml = (text: string): SourceNode[] => {
  let i = 0;

  const parseNodes = (closing?: string): SourceNode[] => {
    const nodes: SourceNode[] = [];
    let textStart = -1;
    const flushText = (end: number) => {
      if (textStart >= 0 && text.slice(textStart, end).trim()) nodes.push({ kind: 'text', start: textStart, end });
      textStart = -1;
    };
    while (i < text.length) {
      if (text.startsWith('</', i)) {
        flushText(i);
        const match = /^<\/\s*([\w:-]+)\s*>/.exec(text.slice(i, i + 200));
        if (!match) throw new MjmlSyntaxError('unreadable end tag', i);
        if (match[1]!.toLowerCase() !== closing) {
          throw new MjmlSyntaxError(closing ? `</${match[1]}> where </${closing}> was expected` : `</${match[1]}> without its start tag`, i);
        }
        return nodes;
      }
      if (text.startsWith('<!--', i)) {
        flushText(i);
        const end = text.indexOf('-->', i + 4);
        if (end < 0) throw new MjmlSyntaxError('unclosed comment', i);
        nodes.push({ kind: 'comment', start: i, end: end + 3 });
        i = end + 3;
      } else if (text[i] === '<' && /[a-zA-Z]/.test(text[i + 1] ?? '')) {
        flushText(i);
        nodes.push(parseElement());
      } else if (isLiquidAt(text, i)) {
        flushText(i);
        const end = liquidEnd(text, i);
        nodes.push({ kind: 'liquid', start: i, end });
        i = end;
      } else {
        if (textStart < 0) textStart = i;
        i++;
      }
    }
    flushText(i);
    if (closing) throw new MjmlSyntaxError(`<${closing}> is not closed`, text.length);
    return nodes;
  };

  const parseElement = (): SourceElement => {
    const start = i;
    const tag = /^<([\w:-]+)/.exec(text.slice(i, i + 100))![1]!.toLowerCase();
    i += tag.length + 1;
    const attrs: SourceAttr[] = [];
    let liquidInTag = false;
    let selfClosing = false;
    for (;;) {
      while (/\s/.test(text[i] ?? '')) i++;
      if (i >= text.length) throw new MjmlSyntaxError(`<${tag}> is not finished`, start);
      if (text.startsWith('/>', i)) {
        selfClosing = true;
        i += 2;
        break;
      }
      if (text[i] === '>') {
        i++;
        break;
      }
      if (isLiquidAt(text, i)) {
        liquidInTag = true;
        i = liquidEnd(text, i);
        continue;
      }
      const attrStart = i;
      const name = /^[^\s=>/]+/.exec(text.slice(i, i + 200))?.[0];
      if (!name) throw new MjmlSyntaxError(`unreadable attribute in <${tag}>`, i);
      i += name.length;
      let value = '';
      let j = i;
      while (/\s/.test(text[j] ?? '')) j++;
      if (text[j] === '=') {
        j++;
        while (/\s/.test(text[j] ?? '')) j++;
        if (text[j] === '"' || text[j] === "'") {
          const end = skipQuoted(text, j);
          value = text.slice(j + 1, end - 1);
          i = end;
        } else {
          const unquoted = /^[^\s>]+/.exec(text.slice(j, j + 1000))?.[0] ?? '';
          value = unquoted;
          i = j + unquoted.length;
        }
      }
      attrs.push({ name: name.toLowerCase(), value, start: attrStart, end: i });
    }
    const openEnd = i;
    const ending = endingTags.has(tag);
    const element: SourceElement = { kind: 'element', tag, start, openEnd, closeStart: openEnd, end: openEnd, selfClosing, attrs, liquidInTag, ending, children: [] };
    if (selfClosing) return element;
    if (ending) {
      const close = new RegExp(`</\\s*${tag}\\s*>`, 'ig');
      close.lastIndex = openEnd;
      const match = close.exec(text);
      if (!match) throw new MjmlSyntaxError(`<${tag}> is not closed`, start);
      element.closeStart = match.index;
      element.end = match.index + match[0].length;
      i = element.end;
      return element;
    }
    element.children = parseNodes(tag);
    element.closeStart = i;
    i += /^<\/\s*[\w:-]+\s*>/.exec(text.slice(i, i + 200))![0].length;
    element.end = i;
    return element;
  };

  return parseNodes();
};

/** Every element in document order. */
export function* elements(nodes: SourceNode[]): Generator<SourceElement> {
  for (const node of nodes) {
    if (node.kind !== 'element') continue;
    yield node;
    yield* elements(node.children);
  }
}

/** The first element with this tag, at any depth. */
export const findElement = (nodes: SourceNode[], tag: string) => {
  for (const element of elements(nodes)) if (element.tag === tag) return element;
  return undefined;
};
