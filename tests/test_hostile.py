"""Hostile requests over real HTTP (and a raw socket): each gets a 4xx, none changes the store.

After every test the server must still answer, with the same triple count and data version as
before it (checked through /healthz and through a SPARQL count run by a query worker).
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import httpx
import pytest

from dxkg import sparql
from dxkg.config import Settings
from dxkg.errors import BadQuery
from dxkg.namespaces import ENTITY_TYPES
from dxkg.query_guard import MAX_DEPTH, MAX_OPERATORS
from dxkg.store import LoadedStore
from dxkg.web.security import CONTENT_SECURITY_POLICY

from conftest import LiveServer

# Every hostile request must be answered within this bound (a liveness bound, not a speed goal).
PROMPT = 10.0
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ASK = "ASK { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}
HTML = {"Accept": "text/html"}
QUERY_BODY = {"Content-Type": "application/sparql-query"}
FORM_BODY = {"Content-Type": "application/x-www-form-urlencoded"}
MiB = 1 << 20
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "content-security-policy": CONTENT_SECURITY_POLICY,
}
SCRIPT = '<script>alert("dxkg")</script>'
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
PAYLOADS = (SCRIPT, ATTRIBUTE)
# What must never come back from a file outside the published ones.
SECRETS = ("BaseSettings", "[build-system]", "root:x:0:0", "PRIVATE KEY")


def count_via_worker(client: httpx.Client) -> int:
    response = client.get("/sparql", params={"query": COUNT}, headers=JSON)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def state(client: httpx.Client) -> tuple[int, str, int]:
    health = client.get("/healthz")
    assert health.status_code == 200, health.text
    body = health.json()
    return body["triples"], body["version"], count_via_worker(client)


@pytest.fixture(autouse=True)
def unchanged(live_server: LiveServer, loaded: LoadedStore) -> Iterator[None]:
    """Fail a test after which the server no longer answers, or answers with other data."""
    with httpx.Client(base_url=live_server.url, timeout=PROMPT) as client:
        before = state(client)
        assert before[0] == loaded.manifest.triples
        yield
        assert state(client) == before


@pytest.fixture(scope="module")
def guarded() -> None:
    """Make sure the query guard runs before the parser, rather than send a query that crashes it."""
    try:
        sparql.refuse_unsafe("ASK " + "{" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1))
    except BadQuery:
        return
    pytest.fail("dxkg.sparql.refuse_unsafe does not call dxkg.query_guard.check_complexity: "
                "deeply nested or very long queries would reach the parser")


@pytest.fixture(scope="module")
def tight_server(settings: Settings, loaded: LoadedStore) -> Iterator[LiveServer]:
    """A server with small request limits: 2 KiB URLs, 4 KiB bodies, 512-byte headers."""
    with LiveServer(settings.model_copy(update={
            "max_url_bytes": 2048, "max_body_bytes": 4096, "max_header_bytes": 512, "query_workers": 1})) as server:
        yield server


@pytest.fixture()
def tight(tight_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=tight_server.url, timeout=PROMPT) as client:
        yield client


@pytest.fixture()
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=PROMPT) as c:
        yield c


def raw(server: LiveServer, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (no client-side normalization) and return status, headers and body;
    status 0 when the HTTP server closed the connection before answering (it refused the request)."""
    data = b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=PROMPT) as conn:
        try:
            conn.sendall(request)
            while chunk := conn.recv(65536):
                data += chunk
        except (ConnectionResetError, BrokenPipeError):
            pass  # it answered (or not) before reading all we sent
    if not data:
        return 0, {}, b""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def raw_get(server: LiveServer, target: bytes, headers: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    return raw(server, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers + b"\r\n")


def assert_refused(response: httpx.Response, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.text[:300])


# --- size limits -------------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [QUERY_BODY, FORM_BODY, {"Content-Type": "text/plain"}])
def test_hostile_body_past_the_limit_is_413(client: httpx.Client, headers: dict[str, str]) -> None:
    response = client.post("/sparql", content=b"x" * (MiB + 1), headers=headers)
    assert_refused(response, 413)
    assert "larger than 1048576 bytes" in response.text


def test_hostile_declared_body_past_the_limit_is_refused_unread(live_server: LiveServer) -> None:
    """A Content-Length past the limit is answered at once: the server waits for none of the body."""
    status, headers, body = raw(live_server, b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                             b"Content-Type: application/sparql-query\r\n"
                                             b"Content-Length: 50000000\r\n\r\nSELECT")
    assert status == 413 and b"1048576 bytes" in body
    assert headers["connection"] == "close"


def test_hostile_streamed_body_past_the_limit_is_413(client: httpx.Client) -> None:
    """A body without Content-Length is counted as it arrives and refused past the limit."""
    def chunks() -> Iterator[bytes]:
        for _ in range(64):  # 4 MiB offered, in 64 KiB chunks
            yield b"query=" + b"y" * (65536 - 6)

    response = client.post("/sparql", content=chunks(), headers=FORM_BODY)
    assert_refused(response, 413)
    assert response.headers["x-frame-options"] == "DENY"


def test_hostile_body_past_the_limit_on_a_page_for_a_browser(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"z" * 65536

    response = client.post("/sparql", content=chunks(), headers=FORM_BODY | HTML)
    assert_refused(response, 413)
    assert response.headers["content-type"].startswith("text/html")


def test_hostile_megabyte_query_within_the_body_limit_is_400(client: httpx.Client) -> None:
    """A 1 MB query under the body limit still gets an answer (the parser's 400) promptly."""
    query = "SELECT * WHERE { ?s ?p ?o } " + "garbage " * 125_000
    assert len(query) > 1_000_000
    response = client.post("/sparql", content=query.encode(), headers=QUERY_BODY | JSON)
    assert_refused(response, 400)


@pytest.mark.parametrize("length", [100_000, MiB])
def test_hostile_huge_url_is_refused(live_server: LiveServer, length: int) -> None:
    """dxkg answers 414 past max_url_bytes; uvicorn's HTTP parser may refuse first (400, or it
    closes the connection) when a request head arrives in pieces larger than 16 KiB together."""
    status, headers, body = raw_get(live_server, b"/sparql?query=" + b"x" * length)
    assert status in (0, 400, 414), status
    if status == 414:
        assert b"POST" in body and headers["x-content-type-options"] == "nosniff"


def test_hostile_url_limit_is_configurable(tight: httpx.Client) -> None:
    query = "ASK { ?s ?p ?o } # " + "padding " * 300
    assert_refused(tight.get("/sparql", params={"query": query}, headers=JSON), 414)
    assert tight.post("/sparql", content=query.encode(), headers=QUERY_BODY | JSON).status_code == 200


def test_hostile_body_limit_is_configurable(tight: httpx.Client) -> None:
    query = "ASK { ?s ?p ?o } # " + "padding " * 600
    response = tight.post("/sparql", content=query.encode(), headers=QUERY_BODY | JSON)
    assert_refused(response, 413)
    assert "4096 bytes" in response.text
    assert tight.post("/sparql", content=query[:3000].encode(), headers=QUERY_BODY | JSON).status_code == 200


def test_hostile_header_limit_is_configurable(tight: httpx.Client) -> None:
    accept = ", ".join(["application/sparql-results+json"] * 20)
    assert_refused(tight.get("/sparql", params={"query": ASK}, headers={"Accept": accept}), 431)
    # A long header dxkg does not read passes.
    response = tight.get("/sparql", params={"query": ASK}, headers=JSON | {"X-Trace": "t" * 1000})
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/", "/sparql?query=ASK%7B%7D", "/search?q=gia", "/id/province/gia-lai"])
def test_hostile_huge_accept_header_is_431(client: httpx.Client, path: str) -> None:
    accept = ",".join(["text/html;q=0.9", "application/json;q=0.5"] * 300)
    assert len(accept) > 4096
    assert_refused(client.get(path, headers={"Accept": accept}), 431)


def test_hostile_accept_header_of_many_ranges_under_the_limit(client: httpx.Client) -> None:
    """Under the limit, a long Accept is read (its first ranges only) and answered normally."""
    accept = ",".join(f"x/y{i};q=0.{i % 10}" for i in range(400))[:4000] + ",application/sparql-results+json"
    response = client.get("/sparql", params={"query": ASK}, headers={"Accept": accept})
    assert response.status_code in (200, 406)


# --- query text the parser must never see ---------------------------------------------------------

NESTED = {
    "groups": "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000,
    "parentheses": "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "exists": "SELECT * WHERE { FILTER(" + "EXISTS { FILTER(" * 1000 + "true" + ") }" * 1000 + ") }",
    "blank-nodes": "SELECT * WHERE { ?s ?p " + "[ ?p " * 300 + "?o" + " ]" * 300 + " }",
    "minus-chain": "SELECT * {" + "MINUS{}" * 2600 + "}",
    "bind-chain": "SELECT * {" + " ".join(f"BIND(1 AS ?x{i})" for i in range(2600)) + "}",
    "sum-chain": "SELECT * WHERE { FILTER(" + "1 + " * 6600 + "1) }",
}


@pytest.mark.parametrize("name", NESTED)
def test_hostile_deep_or_long_query_is_400_before_parsing(guarded: None, client: httpx.Client, name: str) -> None:
    """Queries that crash pyoxigraph's recursive parser (or take minutes in it) are refused unparsed."""
    for response in (client.post("/sparql", content=NESTED[name].encode(), headers=QUERY_BODY | JSON),
                     client.post("/sparql", data={"query": NESTED[name]}, headers=HTML)):
        assert_refused(response, 400)
        assert re.search(r"nests brackets \d+ deep|has \d+ operators", response.text), response.text[:300]


def test_hostile_deep_query_in_a_named_query_page_param_is_only_a_value(client: httpx.Client) -> None:
    """A parameter is bound as a term, never parsed: nesting in it is text, not syntax."""
    response = client.get("/queries/documents-by-province",
                          params={"province": "province:" + "{" * 1000}, headers=JSON)
    assert_refused(response, 400)
    assert "province" in response.text


def test_hostile_unterminated_string_is_400_promptly(guarded: None, client: httpx.Client) -> None:
    """Quotes that never close used to be re-read from each quote: quadratic time on one thread."""
    query = '"\\' * (256 * 1024)
    response = client.post("/sparql", content=query.encode(), headers=QUERY_BODY | JSON)
    assert_refused(response, 400)
    assert "never ends" in response.text


def test_hostile_limits_leave_room_for_real_queries(client: httpx.Client) -> None:
    nested = "SELECT * WHERE " + "{" * (MAX_DEPTH - 1) + "?s ?p ?o" + "}" * (MAX_DEPTH - 1) + " LIMIT 1"
    values = "SELECT ?x WHERE { VALUES ?x { " + " ".join(str(i) for i in range(MAX_OPERATORS * 2)) + " } } LIMIT 1"
    for query in (nested, values):
        response = client.post("/sparql", content=query.encode(), headers=QUERY_BODY | JSON)
        assert response.status_code == 200, response.text[:300]


# --- bytes that are not text ----------------------------------------------------------------------

def test_hostile_invalid_utf8_in_a_query_is_400(client: httpx.Client, live_server: LiveServer) -> None:
    assert_refused(client.get("/sparql?query=%FF%FEASK%7B%7D", headers=JSON), 400)
    assert_refused(client.post("/sparql", content=b"ASK { \xff\xfe }", headers=QUERY_BODY | JSON), 400)
    assert_refused(client.post("/sparql", content=b"query=ASK%7B%FF%7D", headers=FORM_BODY | JSON), 400)
    assert_refused(client.post("/sparql", content=b"query=ASK{\xff}", headers=FORM_BODY | JSON), 400)
    status, _, _ = raw_get(live_server, b"/sparql?query=ASK{\xff}", b"Accept: application/sparql-results+json\r\n")
    assert 400 <= status < 500


@pytest.mark.parametrize("path, found", [("/search?q=%FF%FE", False), ("/search?q=%C3%28", False),
                                         ("/search?q=%00", False), ("/search?q=gia%00lai", True)])
def test_hostile_odd_bytes_in_a_search_are_just_text(client: httpx.Client, path: str, found: bool) -> None:
    """Undecodable bytes become U+FFFD and fold away; a NUL separates words like a space."""
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert (response.json()["count"] > 0) is found


@pytest.mark.parametrize("path", ["/id/%FF/%FE", "/id/province/gia%00lai", "/id/%00", "/dumps/%FF",
                                  "/dumps/dxkg.ttl%00.png", "/queries/%FF", "/queries/entity-counts%00"])
def test_hostile_odd_bytes_in_a_path_are_404(client: httpx.Client, path: str) -> None:
    assert_refused(client.get(path), 404)


def test_hostile_nul_bytes_in_a_query_are_400(client: httpx.Client) -> None:
    assert_refused(client.get("/sparql", params={"query": "ASK {\x00}"}, headers=JSON), 400)
    assert_refused(client.post("/sparql", content=b"SELECT\x00* WHERE {}", headers=QUERY_BODY | JSON), 400)
    # Inside a string literal a NUL is only a character: the query runs.
    response = client.get("/sparql", params={"query": 'ASK { FILTER("a\x00b" != "") }'}, headers=JSON)
    assert response.status_code == 200 and response.json()["boolean"] is True


@pytest.mark.parametrize("value", ["province:gia\x00lai", "<https://w3id.org/dxkg/id/province/\x00>", "\x00",
                                   "<javascript:alert(1)>x", "province:" + "a" * 3000])
def test_hostile_named_query_parameter_is_400(client: httpx.Client, value: str) -> None:
    response = client.get("/queries/documents-by-province", params={"province": value}, headers=JSON)
    assert_refused(response, 400)
    assert "province" in response.text


# --- parameters ----------------------------------------------------------------------------------

def test_hostile_repeated_query_parameter_is_400(client: httpx.Client) -> None:
    """SPARQL 1.1 Protocol §2.1: a query operation carries exactly one query string."""
    two = [("query", ASK), ("query", COUNT)]
    assert_refused(client.get("/sparql", params=two, headers=JSON), 400)
    assert_refused(client.post("/sparql", data={"query": [ASK, COUNT]}, headers=JSON), 400)
    response = client.post("/sparql", params={"query": ASK}, data={"query": COUNT}, headers=JSON)
    assert_refused(response, 400)
    assert "one 'query'" in response.text


def test_hostile_unknown_parameters_are_ignored(client: httpx.Client) -> None:
    extra = {"callback": "alert", "_": "1712345678", "utm_source": "x", "timeout": "0", "limit": "1"}
    plain = client.get("/sparql", params={"query": COUNT}, headers=JSON)
    noisy = client.get("/sparql", params={"query": COUNT, **extra}, headers=JSON)
    assert noisy.status_code == plain.status_code == 200 and noisy.json() == plain.json()
    assert client.get("/search", params={"q": "gia lai", **extra}, headers={"Accept": "application/json"}).json()[
        "count"] > 0
    assert client.get("/queries/entity-counts", params=extra, headers=JSON).status_code == 200
    assert client.get("/id/province/gia-lai", params=extra, headers=HTML).status_code == 200


# --- paths ---------------------------------------------------------------------------------------

TRAVERSALS = [
    "/id/../../../../etc/passwd",
    "/id/province/../../../../../etc/passwd",
    "/id/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/id/province/..%2F..%2F..%2Fdxkg%2Fconfig.py",
    "/id/%2e%2e/%2e%2e/pyproject.toml",
    "/dumps/../pyproject.toml",
    "/dumps/..%2F..%2Fpyproject.toml",
    "/dumps/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/dumps/..%5C..%5Cpyproject.toml",
    "/dumps/%252e%252e%252fpyproject.toml",
    "/dumps//etc/passwd",
    "/dumps/%2Fetc%2Fpasswd",
    "/static/../config.py",
    "/static/..%2F..%2Fconfig.py",
    "/static/%2e%2e/%2e%2e/config.py",
    "/static/..%2F..%2F..%2Fpyproject.toml",
    "/static//etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_hostile_path_traversal_over_a_raw_socket(live_server: LiveServer, path: str) -> None:
    """Sent byte for byte (an HTTP client would resolve the dot segments first)."""
    status, _, body = raw_get(live_server, path.encode())
    assert status in (400, 404), (status, body[:200])
    assert not any(secret.encode() in body for secret in SECRETS)


@pytest.mark.parametrize("path", TRAVERSALS)
def test_hostile_path_traversal_over_http(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert not any(secret in response.text for secret in SECRETS)


def test_hostile_dump_names_are_only_the_published_ones(client: httpx.Client) -> None:
    published = {d["name"] for d in client.get("/dumps", headers={"Accept": "application/json"}).json()["dumps"]}
    assert published and all("/" not in name for name in published)
    for name in published:
        assert client.head(f"/dumps/{name}").status_code == 200
        assert client.get(f"/dumps/{quote('../' + name, safe='')}").status_code == 404


@pytest.mark.parametrize("target", [
    "//evil.example/", "https://evil.example/", "/\\evil.example/", "\\\\evil.example", "/\t/evil.example",
    "/\n/evil.example", " //evil.example", "%2F%2Fevil.example", "javascript:alert(1)", "http:evil.example",
    "/%2F%2Fevil.example", "///evil.example", "\x00//evil.example",
])
def test_hostile_language_switch_redirects_only_to_this_server(client: httpx.Client, target: str) -> None:
    response = client.get("/lang/en", params={"next": target})
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert not urlsplit(location).netloc and not urlsplit(location).scheme
    # What a browser would make of it: control characters stripped, backslashes read as slashes.
    browser = re.sub(r"[\x00-\x20]", "", location).replace("\\", "/")
    assert not browser.startswith("//"), location


# --- script in input comes back escaped ----------------------------------------------------------

def html_responses(client: httpx.Client, payload: str) -> list[httpx.Response]:
    """Every HTML page or error page that may show a piece of request text back."""
    pages = [
        client.get("/search", params={"q": payload}),
        client.get("/search", params={"q": payload, "lang": "en"}),
        client.get("/search", params={"q": "gia", "limit": payload}),
        client.get("/sparql", params={"query": payload}),
        client.get("/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p '{payload}' }}"}),
        client.get("/sparql", params={"query": f"ASK {{}} # {payload}", "default-graph-uri": payload}),
        client.get("/sparql", params={"query": "ASK {}", "format": payload}),
        client.post("/sparql", data={"query": payload}),
        client.get("/queries/documents-by-province", params={"province": payload}),
        client.get("/queries/documents-by-province", params={"province": "province:" + payload}),
        client.get("/queries/targets-by-year", params={"year": payload}),
        client.get("/queries/" + quote(payload, safe="")),
        client.get("/id/" + quote(payload, safe="")),
        client.get("/id/province/" + quote(payload, safe="")),
        client.get("/id/province/gia-lai", params={"format": payload}),
        client.get("/dumps/" + quote(payload, safe="")),
        client.get("/store", params={"graph": payload}),
        client.get("/" + quote(payload, safe="")),
        client.get("/", params={"lang": payload}),
        client.get("/", headers={"Cookie": f"lang={quote(payload)}", "Accept-Language": payload}),
    ]
    return [r for r in pages if r.headers.get("content-type", "").startswith("text/html")]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_script_in_request_text_never_comes_back_unescaped(payload: str, live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=PROMPT, headers=HTML) as client:
        pages = html_responses(client, payload)
    assert len(pages) >= 15  # the pages answered as HTML, so the check below means something
    for response in pages:
        assert response.status_code < 500, (response.url, response.status_code)
        assert payload not in response.text, response.url
        assert "<script>alert" not in response.text and "<img src=x" not in response.text, response.url
    # And the text did come back, escaped: in the editor, the search box and the error pages.
    echoed = [r for r in pages if "alert(" in r.text]
    assert len(echoed) >= 5


# --- security headers and the CSP -----------------------------------------------------------------

@pytest.mark.parametrize("path, headers", [
    ("/", HTML), ("/sparql", HTML), ("/sparql?query=ASK%7B%7D", JSON), ("/sparql?format=ttl", {}),
    ("/search?q=gia", HTML), ("/search?q=gia", {"Accept": "application/json"}), ("/queries", HTML),
    ("/id/province/gia-lai", HTML), ("/id/province/gia-lai.ttl", {}), ("/ontology", HTML), ("/dumps", HTML),
    ("/.well-known/void", {}), ("/healthz", {}), ("/metrics", {}), ("/openapi.json", {}),
    ("/static/query-editor.js", {}), ("/no/such/page", HTML), ("/id/province/no-such-place", {}),
    ("/sparql?query=ASK%7B%7D", {"Accept": "image/png"}), ("/sparql?query=nonsense", JSON),
])
def test_security_headers_on_every_response(client: httpx.Client, path: str, headers: dict[str, str]) -> None:
    response = client.get(path, headers=headers)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (path, response.status_code, name)


def test_security_headers_on_304_405_and_refusals(client: httpx.Client, live_server: LiveServer) -> None:
    etag = client.get("/id/province/gia-lai", headers=HTML).headers["etag"]
    answers = [
        client.get("/id/province/gia-lai", headers=HTML | {"If-None-Match": etag}),
        client.put("/sparql", content=b"x"),
        client.post("/sparql", content=b"x" * (MiB + 1), headers=QUERY_BODY),
        client.get("/", headers={"Accept": "a/b," * 2000}),
    ]
    assert [r.status_code for r in answers] == [304, 405, 413, 431]
    for response in answers:
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


class InlineFinder(HTMLParser):
    """Collect what a strict CSP would block in a page: inline script, inline style, handlers,
    javascript: URLs, and scripts or styles loaded from another origin."""

    URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data")

    def __init__(self, origin: str) -> None:
        super().__init__(convert_charrefs=True)
        self.origin = origin
        self.problems: list[str] = []
        self.links: list[str] = []
        self._inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>: an inline event handler")
            if name == "style":
                self.problems.append(f"<{tag} style=...>: an inline style")
            if name in self.URL_ATTRIBUTES and value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value[:40]}>: a javascript: URL")
        if tag == "style":
            self.problems.append("<style>: an inline style sheet")
        if tag == "script":
            src = values.get("src")
            if src is None:
                self._inline_script = (values.get("type") or "").lower() != "application/ld+json"
            elif urlsplit(src).netloc not in ("", self.origin):
                self.problems.append(f"<script src={src}>: from another origin")
        if tag == "link" and "stylesheet" in (values.get("rel") or "") \
                and urlsplit(values.get("href") or "").netloc not in ("", self.origin):
            self.problems.append(f"<link href={values.get('href')}>: a style sheet from another origin")
        if tag in ("object", "embed", "iframe", "base"):
            self.problems.append(f"<{tag}>: blocked or restricted by the policy")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])  # type: ignore[arg-type]

    def handle_data(self, data: str) -> None:
        if self._inline_script and data.strip():
            self.problems.append(f"<script>{data.strip()[:40]}...: an inline script")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inline_script = False


