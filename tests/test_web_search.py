"""Search over real HTTP: ranking, diacritics folding, empty and over-long queries, the JSON shape."""

from __future__ import annotations

import httpx

from dxkg.namespaces import ID

JSON = {"Accept": "application/json"}


def results(http: httpx.Client, q: str, **params: object) -> dict:
    response = http.get("/search", params={"q": q, **params}, headers=JSON)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def test_search_exact_label_first(http: httpx.Client) -> None:
    body = results(http, "hau giang")
    first = body["results"][0]
    assert first["iri"] == ID + "province/hau-giang"
    assert first["path"] == "/id/province/hau-giang"
    assert first["labels"] == {"vi": "Hậu Giang", "en": "Hau Giang"}
    assert first["match"] == "exact"
    order = ["exact", "prefix", "word-prefix", "substring", "all-words"]
    ranks = [order.index(r["match"]) for r in body["results"]]
    assert ranks == sorted(ranks) and len(ranks) > 1


def test_search_json_shape(http: httpx.Client) -> None:
    body = results(http, "Hậu Giang", limit=5)
    assert set(body) >= {"query", "results", "message"}
    assert body["query"] == "Hậu Giang" and body["message"] is None
    assert len(body["results"]) == 5
    hit = body["results"][0]
    assert set(hit) >= {"iri", "path", "label", "labels", "type", "type_label", "snippet"}
    assert hit["type"] == "https://w3id.org/dxkg/ontology#Province" and hit["type_label"] == "tỉnh"
    snippet = hit["snippet"]
    assert snippet["text"][snippet["start"]:snippet["end"]] == "Hậu Giang"


def test_search_folds_diacritics_and_d(http: httpx.Client) -> None:
    first = results(http, "dang quang khanh")["results"][0]
    assert first["iri"] == ID + "person/dang-quang-khanh" and first["label"] == "Đặng Quang Khanh"
    snippet = first["snippet"]
    assert snippet["text"][snippet["start"]:snippet["end"]] == "Đặng Quang Khanh"
    assert results(http, "ĐẶNG QUANG KHANH")["results"][0]["iri"] == first["iri"]
    # `d` finds labels written with `Đ`, and `Đ` finds the same ones.
    with_d = {r["iri"] for r in results(http, "d", limit=100)["results"]}
    with_stroke = {r["iri"] for r in results(http, "Đ", limit=100)["results"]}
    assert ID + "province/da-nang" in with_d and with_d == with_stroke


def test_search_empty_query_answers_with_a_message(http: httpx.Client) -> None:
    body = results(http, "")
    assert body["results"] == [] and body["message"]
    page = http.get("/search", headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'name="q"' in page.text


def test_search_too_long_query_answers_with_a_message(http: httpx.Client) -> None:
    body = results(http, "a" * 201)
    assert body["results"] == [] and "200" in body["message"]
    page = http.get("/search", params={"q": "a" * 201}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "200" in page.text


def test_search_limit(http: httpx.Client) -> None:
    assert len(results(http, "giang", limit=3)["results"]) == 3
    assert len(results(http, "giang")["results"]) == 20
    assert len(results(http, "a", limit=1000)["results"]) == 100
    assert http.get("/search", params={"q": "giang", "limit": "x"}, headers=JSON).status_code == 400


def test_search_html_marks_the_match(http: httpx.Client) -> None:
    page = http.get("/search", params={"q": "hau giang"}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<a href="/id/province/hau-giang">Hậu Giang</a>' in page.text
    assert "<mark>Hậu Giang</mark>" in page.text


def test_search_html_escapes_the_query(http: httpx.Client) -> None:
    page = http.get("/search", params={"q": "<script>x</script>"}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<script>x</script>" not in page.text


def test_search_etag(http: httpx.Client) -> None:
    first = http.get("/search", params={"q": "gia lai"}, headers=JSON)
    again = http.get("/search", params={"q": "gia lai"}, headers={**JSON, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
