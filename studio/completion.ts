/**
 * The variables a template can use, offered where the marketer types them:
 * after `{{` or `{%` in the body editor (CodeMirror's autocompletion) and in
 * the subject and preheader fields (a small list under the field). Each shows
 * its value for the first sample customer, from `GET /api/variables`.
 */
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import type { VariablesResponse } from './api';

export type Variable = VariablesResponse['variables'][number];

/** The word being typed after an open `{{` or `{%` on the text before the cursor, if any. */
export const liquidWordBefore = (before: string) => {
  const open = Math.max(before.lastIndexOf('{{'), before.lastIndexOf('{%'));
  if (open < 0) return undefined;
  const inside = before.slice(open);
  if (/\}\}|%\}/.test(inside)) return undefined;
  const word = /[\w.]*$/.exec(inside)![0];
  return { word, from: before.length - word.length, tag: inside.startsWith('{%') };
};

/** Variables matching a typed word: those that start with it first, then those that contain it. */
export const matching = (variables: Variable[], word: string) => {
  const lower = word.toLowerCase();
  const starts = variables.filter((v) => v.path.toLowerCase().startsWith(lower));
  const contains = variables.filter((v) => !v.path.toLowerCase().startsWith(lower) && v.path.toLowerCase().includes(lower));
  return [...starts, ...contains];
};

const example = (v: Variable) => (v.example === '' ? '(empty)' : v.example);

/** The CodeMirror completion source, reading the current list each time. */
export const variableCompletions =
  (variables: () => Variable[]) =>
  (context: CompletionContext): CompletionResult | null => {
    const line = context.state.doc.lineAt(context.pos);
    const found = liquidWordBefore(line.text.slice(0, context.pos - line.from));
    if (!found) return null;
    if (!found.word && !context.explicit && !/[{%]\s*$|[{%]-\s*$/.test(line.text.slice(0, context.pos - line.from))) return null;
    const list = variables();
    if (!list.length) return null;
    // Closing brackets typed already (or added by the editor): a space before them.
    const closed = /^[}%]/.test(context.state.sliceDoc(context.pos, context.pos + 1));
    const options: Completion[] = list.map((v) => ({
      label: v.path,
      apply: closed ? `${v.path} ` : v.path,
      detail: example(v),
      type: 'variable',
      boost: v.path.startsWith('customer.') ? 1 : 0,
    }));
    return { from: line.from + found.from, options, validFor: /^[\w.]*$/ };
  };

/**
 * A list of variables under a one-line input, while the text before the caret
 * is inside `{{ … `: arrows move, Enter or Tab inserts, Escape closes.
 */
export const attachSuggestions = (input: HTMLInputElement, variables: () => Variable[], onInsert: () => void) => {
  const list = Object.assign(document.createElement('ul'), { className: 'suggestions', role: 'listbox', hidden: true });
  list.id = `${input.id}-suggestions`;
  input.setAttribute('aria-controls', list.id);
  input.insertAdjacentElement('afterend', list);
  let shown: Variable[] = [];
  let active = 0;
  let word: { from: number; word: string } | undefined;

  const close = () => {
    list.hidden = true;
    shown = [];
    input.removeAttribute('aria-activedescendant');
  };

  const render = () => {
    list.replaceChildren(
      ...shown.map((v, i) => {
        const item = Object.assign(document.createElement('li'), { role: 'option', id: `${list.id}-${i}` });
        item.setAttribute('aria-selected', String(i === active));
        const path = Object.assign(document.createElement('code'), { textContent: v.path });
        const value = Object.assign(document.createElement('span'), { className: 'suggestion-example', textContent: example(v) });
        item.append(path, value);
        // mousedown, not click: the input keeps its focus and caret.
        item.addEventListener('mousedown', (event) => {
          event.preventDefault();
          active = i;
          insert();
        });
        return item;
      }),
    );
    input.setAttribute('aria-activedescendant', `${list.id}-${active}`);
    list.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  };

  const update = () => {
    const caret = input.selectionStart ?? input.value.length;
    const found = liquidWordBefore(input.value.slice(0, caret));
    if (!found) return close();
    word = found;
    shown = matching(variables(), found.word).slice(0, 50);
    if (!shown.length || (shown.length === 1 && shown[0]!.path === found.word)) return close();
    active = Math.min(active, shown.length - 1);
    list.hidden = false;
    render();
  };

  const insert = () => {
    const chosen = shown[active];
    if (!chosen || !word) return;
    const caret = input.selectionStart ?? input.value.length;
    const after = input.value.slice(caret);
    const closer = /^\s*[}%]\}/.test(after) ? '' : word && /\{%/.test(input.value.slice(0, word.from).slice(-40)) && input.value.lastIndexOf('{%', word.from) > input.value.lastIndexOf('{{', word.from) ? ' %}' : ' }}';
    const text = chosen.path + closer;
    input.setRangeText(text, word.from, caret, 'end');
    close();
    onInsert();
  };

  input.addEventListener('input', () => {
    active = 0;
    update();
  });
  input.addEventListener('click', update);
  input.addEventListener('blur', close);
  input.addEventListener('keydown', (event) => {
    if (list.hidden) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      active = (active + (event.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length;
      render();
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      event.preventDefault();
      insert();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close();
    }
  });
};