def test_inline_finder_sees_what_the_csp_blocks() -> None:
    finder = InlineFinder("127.0.0.1:8000")
    finder.feed('<div style="color: red" onclick="go()"><style>p {}</style><script>go()</script>'
                '<script type="application/ld+json">{}</script><script src="/static/a.js"></script>'
                '<script src="https://cdn.example/x.js"></script><a href="javascript:go()">x</a>'
                '<link rel="stylesheet" href="http://127.0.0.1:8000/static/a.css"><iframe src="/"></iframe>')
    assert len(finder.problems) == 7, finder.problems


def test_pages_need_nothing_the_csp_forbids(client: httpx.Client) -> None:
    """The site's pages, every class index and two entities of each type (so every page template),
    use no inline script or style, event handler or javascript: URL, and load nothing from elsewhere."""
    origin = client.base_url.netloc.decode()
    pages = ["/", "/sparql", "/sparql?query=ASK%7B%7D", "/queries", "/queries/documents-by-province",
             "/queries/entity-counts", "/search?q=gia", "/ontology", "/dumps", "/.well-known/void",
             "/no/such/page"] + [f"/id/{name}" for name in ENTITY_TYPES]
    problems: dict[str, list[str]] = {}
    entity_pages = 0
    for path in pages:
        response = client.get(path, headers=HTML)
        if response.status_code == 404 and path.startswith("/id/"):
            continue  # a type with no entities
        assert response.headers["content-type"].startswith("text/html"), path
        finder = InlineFinder(origin)
        finder.feed(response.text)
        problems[path] = finder.problems
        if path.startswith("/id/") and path.count("/") == 2:  # a class index: visit two of its entities
            entities = [urlsplit(urljoin(path, href)) for href in finder.links]
            entities = [u.path for u in entities if u.netloc in ("", origin) and u.path.startswith(path + "/")]
            for entity in list(dict.fromkeys(entities))[:2]:
                entity_pages += 1
                page = InlineFinder(origin)
                page.feed(client.get(entity, headers=HTML).text)
                problems[entity] = page.problems
    assert entity_pages >= 30
    assert {path: found for path, found in problems.items() if found} == {}
