/**
 * The visual mode of the body editor: GrapesJS with its official MJML plugin
 * (grapesjs-mjml), for marketers who never wrote HTML: click a text to change
 * it, pick a colour, change the button's words and link, swap an image.
 *
 * Only `<mj-body>` goes into GrapesJS; the head and everything around it stay
 * as written. Liquid that GrapesJS could harm goes in as placeholders
 * (liquid-guard.ts). On the way back, what the marketer did not change is the
 * original text, byte for byte: an element GrapesJS gives back as it took it
 * is copied from the source, a changed attribute is changed in place, and a
 * changed text is spliced into the original text. So a change of one word is
 * a change of that word in the file.
 *
 * Loaded on first use (a dynamic import): the code mode never pays for it.
 */
import grapesjs, { type Component, type Editor } from 'grapesjs';
import 'grapesjs/dist/css/grapes.min.css';
import grapesjsMjml from 'grapesjs-mjml';
import { escapeHtml, placeholderText, protect, restore, type Piece } from './liquid-guard';
import { findElement, parseMjml, type SourceElement, type SourceNode } from './mjml-source';
import { spliceEdit } from './splice';

export interface VisualEditor {
  /** Shows a template body (the whole MJML, `<mjml>` to `</mjml>`). Throws `VisualUnavailable` when it cannot. */
  load(body: string, options?: { partials?: Record<string, string> }): void;
  /** The body with the marketer's changes in it; the loaded text itself while nothing changed. */
  text(): string;
  /** Ends text editing in the canvas, so `text()` has the last word typed. */
  flush(): Promise<void>;
  /** GrapesJS itself (for tests and scratch scripts). */
  readonly grapes: Editor;
}

/** Why a body cannot be shown visually, in the marketer's words. */
export class VisualUnavailable extends Error {}

/** Where GrapesJS keeps what it loaded: the source element and how GrapesJS gave it back then. */
interface Origin {
  source: SourceElement | undefined;
  /** The comment or text node, for those. */
  node: SourceNode;
  /** The white space (or comment) before it in its parent, as written. */
  gap: string;
  html: string;
  attributes: Record<string, string>;
  inner: string;
}

const containerTags = new Set(['mj-body', 'mj-wrapper', 'mj-section', 'mj-group', 'mj-column', 'mj-hero', 'mj-social', 'mj-navbar']);
/** The attributes GrapesJS keeps for itself. */
const internalAttributes = new Set(['id', 'class', 'style']);
/** The head elements that change how the body looks, given to every piece the canvas compiles. */
const canvasHeadTags = new Set(['mj-attributes', 'mj-style', 'mj-font', 'mj-breakpoint']);

const labelStyle =
  'font:12px/1.45 system-ui,sans-serif;color:#5b5147;background:#f3efe9;border:1px dashed #b9ada0;border-radius:6px;padding:8px 12px;margin:6px 0;direction:ltr;text-align:left;';

