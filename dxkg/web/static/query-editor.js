// The SPARQL query editor on /sparql, a progressive enhancement of a plain form that GETs /sparql:
// - the textarea becomes a CodeMirror 6 editor (vendor/codemirror.js, served by dxkg) with SPARQL
//   highlighting and completion of prefixes, prefixed names, keywords and variables;
// - "Run" fetches the server's own results section (POST format=html) and swaps it in, so the table
//   (labels, entity links, download links in every format) is the one the server renders, and
//   sortable.js makes it sortable;
// - the page URL becomes /sparql?query=... after each run (a shareable link that reopens the query
//   with its results), shown with a copy button;
// - example queries load into the editor.
// Ctrl+Enter (Cmd+Enter) runs the query. Tab leaves the editor, so keyboard users are never trapped.
(function () {
  "use strict";

  const form = document.getElementById("sparql-form");
  if (!form) {
    return;
  }
  const textarea = form.querySelector("textarea[name=query]");
  const formatSelect = form.querySelector("select[name=format]");
  const endpoint = form.getAttribute("action");
  const prefixes = JSON.parse(form.dataset.prefixes || "{}");
  const lang = document.documentElement.lang === "en" ? "en" : "vi";
  const share = document.getElementById("share");
  const shareUrl = document.getElementById("share-url");
  const copyButton = document.getElementById("share-copy");

  // Terms for prefixed-name completion, asked of this endpoint once and only when first needed.
  const VOCABULARY_QUERY = "SELECT DISTINCT ?term WHERE { { [] ?term [] } UNION { [] a ?term } }";
  const LABELLED_QUERY = "SELECT ?term (SAMPLE(?l) AS ?label) WHERE { ?term rdfs:label ?l . "
    + "FILTER(isIRI(?term) && STRSTARTS(STR(?term), ?ns) && LANG(?l) = ?lang) } GROUP BY ?term LIMIT 2000";
  const KEYWORDS = ["SELECT", "DISTINCT", "WHERE", "PREFIX", "BASE", "CONSTRUCT", "DESCRIBE", "ASK",
    "FROM", "NAMED", "GRAPH", "OPTIONAL", "FILTER", "UNION", "MINUS", "BIND", "VALUES", "GROUP BY",
    "ORDER BY", "HAVING", "LIMIT", "OFFSET", "ASC", "DESC", "AS", "COUNT", "SUM", "MIN", "MAX", "AVG",
    "SAMPLE", "GROUP_CONCAT", "SEPARATOR", "LANG", "LANGMATCHES", "STR", "STRSTARTS", "CONTAINS",
    "REGEX", "LCASE", "UCASE", "YEAR", "COALESCE", "IF", "EXISTS", "NOT EXISTS", "IN", "isIRI",
    "isLiteral", "BOUND", "DATATYPE", "CONCAT"];

  let view = null;
  const cm = window.DxkgCodeMirror;
  if (cm) {
    view = createEditor(cm);
  }

  function queryText() {
    return view ? view.state.doc.toString() : textarea.value;
  }

  function setQueryText(text) {
    textarea.value = text;
    if (view) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    }
  }

  function focusEditor() {
    if (view) {
      view.focus();
    } else {
      textarea.focus();
    }
  }

  // --- Running a query in place -------------------------------------------------------------------

  form.addEventListener("submit", function (event) {
    textarea.value = queryText();
    if (formatSelect.value !== "html") {
      return; // a download format: the browser GETs it
    }
    event.preventDefault();
    if (!textarea.value.trim()) {
      focusEditor();
      return;
    }
    run(textarea.value);
  });

  function pagePath(query) {
    const params = new URLSearchParams({ query: query });
    if (lang === "en") {
      params.set("lang", "en");
    }
    return endpoint + "?" + params.toString();
  }

  async function run(query) {
    const results = document.getElementById("results");
    results.hidden = false;
    results.setAttribute("aria-busy", "true");
    document.getElementById("results-status").textContent = form.dataset.msgRunning;
    let page;
    try {
      const response = await fetch(endpoint + "?lang=" + lang, {
        method: "POST",
        headers: { "Accept": "text/html", "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ query: query, format: "html" }),
      });
      page = new DOMParser().parseFromString(await response.text(), "text/html");
    } catch (error) {
      showError(form.dataset.msgFailed + " " + String(error));
      return;
    }
    const fresh = page.getElementById("results");
    if (!fresh) {
      const message = page.querySelector("main") || page.body;
      showError(message ? message.textContent.trim() : form.dataset.msgFailed);
      return;
    }
    // Swap the children, not the section, so it stays the same live region for screen readers.
    results.replaceChildren.apply(results, Array.from(fresh.childNodes, function (node) {
      return document.importNode(node, true);
    }));
    results.removeAttribute("aria-busy");
    if (window.DxkgSortable) {
      window.DxkgSortable.enhanceAll(results);
    }
    history.replaceState(null, "", pagePath(query));
    keepLanguageSwitchHere();
    showShare();
  }

  // The language switch comes back to the page it was clicked on (?next=): now this query's page.
  function keepLanguageSwitchHere() {
    document.querySelectorAll("a.lang-switch").forEach(function (link) {
      const url = new URL(link.href);
      if (url.searchParams.has("next")) {
        url.searchParams.set("next", window.location.pathname + window.location.search);
        link.href = url.pathname + url.search;
      }
    });
  }

  function showError(message) {
    const results = document.getElementById("results");
    results.removeAttribute("aria-busy");
    document.getElementById("results-status").textContent = form.dataset.msgError;
    const pre = document.createElement("pre");
    pre.className = "error-message";
    pre.setAttribute("role", "alert");
    pre.textContent = message;
    document.getElementById("results-body").replaceChildren(pre);
    const downloads = document.getElementById("downloads");
    if (downloads) {
      downloads.hidden = true;
    }
  }

  // --- A shareable link ---------------------------------------------------------------------------

  function showShare() {
    if (!share) {
      return;
    }
    shareUrl.value = window.location.href;
    share.hidden = false;
  }

  if (share && new URLSearchParams(window.location.search).get("query")) {
    showShare();
  }

  if (copyButton) {
    copyButton.addEventListener("click", async function () {
      shareUrl.select();
      try {
        await navigator.clipboard.writeText(shareUrl.value);
        copyButton.textContent = form.dataset.msgCopied;
      } catch (error) {
        // No clipboard permission (an insecure origin, a denied prompt): the link stays selected.
        copyButton.textContent = form.dataset.msgSelected;
      }
    });
  }

  // --- Example queries ----------------------------------------------------------------------------

  document.querySelectorAll("button.load-example").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      const source = document.getElementById(button.dataset.example);
      if (!source) {
        return;
      }
      setQueryText(source.textContent);
      form.scrollIntoView({ block: "start" });
      focusEditor();
    });
  });

  // --- CodeMirror -----------------------------------------------------------------------------------

  // The editor lives in a shadow root: CodeMirror then styles itself with a constructed stylesheet
  // (adoptedStyleSheets), which a `style-src 'self'` Content-Security-Policy allows, where the
  // <style> element it adds to a document's head would be refused.
  function createEditor(cm) {
    const label = document.getElementById("query-label");
    const help = document.getElementById("query-help");
    const style = cm.HighlightStyle.define([
      { tag: cm.tags.keyword, color: "#a0111f", fontWeight: "600" },
      { tag: cm.tags.standard(cm.tags.variableName), color: "#6639ba" },
      { tag: cm.tags.local(cm.tags.variableName), color: "#8a3300" },
      { tag: cm.tags.atom, color: "#0550ae" },
      { tag: cm.tags.string, color: "#0a3069" },
      { tag: cm.tags.number, color: "#0550ae" },
      { tag: cm.tags.meta, color: "#6639ba" },
      { tag: cm.tags.comment, color: "#57606a", fontStyle: "italic" },
    ]);
    const MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
    const theme = cm.EditorView.theme({
      "&": { fontSize: "0.9rem", color: "#1b1f24", backgroundColor: "#ffffff" },
      "&.cm-focused": { outline: "none" },
      ".cm-scroller": { fontFamily: MONO, lineHeight: "1.4", minHeight: "18rem", maxHeight: "32rem", overflow: "auto" },
      ".cm-content": { caretColor: "#1b1f24" },
      ".cm-gutters": { backgroundColor: "#f6f8fa", color: "#57606a", borderRight: "1px solid #d0d7de" },
      ".cm-activeLine": { backgroundColor: "#f3f6fb" },
      ".cm-activeLineGutter": { backgroundColor: "#e4eaf2", color: "#1b1f24" },
      ".cm-tooltip-autocomplete": { fontFamily: MONO, fontSize: "0.85rem" },
      ".cm-tooltip-autocomplete ul li[aria-selected]": { backgroundColor: "#0b5cad", color: "#ffffff" },
      ".cm-completionDetail": { fontFamily: "system-ui, sans-serif", fontStyle: "normal", marginLeft: "0.8em" },
    });
    const runKeys = cm.keymap.of([{
      key: "Mod-Enter",
      run: function () {
        form.requestSubmit();
        return true;
      },
    }]);
    const state = cm.EditorState.create({
      doc: textarea.value,
      extensions: [
        cm.lineNumbers(),
        cm.highlightActiveLineGutter(),
        cm.highlightSpecialChars(),
        cm.history(),
        cm.drawSelection(),
        cm.indentOnInput(),
        cm.bracketMatching(),
        cm.closeBrackets(),
        cm.highlightActiveLine(),
        cm.StreamLanguage.define(cm.sparqlMode),
        cm.syntaxHighlighting(style),
        theme,
        cm.autocompletion({ override: [complete], icons: false }),
        runKeys,
        cm.keymap.of([].concat(cm.closeBracketsKeymap, cm.defaultKeymap, cm.historyKeymap, cm.completionKeymap)),
        cm.EditorView.lineWrapping,
        // ID references do not cross the shadow root, so the label and the help go in as text.
        cm.EditorView.contentAttributes.of({
          "aria-label": label ? label.textContent.trim() : "SPARQL",
          "aria-description": help ? help.textContent.replace(/\s+/g, " ").trim() : "",
          "spellcheck": "false",
          "autocapitalize": "off",
        }),
        // Typing over a selection that spans highlighted tokens: chromium's own editing would keep
        // their look with style="" attributes, which the page's CSP refuses (and reports); replace
        // the selection ourselves instead. Composition (IME) input is left to the browser.
        cm.EditorView.domEventHandlers({
          beforeinput: function (event, editorView) {
            if (event.inputType !== "insertText" || !event.data || editorView.composing
                || editorView.state.selection.ranges.every(function (r) { return r.empty; })) {
              return false;
            }
            event.preventDefault();
            editorView.dispatch(editorView.state.replaceSelection(event.data),
              { userEvent: "input.type", scrollIntoView: true });
            return true;
          },
        }),
        cm.EditorView.updateListener.of(function (update) {
          if (update.docChanged) {
            textarea.value = update.state.doc.toString();
          }
        }),
      ],
    });
    const host = document.createElement("div");
    host.className = "query-code";
    textarea.after(host);
    const root = host.attachShadow({ mode: "open" });
    const editor = new cm.EditorView({ state: state, parent: root, root: root });
    textarea.hidden = true;
    // A hidden required control cannot show its validation message; the submit handler checks instead.
    textarea.required = false;
    if (label) {
      label.addEventListener("click", function () { editor.focus(); });
    }
    return editor;
  }

  // Completion: `PREFIX sk` -> `skos: <...>`; `sk` -> `skos:`; `dx:Pro` -> `dx:Province`;
  // `province:hau` -> `province:hau-giang` (with its label); `?na` -> the query's variables.
  const vocabulary = { terms: null, pending: null };
  const labelled = new Map();

  async function complete(context) {
    const variable = context.matchBefore(/[?$][\w]*/);
    if (variable) {
      const names = new Set(context.state.doc.toString().match(/[?$][A-Za-z_]\w*/g) || []);
      names.delete(variable.text);
      return {
        from: variable.from,
        options: Array.from(names).map(function (name) { return { label: name, type: "variable" }; }),
        validFor: /^[?$]\w*$/,
      };
    }
    const word = context.matchBefore(/[A-Za-z][\w.-]*:[\w.-]*|[A-Za-z_][\w-]*/);
    if (!word || (word.from === word.to && !context.explicit)) {
      return null;
    }
    const colon = word.text.indexOf(":");
    if (colon >= 0) {
      const prefix = word.text.slice(0, colon);
      if (!(prefix in prefixes)) {
        return null;
      }
      const options = await localNames(prefix);
      return { from: word.from + colon + 1, options: options, validFor: /^[\w.-]*$/ };
    }
    const line = context.state.doc.lineAt(word.from);
    const before = line.text.slice(0, word.from - line.from);
    if (/^\s*PREFIX\s+$/i.test(before)) {
      return {
        from: word.from,
        options: Object.keys(prefixes).map(function (name) {
          return { label: name + ":", apply: name + ": <" + prefixes[name] + ">", detail: prefixes[name], type: "namespace" };
        }),
      };
    }
    const options = Object.keys(prefixes).map(function (name) {
      return { label: name + ":", detail: prefixes[name], type: "namespace", boost: -1 };
    }).concat(KEYWORDS.map(function (k) { return { label: k, type: "keyword" }; }));
    return { from: word.from, options: options, validFor: /^[\w-]*$/ };
  }

  async function localNames(prefix) {
    const ns = prefixes[prefix];
    const terms = await vocabularyTerms();
    const seen = new Set();
    const options = [];
    terms.forEach(function (iri) {
      const local = iri.slice(ns.length);
      if (iri.startsWith(ns) && /^[\w-][\w.-]*$/.test(local) && !seen.has(local)) {
        seen.add(local);
        options.push({ label: local, type: /^[A-Z]/.test(local) ? "class" : "property" });
      }
    });
    if (!labelled.has(ns)) {
      labelled.set(ns, select(LABELLED_QUERY, { ns: JSON.stringify(ns), lang: JSON.stringify(lang) })
        .then(function (rows) { return rows; }, function () { return []; }));
    }
    (await labelled.get(ns)).forEach(function (row) {
      const local = row.term.value.slice(ns.length);
      if (/^[\w-][\w.-]*$/.test(local) && !seen.has(local)) {
        seen.add(local);
        options.push({ label: local, detail: row.label ? row.label.value : "", type: "constant" });
      }
    });
    return options;
  }

  function vocabularyTerms() {
    if (vocabulary.terms) {
      return Promise.resolve(vocabulary.terms);
    }
    if (!vocabulary.pending) {
      vocabulary.pending = select(VOCABULARY_QUERY, {}).then(function (rows) {
        vocabulary.terms = rows.filter(function (r) { return r.term && r.term.type === "uri"; })
          .map(function (r) { return r.term.value; });
        return vocabulary.terms;
      }, function () {
        vocabulary.pending = null;
        return [];
      });
    }
    return vocabulary.pending;
  }

  // Runs a SELECT on this endpoint; `bindings` are SPARQL literals put in a VALUES clause (JSON
  // string syntax is valid SPARQL string syntax), so no value is pasted into the query's text.
  async function select(query, bindings) {
    const names = Object.keys(bindings);
    let text = query;
    if (names.length) {
      const values = " VALUES (" + names.map(function (n) { return "?" + n; }).join(" ") + ") { ("
        + names.map(function (n) { return bindings[n]; }).join(" ") + ") }";
      text = text.replace(/ WHERE \{/, " WHERE {" + values + " ");
    }
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { "Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ query: text }),
    });
    if (!response.ok) {
      throw new Error(response.status + " " + (await response.text()));
    }
    return (await response.json()).results.bindings;
  }
})();
