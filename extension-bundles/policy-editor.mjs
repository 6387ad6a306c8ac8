// The console's policy editor: CodeMirror 6 with JSON highlighting, line numbers, history and
// bracket matching, and the engine's diagnostics shown inline at their line. Bundled by
// scripts/package.mjs into pages/policy-editor.js (the extension loads no code from a CDN).
//
// createPolicyEditor(parent, {doc, label, onChange}) returns {value, setProblem(problem),
// setReadOnly(locked), focus()}; the object is also `parent.editor`, for the page's tests.
import { EditorState, Compartment } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput } from '@codemirror/language';
import { json } from '@codemirror/lang-json';
import { lintGutter, setDiagnostics } from '@codemirror/lint';

const theme = EditorView.theme({
  '&': { fontSize: '13px', backgroundColor: 'transparent', color: 'var(--fg)' },
  '.cm-scroller': { fontFamily: 'ui-monospace, monospace', lineHeight: '18px', maxHeight: '480px', minHeight: '240px' },
  '.cm-gutters': { backgroundColor: 'var(--tint)', color: 'var(--muted)', border: 'none' },
  '.cm-activeLine': { backgroundColor: 'rgb(127 127 127 / 8%)' },
  '.cm-activeLineGutter': { backgroundColor: 'rgb(127 127 127 / 16%)' },
  '&.cm-focused': { outline: '3px solid #f59e0b', outlineOffset: '2px' },
  '.cm-content': { caretColor: 'var(--fg)' },
});

export function createPolicyEditor(parent, { doc = '', label = '', onChange = () => {} } = {}) {
  const editable = new Compartment();
  let view;
  const state = () => EditorState.create({
    doc,
    extensions: [
      lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), drawSelection(), history(), indentOnInput(),
      bracketMatching(), syntaxHighlighting(defaultHighlightStyle, { fallback: true }), json(), lintGutter(),
      keymap.of([...defaultKeymap, ...historyKeymap]), theme,
      editable.of([EditorView.editable.of(true), EditorState.readOnly.of(false)]),
      EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true', spellcheck: 'false' }),
      EditorView.updateListener.of((u) => { if (u.docChanged) onChange(u.state.doc.toString()); }),
    ],
  });
  view = new EditorView({ state: state(), parent });

  const api = {
    view,
    get value() {
      return view.state.doc.toString();
    },
    set value(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    // The engine's problem ({message, line, column}) at its place, or none.
    setProblem(problem) {
      const diagnostics = [];
      if (problem) {
        const doc = view.state.doc;
        const line = doc.line(Math.min(Math.max(problem.line ?? 1, 1), doc.lines));
        const from = Math.min(line.from + Math.max((problem.column ?? 1) - 1, 0), line.to);
        diagnostics.push({ from, to: Math.max(line.to, from), severity: 'error', message: problem.message });
      }
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    setReadOnly(locked) {
      view.dispatch({ effects: editable.reconfigure([EditorView.editable.of(!locked), EditorState.readOnly.of(locked)]) });
    },
    focus: () => view.focus(),
  };
  parent.editor = api;
  return api;
}
