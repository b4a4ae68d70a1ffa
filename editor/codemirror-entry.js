// The parts of CodeMirror 6 that dxkg's query editor uses, exposed as one global, window.DxkgCodeMirror.
// dxkg/web/static/query-editor.js builds the editor from them; this file holds no dxkg logic, so the
// bundle is rebuilt only when CodeMirror is upgraded (see editor/README.md).
import { EditorState, Compartment } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
  highlightSpecialChars, placeholder,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import {
  StreamLanguage, syntaxHighlighting, HighlightStyle, bracketMatching, indentOnInput,
} from "@codemirror/language";
import { autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { tags } from "@lezer/highlight";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";

window.DxkgCodeMirror = Object.freeze({
  EditorState, Compartment,
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
  highlightSpecialChars, placeholder,
  defaultKeymap, history, historyKeymap,
  StreamLanguage, syntaxHighlighting, HighlightStyle, bracketMatching, indentOnInput,
  autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap,
  tags,
  sparqlMode: sparql,
});