/** What the canvas shows for a placeholder: the shared header or footer as it looks, or the code kept as it is. */
const labelFor = (partials: Record<string, string>, compile: (mjml: string) => string | undefined) => (piece: Piece) => {
  const render = /^\{%-?\s*render\s+['"]([\w-]+)['"]/.exec(piece.text);
  if (render) {
    const name = render[1]!;
    const shown = partials[name] !== undefined ? compile(partials[name]!.replace(/\{%-?\s*comment\s*-?%\}[\s\S]*?\{%-?\s*endcomment\s*-?%\}/g, '')) : undefined;
    const badge = `<div style="${labelStyle}margin:0;border-style:none;background:none;padding:2px 0;color:#8a7f75;">Shared ${escapeHtml(name)}: the same in every email. Change it with <b>${escapeHtml(name.charAt(0).toUpperCase() + name.slice(1))}</b> under “Shared in every email”.</div>`;
    return `<div style="pointer-events:none;">${shown ?? ''}${badge}</div>`;
  }
  const summary = piece.text.replace(/\s+/g, ' ').trim();
  const what = piece.kind === 'element' ? 'Kept as code (switch to Code to change it):' : 'Template code:';
  return `<div style="${labelStyle}"><b>${what}</b> <code>${escapeHtml(summary.length > 160 ? `${summary.slice(0, 157)}...` : summary)}</code></div>`;
};

const attributesOf = (component: Component): Record<string, string> => {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries((component.get('attributes') ?? {}) as Record<string, unknown>)) {
    if (internalAttributes.has(name) || value === undefined || value === null || value === '') continue;
    attributes[name] = String(value);
  }
  const src = component.get('src') as string | undefined;
  if (src && component.get('type') === 'mj-image') attributes.src = src;
  return attributes;
};

/** Children that are part of the MJML: white space between elements is not. */
const childrenOf = (component: Component) =>
  component.components().filter((child: Component) => !(child.get('type') === 'textnode' && !String(child.get('content') ?? '').trim()));

const sourceChildren = (element: SourceElement) => element.children.filter((node) => node.kind !== 'liquid');

/** A start tag with changed attributes changed in place, removed ones removed and new ones at its end. */
const mergeStartTag = (text: string, element: SourceElement, base: Record<string, string>, now: Record<string, string>) => {
  const edits: { from: number; to: number; insert: string }[] = [];
  const written = new Set<string>();
  const quote = (value: string) => `"${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`;
  for (const attribute of element.attrs) {
    written.add(attribute.name);
    if (!(attribute.name in base)) continue;
    if (!(attribute.name in now)) {
      let from = attribute.start;
      while (from > 0 && /\s/.test(text[from - 1]!)) from--;
      edits.push({ from, to: attribute.end, insert: '' });
    } else if (now[attribute.name] !== base[attribute.name]) {
      edits.push({ from: attribute.start, to: attribute.end, insert: `${attribute.name}=${quote(now[attribute.name]!)}` });
    }
  }
  const added = Object.entries(now).filter(([name, value]) => !written.has(name) && base[name] !== value);
  const close = element.selfClosing ? element.openEnd - 2 : element.openEnd - 1;
  let tagEnd = close;
  while (tagEnd > element.start && /\s/.test(text[tagEnd - 1]!)) tagEnd--;
  if (added.length) edits.push({ from: tagEnd, to: tagEnd, insert: added.map(([name, value]) => ` ${name}=${quote(value)}`).join('') });
  let tag = text.slice(element.start, element.openEnd);
  for (const edit of edits.sort((a, b) => b.from - a.from)) {
    tag = tag.slice(0, edit.from - element.start) + edit.insert + tag.slice(edit.to - element.start);
  }
  return tag;
};

export const createVisualEditor = (container: HTMLElement, onChange: () => void): VisualEditor => {
  container.replaceChildren();
  const canvasEl = Object.assign(document.createElement('div'), { className: 'visual-canvas' });
  const side = Object.assign(document.createElement('aside'), { className: 'visual-side' });
  const panes = {
    style: Object.assign(document.createElement('div'), { className: 'visual-pane' }),
    settings: Object.assign(document.createElement('div'), { className: 'visual-pane' }),
    add: Object.assign(document.createElement('div'), { className: 'visual-pane' }),
    layers: Object.assign(document.createElement('div'), { className: 'visual-pane' }),
  };
  const paneNames: Record<keyof typeof panes, string> = { style: 'Style', settings: 'Link & image', add: 'Add', layers: 'Layers' };
  const tabs = Object.assign(document.createElement('div'), { className: 'visual-tabs', role: 'tablist' });
  const selectPane = (name: keyof typeof panes) => {
    for (const [key, pane] of Object.entries(panes)) pane.hidden = key !== name;
    for (const tab of tabs.querySelectorAll<HTMLButtonElement>('button')) tab.setAttribute('aria-selected', String(tab.dataset.pane === name));
  };
  for (const name of Object.keys(panes) as (keyof typeof panes)[]) {
    const tab = Object.assign(document.createElement('button'), { type: 'button', textContent: paneNames[name], role: 'tab' });
    tab.dataset.pane = name;
    tab.addEventListener('click', () => selectPane(name));
    tabs.append(tab);
  }
  const hint = Object.assign(document.createElement('p'), {
    className: 'visual-hint',
    textContent: 'Click a text to change it, or select a block to change its colours. Values such as {{ customer.firstName }} are filled in for each customer.',
  });
  side.append(tabs, hint, ...Object.values(panes));
  container.append(canvasEl, side);
  selectPane('style');

  const editor: Editor = grapesjs.init({
    container: canvasEl,
    height: '100%',
    width: 'auto',
    fromElement: false,
    storageManager: false,
    telemetry: false,
    // No icon font from a CDN: the studio runs offline, and these panels have words.
    cssIcons: '',
    panels: { defaults: [] },
    styleManager: { appendTo: panes.style },
    traitManager: { appendTo: panes.settings },
    layerManager: { appendTo: panes.layers },
    blockManager: { appendTo: panes.add },
    assetManager: { upload: false },
    deviceManager: { devices: [{ id: 'desktop', name: 'Desktop', width: '' }] },
    plugins: [grapesjsMjml],
    pluginsOpts: {
      [grapesjsMjml as unknown as string]: {
        blocks: ['mj-1-column', 'mj-2-columns', 'mj-text', 'mj-button', 'mj-image', 'mj-divider', 'mj-spacer'],
        // A new image shows this until the marketer gives its address: nothing fetched from the internet.
        imagePlaceholderSrc: `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="600" height="300"><rect width="600" height="300" fill="#e9e5df"/><text x="300" y="158" font-family="sans-serif" font-size="22" fill="#7a716a" text-anchor="middle">Image: set its address under Link &amp; image</text></svg>')}`,
        resetDevices: false,
        resetStyleManager: false,
        overwriteExport: false,
        useCustomTheme: false,
      },
    },
  });

  // GrapesJS's own defaults for MJML attributes are MJML's, not the template's (its mj-attributes):
  // with none, the canvas shows the attributes as written and the head's defaults.
  for (const type of editor.Components.getTypes()) {
    if (!String(type.id).startsWith('mj')) continue;
    editor.Components.addType(String(type.id), { model: { defaults: { 'style-default': {} } } });
  }
  editor.Components.addType('mj-image', { model: { defaults: { traits: [{ name: 'src', label: 'Image address', changeProp: true }, 'alt', 'href', 'title'] } } });
  editor.Components.addType('mj-button', { model: { defaults: { traits: [{ name: 'href', label: 'Link' }] } } });

  /** The template's head and `<mjml>` attributes, in every piece the canvas compiles. */
  let canvasRoot = '<mjml>';
  for (const type of editor.Components.getTypes()) {
    if (!String(type.id).startsWith('mj')) continue;
    const proto = (type.view as { prototype: { getMjmlTemplate?: () => { start: string; end: string } } } | undefined)?.prototype;
    const own = proto?.getMjmlTemplate;
    if (!proto || !own) continue;
    proto.getMjmlTemplate = function (this: unknown) {
      const template = own.call(this);
      return template.start.startsWith('<mjml>') && !template.start.includes('<mj-head') ? { ...template, start: canvasRoot + template.start.slice('<mjml>'.length) } : template;
    };
  }

  // A few words a marketer knows, in place of GrapesJS's CSS sectors (MJML attributes, not CSS).
  editor.onReady(() => {
    const sm = editor.StyleManager;
    sm.getSectors().reset();
    sm.addSector('text', {
      name: 'Text',
      open: true,
      properties: [
        { property: 'color', type: 'color', label: 'Colour' },
        { property: 'font-size', type: 'number', units: ['px'], label: 'Size' },
        { property: 'font-weight', type: 'select', label: 'Weight', default: '', options: [{ id: '', label: 'As the template says' }, { id: '400', label: 'Normal' }, { id: '700', label: 'Bold' }] },
        { property: 'font-family', label: 'Font' },
        { property: 'line-height', type: 'number', units: ['px', '%'], label: 'Line height' },
        { property: 'letter-spacing', type: 'number', units: ['px'], label: 'Letter spacing' },
        {
          property: 'align',
          type: 'select',
          label: 'Alignment',
          default: '',
          options: [{ id: '', label: 'As the template says' }, { id: 'left', label: 'Left' }, { id: 'center', label: 'Centre' }, { id: 'right', label: 'Right' }],
        },
      ],
    } as never);
    sm.addSector('box', {
      name: 'Background & shape',
      open: true,
      properties: [
        { property: 'background-color', type: 'color', label: 'Background' },
        { property: 'container-background-color', type: 'color', label: 'Background around it' },
        { property: 'border-radius', label: 'Rounded corners' },
        { property: 'border', label: 'Border' },
      ],
    } as never);
    sm.addSector('size', {
      name: 'Size & spacing',
      open: false,
      properties: [
        { property: 'width', label: 'Width' },
        { property: 'height', label: 'Height' },
        { property: 'padding', label: 'Padding (top right bottom left)' },
      ],
    } as never);
  });

  let source = '';
  let body: SourceElement | undefined;
  let guarded = '';
  let guardedBody: SourceElement | undefined;
  let loaded = '';
  let dir = 'ltr';
  let origins = new WeakMap<Component, Origin>();
  /** While loading, GrapesJS's own events are not the marketer's changes. */
  let loading = false;

  const compile = (mjml: string) => {
    try {
      const result = editor.runCommand('mjml-code-to-html', { mjml: `${canvasRoot}<mj-body>${mjml}</mj-body></mjml>` }) as { html: string };
      return /<body[^>]*>([\s\S]*)<\/body>/.exec(result.html)?.[1];
    } catch {
      return undefined;
    }
  };

  const applyDirection = () => {
    const doc = editor.Canvas.getDocument();
    if (!doc?.documentElement) return;
    doc.documentElement.dir = dir;
    if (doc.body) doc.body.dir = dir;
  };
  editor.on('canvas:frame:load', applyDirection);

  /** Pairs GrapesJS's components with the source they were read from. */
  const remember = (component: Component, node: SourceNode, gap: string) => {
    const element = node.kind === 'element' ? node : undefined;
    origins.set(component, { source: element, node, gap, html: component.toHTML(), attributes: attributesOf(component), inner: innerOf(component) });
    if (!element || element.ending || !containerTags.has(element.tag)) return;
    const kids = childrenOf(component);
    const nodes = sourceChildren(element);
    if (kids.length !== nodes.length) return;
    let previous = element.openEnd;
    nodes.forEach((child, i) => {
      const kid = kids[i]!;
      const gapBefore = guarded.slice(previous, child.start);
      previous = child.end;
      const matches =
        child.kind === 'element' ? kid.get('tagName') === child.tag : child.kind === 'comment' ? kid.get('type') === 'comment' : kid.get('type') === 'textnode';
      if (matches) remember(kid, child, gapBefore);
    });
  };

  /** The component's content as MJML, or, while its text is being typed in, as the canvas has it. */
  const innerOf = (component: Component): string => {
    const view = component.view as (typeof component.view & { rteEnabled?: boolean; getChildrenContainer?: () => HTMLElement }) | undefined;
    if (view?.rteEnabled && view.getChildrenContainer) return cleanCanvasHtml(view.getChildrenContainer().innerHTML);
    return String(component.get('content') ?? '') + component.components().map((child: Component) => child.toHTML()).join('');
  };

  /** Typed text, read from the canvas: without GrapesJS's ids and markers. */
  const cleanCanvasHtml = (html: string) => {
    const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
    for (const element of doc.body.querySelectorAll('*')) {
      for (const name of [...element.getAttributeNames()]) {
        if (name === 'id' || name.startsWith('data-gjs') || name === 'contenteditable' || name === 'draggable' || name === 'spellcheck') element.removeAttribute(name);
      }
      const cls = element.getAttribute('class');
      if (cls !== null) {
        const kept = cls.split(/\s+/).filter((c) => c && !c.startsWith('gjs-'));
        if (kept.length) element.setAttribute('class', kept.join(' '));
        else element.removeAttribute('class');
      }
    }
    return [...doc.body.childNodes].map((node) => (node.nodeType === Node.TEXT_NODE ? escapeText(node.textContent ?? '') : node.nodeType === Node.ELEMENT_NODE ? voidClosed((node as Element).outerHTML) : '')).join('');
  };
  const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const voidClosed = (html: string) => html.replace(/<(br|hr|img)([^>]*?)\s*\/?>/gi, '<$1$2/>');

  const indentOf = (gap: string) => /[^\S\n]*$/.exec(gap)?.[0] ?? '';

  /** A component the source does not have (added, or copied): its MJML, one element a line. */
  const fresh = (component: Component, indent: string): string => {
    const type = String(component.get('type'));
    const tag = String(component.get('tagName') ?? type);
    if (!containerTags.has(tag)) return component.toHTML();
    const attributes = Object.entries(attributesOf(component))
      .map(([name, value]) => ` ${name}="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`)
      .join('');
    const kids = childrenOf(component);
    if (!kids.length) return `<${tag}${attributes}></${tag}>`;
    return `<${tag}${attributes}>${kids.map((kid) => `\n${indent}  ${fresh(kid, `${indent}  `)}`).join('')}\n${indent}</${tag}>`;
  };

  /** The component as MJML: the source's own text wherever GrapesJS changed nothing. */
  const emit = (component: Component, indent: string): string => {
    const origin = origins.get(component);
    if (!origin) return fresh(component, indent);
    const { source: element, node } = origin;
    const html = component.toHTML();
    // While a text is typed in, its model (and its parents') still has the text before.
    const editing = editor.getEditing();
    const typedIn = editing !== null && editing !== undefined && (editing === component || editing.parents().includes(component));
    if (html === origin.html && !typedIn) return guarded.slice(node.start, node.end);
    if (!element) return html;
    const startTag = mergeStartTag(guarded, element, origin.attributes, attributesOf(component));
    if (element.selfClosing) return startTag;
    const endTag = guarded.slice(element.closeStart, element.end);
    if (!containerTags.has(element.tag)) {
      const inner = innerOf(component);
      const written = guarded.slice(element.openEnd, element.closeStart);
      // The canvas drops the white space at a text's ends (it shows nothing): the file keeps its own.
      const edges = (text: string) => [/^\s*/.exec(text)![0], /\s*$/.exec(text)![0]] as const;
      const [lead, trail] = edges(origin.inner);
      const kept = inner.trim() ? lead + inner.trim() + trail : inner;
      return startTag + (kept === origin.inner ? written : spliceEdit(written, origin.inner, kept)) + endTag;
    }
    const nodes = sourceChildren(element);
    const ownIndent = nodes.length ? indentOf(guarded.slice(element.openEnd, nodes[0]!.start)) : `${indent}  `;
    const trailing = guarded.slice(nodes.length ? nodes.at(-1)!.end : element.openEnd, element.closeStart);
    let out = startTag;
    for (const kid of childrenOf(component)) {
      const kidOrigin = origins.get(kid);
      out += (kidOrigin ? kidOrigin.gap : `\n${ownIndent}`) + emit(kid, ownIndent);
    }
    return out + (trailing || (childrenOf(component).length ? `\n${indent}` : '')) + endTag;
  };

  const bodyComponent = () => editor.getWrapper()?.findType('mj-body')[0];

  const text = () => {
    const component = bodyComponent();
    if (!body || !guardedBody || !component) return source;
    const out = restore(emit(component, indentOf(source.slice(0, body.start))));
    return source.slice(0, body.start) + out + source.slice(body.end);
  };

  let changeTimer: ReturnType<typeof setTimeout> | undefined;
  const changed = () => {
    if (loading) return;
    clearTimeout(changeTimer);
    changeTimer = setTimeout(onChange, 0);
  };
  // Ctrl+S in the canvas (its own document) saves, as it does everywhere else on the page.
  editor.Keymaps.add('studio:save', '⌘+s, ctrl+s', () => {
    container.dispatchEvent(new KeyboardEvent('keydown', { key: 's', ctrlKey: true, bubbles: true }));
  }, { prevent: true });
  editor.on('update', changed);
  editor.on('component:input', changed);

  const placeholderRaws = () => (editor.getWrapper()?.findType('mj-raw') ?? []).filter((raw) => placeholderText(raw.toHTML()) !== undefined);

  return {
    load(text, options = {}) {
      let nodes: SourceNode[];
      try {
        nodes = parseMjml(text);
      } catch (error) {
        throw new VisualUnavailable(`The visual editor cannot read this MJML (${(error as Error).message}): fix it in Code first.`);
      }
      const root = findElement(nodes, 'mjml');
      const found = findElement(nodes, 'mj-body');
      if (!found) throw new VisualUnavailable('This template has no <mj-body>: the visual editor shows the body of an email.');
      const head = findElement(nodes, 'mj-head');
      const headParts = head ? head.children.filter((n): n is SourceElement => n.kind === 'element' && canvasHeadTags.has(n.tag)).map((n) => text.slice(n.start, n.end)) : [];
      dir = root?.attrs.find((a) => a.name === 'dir')?.value === 'rtl' ? 'rtl' : 'ltr';
      const rootAttributes = (root?.attrs ?? []).filter((a) => a.name === 'dir' || a.name === 'lang').map((a) => ` ${a.name}="${escapeHtml(a.value)}"`).join('');
      canvasRoot = `<mjml${rootAttributes}>${headParts.length ? `<mj-head>${headParts.join('').replace(/\{[{%][\s\S]*?[}%]\}/g, '')}</mj-head>` : ''}`;

      source = text;
      body = found;
      guarded = protect(text.slice(found.start, found.end), { label: labelFor(options.partials ?? {}, compile) });
      guardedBody = findElement(parseMjml(guarded), 'mj-body');
      loading = true;
      try {
        editor.select();
        editor.setComponents(`<mjml>${guarded}</mjml>`);
        editor.UndoManager.clear();
        origins = new WeakMap();
        const component = bodyComponent();
        if (component && guardedBody) remember(component, guardedBody, '');
        // Placeholders are moved or removed whole; what they show is not for editing.
        for (const raw of placeholderRaws()) {
          raw.set({ copyable: false, name: 'Template code' });
          for (const inner of raw.find('*')) inner.set({ selectable: false, hoverable: false, editable: false, draggable: false, droppable: false, layerable: false });
        }
      } finally {
        loading = false;
      }
      applyDirection();
      loaded = this.text();
      if (loaded !== text) console.warn('visual mode: the body does not come back as it was loaded');
    },
    text,
    grapes: editor,
    async flush() {
      const view = editor.getEditing()?.view as { rteEnabled?: boolean; disableEditing?: () => Promise<void> } | undefined;
      if (view?.rteEnabled && view.disableEditing) await view.disableEditing();
    },
  };
};
