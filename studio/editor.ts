/** The body editor: CodeMirror 6 with HTML highlighting, and the checker's problems as diagnostics. */
import { html } from '@codemirror/lang-html';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorSelection, EditorState } from '@codemirror/state';
import { basicSetup, EditorView } from 'codemirror';
import type { Problem } from './api';

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
  showProblems(problems: Problem[]): void;
  reveal(line: number, column?: number): void;
}

export const createEditor = (parent: HTMLElement, onChange: () => void): BodyEditor => {
  const extensions = [
    basicSetup,
    html(),
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
