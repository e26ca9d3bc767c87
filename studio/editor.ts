/**
 * The body editor: CodeMirror 6 with HTML highlighting, the checker's problems
 * as diagnostics, and the template's variables offered after `{{` and `{%`.
 */
import { autocompletion } from '@codemirror/autocomplete';
import { html, htmlCompletionSource } from '@codemirror/lang-html';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorSelection, EditorState } from '@codemirror/state';
import { basicSetup, EditorView } from 'codemirror';
import type { Problem } from './api';
import { variableCompletions, type Variable } from './completion';

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '13px', backgroundColor: '#fff' },
  '.cm-scroller': { fontFamily: 'ui-monospace, "SF Mono", Menlo, Consolas, monospace', lineHeight: '1.55' },
  '.cm-gutters': { backgroundColor: '#faf9f7', borderRight: '1px solid #ece8e3', color: '#a49d96' },
  '.cm-activeLineGutter, .cm-activeLine': { backgroundColor: '#f6f3ff' },
  '&.cm-focused': { outline: 'none' },
});

export interface BodyEditor {
  readonly text: string;
  /** Replaces the document and its undo history: another file. */
  load(text: string): void;
  /** Changes the document to `text` as one edit the marketer can undo (the visual mode's changes). */
  replace(text: string): void;
  /** The variables offered after `{{` and `{%`. */
  setVariables(variables: Variable[]): void;
  showProblems(problems: Problem[]): void;
  reveal(line: number, column?: number): void;
}

export const createEditor = (parent: HTMLElement, onChange: () => void): BodyEditor => {
  let variables: Variable[] = [];
  const variableSource = variableCompletions(() => variables);
  const extensions = [
    basicSetup,
    html(),
    // Inside {{ }} or {% %}, the variables; elsewhere the HTML completions basicSetup's autocompletion would offer.
    autocompletion({ override: [(context) => variableSource(context) ?? htmlCompletionSource(context)] }),
    lintGutter(),
    EditorView.lineWrapping,
    theme,
    EditorView.contentAttributes.of({ 'aria-label': 'Email body (MJML)' }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) onChange();
    }),
  ];
  const view = new EditorView({ parent, state: EditorState.create({ doc: '', extensions }) });

  /** A problem's range: the word (a variable's dotted name) at its column, else the line's text. */
  const rangeOf = (problem: Problem) => {
    const doc = view.state.doc;
    const line = doc.line(Math.min(Math.max(problem.line ?? 1, 1), doc.lines));
    if (problem.column) {
      const from = Math.min(line.from + problem.column - 1, line.to);
      const word = /^[\w.-]+/.exec(line.text.slice(from - line.from));
      return { from, to: word ? from + word[0].length : Math.min(from + 1, line.to) };
    }
    const indent = /^\s*/.exec(line.text)![0].length;
    return { from: line.from + indent, to: line.to };
  };

  return {
    get text() {
      return view.state.doc.toString();
    },
    load(text) {
      view.setState(EditorState.create({ doc: text, extensions }));
    },
    replace(text) {
      const old = view.state.doc.toString();
      if (old === text) return;
      // Only the changed stretch: the cursor, folds and marks elsewhere stay.
      let from = 0;
      while (from < old.length && from < text.length && old[from] === text[from]) from++;
      let end = 0;
      while (end < old.length - from && end < text.length - from && old[old.length - 1 - end] === text[text.length - 1 - end]) end++;
      view.dispatch({ changes: { from, to: old.length - end, insert: text.slice(from, text.length - end) } });
    },
    setVariables(list) {
      variables = list;
    },
    showProblems(problems) {
      const diagnostics: Diagnostic[] = problems
        .filter((problem) => problem.field === 'body' && problem.line !== undefined)
        .map((problem) => ({ ...rangeOf(problem), severity: 'error', message: problem.message, source: 'check' }));
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    reveal(line, column) {
      const { from } = rangeOf({ field: 'body', line, column, message: '' });
      view.dispatch({ selection: EditorSelection.cursor(from), effects: EditorView.scrollIntoView(from, { y: 'center' }) });
      view.focus();
    },
  };
};
