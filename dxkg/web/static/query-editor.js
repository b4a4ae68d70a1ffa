// The SPARQL query editor on /sparql: loads example queries, runs a query in place and renders the
// results as a table (SPARQL JSON for SELECT/ASK, N-Triples for CONSTRUCT/DESCRIBE). Without this
// script the form still works: it GETs /sparql and the server renders the same table.
(function () {
  "use strict";

  const form = document.getElementById("sparql-form");
  if (!form) {
    return;
  }
  const textarea = form.querySelector("textarea[name=query]");
  const formatSelect = form.querySelector("select[name=format]");
  const results = document.getElementById("results");
  const statusLine = document.getElementById("results-status");
  const body = document.getElementById("results-body");
  const downloads = document.getElementById("downloads");
  const endpoint = form.getAttribute("action");
  const base = form.dataset.base || "";
  const prefixes = JSON.parse(form.dataset.prefixes || "{}");
  const langInput = form.querySelector("input[name=lang]");
  const ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9";
  const XSD_STRING = "http://www.w3.org/2001/XMLSchema#string";

  // Example queries: a button loads the text into the editor.
  document.querySelectorAll("button.load-example").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      const source = document.getElementById(button.dataset.example);
      if (source) {
        textarea.value = source.textContent;
        textarea.focus();
        textarea.scrollIntoView({ block: "center" });
      }
    });
  });

  form.addEventListener("submit", function (event) {
    if (formatSelect.value !== "html") {
      return; // a download format: let the browser fetch it
    }
    event.preventDefault();
    run(textarea.value);
  });

  function pageUrl(query) {
    const params = new URLSearchParams();
    params.set("query", query);
    if (langInput) {
      params.set("lang", langInput.value);
    }
    return endpoint + "?" + params.toString();
  }

  async function run(query) {
    results.hidden = false;
    statusLine.textContent = form.dataset.msgRunning;
    body.replaceChildren();
    downloads.hidden = true;
    let response;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers: { "Accept": ACCEPT, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ query: query }),
      });
    } catch (error) {
      showError(String(error));
      return;
    }
    history.replaceState(null, "", pageUrl(query));
    const type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
    const text = await response.text();
    if (!response.ok) {
      showError(response.status + " " + text);
      return;
    }
    if (type === "application/sparql-results+json") {
      renderResults(JSON.parse(text));
      showDownloads(query, "results");
    } else if (type === "application/n-triples") {
      renderTriples(text);
      showDownloads(query, "graph");
    } else {
      showError(type + "\n" + text);
    }
  }

  function showError(message) {
    statusLine.textContent = form.dataset.msgError;
    const pre = document.createElement("pre");
    pre.className = "error-message";
    pre.setAttribute("role", "alert");
    pre.textContent = message;
    body.replaceChildren(pre);
  }

  function showDownloads(query, kind) {
    downloads.querySelectorAll("li").forEach(function (item) {
      item.hidden = item.dataset.kind !== kind;
      const link = item.querySelector("a");
      const params = new URLSearchParams({ query: query, format: link.dataset.format });
      link.href = endpoint + "?" + params.toString();
    });
    downloads.hidden = false;
  }

  function renderResults(data) {
    if (typeof data.boolean === "boolean") {
      statusLine.textContent = "ASK";
      const p = document.createElement("p");
      p.className = "boolean";
      const strong = document.createElement("strong");
      strong.textContent = String(data.boolean);
      p.append(strong);
      body.replaceChildren(p);
      return;
    }
    const columns = data.head.vars || [];
    const rows = data.results.bindings.map(function (binding) {
      return columns.map(function (name) { return binding[name] || null; });
    });
    renderTable(columns, rows);
  }

  function renderTriples(text) {
    const rows = [];
    text.split("\n").forEach(function (line) {
      const parsed = parseNTriplesLine(line);
      if (parsed) {
        rows.push(parsed);
      }
    });
    renderTable(["subject", "predicate", "object"], rows);
  }

  function renderTable(columns, rows) {
    statusLine.textContent = rows.length + " " + form.dataset.msgRows;
    const wrapper = document.createElement("div");
    wrapper.className = "table-scroll";
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    columns.forEach(function (name) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = name;
      head.append(th);
    });
    const tbody = table.createTBody();
    rows.forEach(function (row) {
      const tr = tbody.insertRow();
      row.forEach(function (value) {
        const td = tr.insertCell();
        if (value) {
          td.append(renderTerm(value));
        }
      });
    });
    wrapper.append(table);
    body.replaceChildren(wrapper);
  }

  // A term in SPARQL JSON shape: {type: uri|literal|bnode|triple, value, xml:lang?, datatype?}.
  function renderTerm(term) {
    const span = document.createElement("span");
    if (term.type === "uri") {
      const link = document.createElement("a");
      const local = localPath(term.value);
      link.href = local || term.value;
      if (!local) {
        link.rel = "external noopener noreferrer";
        link.className = "external";
      }
      link.title = term.value;
      link.textContent = compact(term.value);
      return link;
    }
    if (term.type === "bnode") {
      span.className = "bnode";
      span.textContent = "_:" + term.value;
      return span;
    }
    if (term.type === "triple") {
      span.textContent = "<< " + JSON.stringify(term.value) + " >>";
      return span;
    }
    span.className = "literal";
    const value = document.createElement("span");
    value.textContent = term.value;
    span.append(value);
    const lang = term["xml:lang"];
    if (lang) {
      value.lang = lang;
      span.append(" ", badge(lang));
    } else if (term.datatype && term.datatype !== XSD_STRING) {
      span.append(" ", badge(compact(term.datatype), term.datatype));
    }
    return span;
  }

  function badge(text, title) {
    const b = document.createElement("span");
    b.className = "badge";
    b.textContent = text;
    if (title) {
      b.title = title;
    }
    return b;
  }

  // IRIs under the base IRI are served here: https://w3id.org/dxkg/id/x/y -> /id/x/y.
  function localPath(iri) {
    return base && iri.startsWith(base) ? "/" + iri.slice(base.length) : null;
  }

  function compact(iri) {
    let best = null;
    Object.keys(prefixes).forEach(function (name) {
      const ns = prefixes[name];
      if (iri.startsWith(ns) && (!best || ns.length > prefixes[best].length)) {
        best = name;
      }
    });
    if (best !== null) {
      const local = iri.slice(prefixes[best].length);
      if (/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(local) && !local.endsWith(".")) {
        return best + ":" + local;
      }
    }
    return iri;
  }

  // One N-Triples line -> [subject, predicate, object] as SPARQL JSON terms, or null.
  const IRI = "<([^>]*)>";
  const BNODE = "_:(\\S+)";
  const LITERAL = "\"((?:[^\"\\\\]|\\\\.)*)\"(?:@([A-Za-z0-9-]+)|\\^\\^<([^>]*)>)?";
  const TERM = "(?:" + IRI + "|" + BNODE + "|" + LITERAL + ")";
  const LINE = new RegExp("^\\s*" + TERM + "\\s+" + TERM + "\\s+" + TERM + "\\s*\\.\\s*$");

  function parseNTriplesLine(line) {
    const m = LINE.exec(line);
    if (!m) {
      return null;
    }
    return [term(m, 1), term(m, 6), term(m, 11)];
  }

  function term(m, i) {
    if (m[i] !== undefined) {
      return { type: "uri", value: unescapeIri(m[i]) };
    }
    if (m[i + 1] !== undefined) {
      return { type: "bnode", value: m[i + 1] };
    }
    const literal = { type: "literal", value: unescapeString(m[i + 2]) };
    if (m[i + 3] !== undefined) {
      literal["xml:lang"] = m[i + 3];
    } else if (m[i + 4] !== undefined) {
      literal.datatype = unescapeIri(m[i + 4]);
    }
    return literal;
  }

  function unescapeIri(text) {
    return text.replace(/\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})/g, function (_, u4, u8) {
      return String.fromCodePoint(parseInt(u4 || u8, 16));
    });
  }

  function unescapeString(text) {
    const simple = { t: "\t", b: "\b", n: "\n", r: "\r", f: "\f", "\"": "\"", "'": "'", "\\": "\\" };
    return text.replace(/\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/g, function (_, u4, u8, c) {
      if (u4 || u8) {
        return String.fromCodePoint(parseInt(u4 || u8, 16));
      }
      return simple[c] !== undefined ? simple[c] : c;
    });
  }
})();
