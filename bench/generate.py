"""Generate a synthetic but realistic dxkg dataset of a given size, deterministically (seeded).

The output folder is shaped like data/ so dxkg loads it with DXKG_DATA_DIR:
  reference/  the real reference files (all 63 provinces, the 2025 units and their changes,
              national documents, DTI 2022 and other rankings), copied unchanged, and so are
              the five real articles (articles/) the reference cites;
  registry/   the real registries (indicators, platform kinds, units, roles, topics, indices ...)
              plus bench-registry.ttl: the provincial bodies, partner branches and newspapers
              the synthetic articles name (one description each, like the real registry);
  articles/   bench-article-*.ttl: one synthetic news article per file and named graph: resolutions,
              plans and decisions, agreements with partners, information systems of real platform kinds,
              targets and achievements on the real indicators, rankings per index and edition,
              people and their posts, with vi/en labels (Vietnamese diacritics) and every fact
              citing its article as dcterms:source.
Articles are added until the dataset (with the ontology) reaches the size asked for.

Usage: python bench/generate.py --size 10k|100k|1m|tiny [--out DIR] [--seed N]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.registry import COPIED, ID, PARTNER_NAMES, Concept, Province, Registry, Vocabulary  # noqa: E402
from bench.turtle import TurtleFile, plain, text, typed  # noqa: E402
from dxkg.namespaces import slugify  # noqa: E402

SIZES = {"tiny": 8_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
ONTOLOGY_TRIPLES_FILE = ROOT / "ontology" / "dxkg.ttl"

PARTNERS = ("vnpt", "viettel", "vng", "vietnam-post")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
          "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lâm", "Mai")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Xuân", "Thế", "Hoài", "Kim", "Công")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hải", "Hạnh", "Hùng", "Hương", "Khanh", "Lan", "Long", "Mai", "Minh",
         "Nam", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Việt", "Yến", "Đạt", "Ánh", "Nhàn",
         "Lộc", "Thủy", "Hiếu", "Khôi")
ROLES = {"director": ("Giám đốc", "Director"), "vice-director": ("Phó Giám đốc", "Deputy director"),
         "chair": ("Chủ tịch", "Chair"), "vice-chair": ("Phó Chủ tịch", "Vice-chair"),
         "secretary": ("Bí thư", "Secretary")}
HEADLINES = (("chuyển đổi số", "digital transformation"), ("chính quyền số", "digital government"),
             ("kinh tế số", "the digital economy"), ("dịch vụ công trực tuyến", "online public services"),
             ("xã hội số", "the digital society"), ("hạ tầng số", "digital infrastructure"))
TOPICS = ("digital-transformation", "digital-government", "e-government", "digital-economy", "digital-society",
          "ict-infrastructure", "population-data", "administrative-reform")
INDICES = {"dti": ("DTI", 0.25, 0.75), "ict-index": ("ICT Index", 0.2, 0.8),
           "public-service-index": ("chỉ số phục vụ", 60.0, 95.0)}
PILLARS = ("digital-government", "digital-economy", "digital-society")
RANKED = [(index, None) for index in INDICES] + [("dti", pillar) for pillar in PILLARS]
CONNECT = {"lgsp": "system:ndxp", "public-service-portal": "system:national-public-service-portal",
           "one-stop-system": "system:national-public-service-portal"}


class ArticleWriter:
    """One synthetic article: its source entity and the facts it states, in its own graph."""

    def __init__(self, rng: random.Random, vocabulary: Vocabulary, registry: Registry) -> None:
        self.rng = rng
        self.vocabulary = vocabulary
        self.registry = registry
        self.numbers: dict[str, int] = {}
        self.people: set[str] = set()

    def write(self, n: int, p: Province) -> tuple[str, TurtleFile]:
        rng = self.rng
        year = rng.randint(max(p.first_year, 2019), min(p.last_year, 2026))
        month = rng.randint(7, 12) if year == p.first_year and p.first_year == 2025 else rng.randint(1, 6 if year >= 2025 else 12)
        stem = f"bench-article-{n:06d}-{p.slug}"
        tag = f"a{n:06d}"
        f = TurtleFile(f"Synthetic article for the benchmark (bench/generate.py): {p.en}, {year}-{month:02d}.\n"
                       f"Named graph: graph:{stem}.")
        src = f"source:{stem}"
        head_vi, head_en = self.rng.choice(HEADLINES)
        paper = self.registry.newspaper(p)
        f.add(src, ("a", "dx:NewsArticle"),
              ("rdfs:label", [text(f"Báo {p.vi} ({month:02d}/{year}): {head_vi} {p.kind_vi()} {p.vi}", "vi"),
                              text(f"{p.en} Newspaper ({year}-{month:02d}): {head_en} in {p.en}", "en")]),
              ("rdfs:comment", text("Synthetic article generated for the benchmark; not a real source.", "en")),
              ("dcterms:identifier", plain(f"{stem}.txt")), ("dcterms:issued", typed(f"{year}-{month:02d}", "gYearMonth")),
              ("dcterms:publisher", paper), ("dcterms:creator", plain(self._name().upper())),
              ("dcterms:language", plain("vi")), ("dx:about", f"province:{p.slug}"), ("dx:namedGraph", f"graph:{stem}"))
        documents = [self._document(f, src, p, year, kind) for kind in rng.sample(("resolution", "plan", "decision"), rng.randint(1, 2))]
        for _ in range(rng.randint(0, 2)):
            self._agreement(f, src, p, year, tag)
        systems = [self._system(f, src, p, year, tag, kind) for kind in rng.sample(self.vocabulary.platforms, rng.randint(1, 3))]
        if len(systems) > 1 and rng.random() < 0.5:
            f.add(systems[1], ("dx:connectedTo", systems[0]))
        for indicator in rng.sample(self.vocabulary.indicators, rng.randint(2, 6)):
            self._target(f, src, p, year, tag, indicator, rng.choice(documents))
        for indicator in rng.sample(self.vocabulary.indicators, rng.randint(2, 6)):
            self._achievement(f, src, p, year, month, tag, indicator)
        for index, pillar in rng.sample(RANKED, rng.randint(0, 2)):
            self._ranking(f, src, p, year, tag, index, pillar)
        for _ in range(rng.randint(0, 2)):
            self._post(f, src, p, year)
        return stem, f

    def _name(self) -> str:
        return f"{self.rng.choice(FAMILY)} {self.rng.choice(MIDDLE)} {self.rng.choice(GIVEN)}"

    def _number(self, key: str) -> int:
        self.numbers[key] = self.numbers.get(key, self.rng.randint(1, 40)) + self.rng.randint(1, 30)
        return self.numbers[key]

    def _document(self, f: TurtleFile, src: str, p: Province, year: int, kind: str) -> str:
        rng = self.rng
        number = self._number(f"{p.slug}-{kind}")
        head_vi, head_en = rng.choice(HEADLINES)
        where_vi, where_en = f"{p.kind_vi()} {p.vi}", p.en
        if kind == "resolution":
            doc_no, issuer, cls = f"{number:02d}-NQ/TU", self.registry.body(p, "tinh-uy"), "dx:PartyResolution"
            vi, en = f"Nghị quyết {doc_no} về {head_vi} {where_vi}", f"{where_en} Party Committee Resolution {doc_no} on {head_en}"
        elif kind == "plan":
            doc_no, issuer, cls = f"{number}/KH-UBND", self.registry.body(p, "ubnd"), "dx:Plan"
            vi, en = f"Kế hoạch {doc_no} về {head_vi} {where_vi}", f"{where_en} People's Committee Plan {doc_no} on {head_en}"
        else:
            doc_no, issuer, cls = f"{number}/QĐ-UBND", self.registry.body(p, "ubnd"), "dx:Decision"
            vi, en = f"Quyết định {doc_no} phê duyệt đề án {head_vi} {where_vi}", f"{where_en} Decision {doc_no} approving the {head_en} project"
        entity = f"{kind}:{p.slug}-{slugify(doc_no)}-{year}"
        if ID + entity.replace(":", "/", 1) in self.vocabulary.existing:
            return self._document(f, src, p, year, kind)
        end = year + rng.choice((2, 3, 4, 5))
        f.add(entity, ("a", cls), ("rdfs:label", [text(vi, "vi"), text(en, "en")]), ("dx:documentNumber", plain(doc_no)),
              ("dcterms:title", [text(f"{head_vi.capitalize()} {where_vi} giai đoạn {year}-{end}, định hướng đến năm 2030", "vi"),
                                 text(f"{head_en.capitalize()} in {where_en}, {year}-{end}, with orientation to 2030", "en")]),
              ("dx:issuedOn", typed(f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "date")),
              ("dx:issuedBy", issuer), ("dx:concerns", f"province:{p.slug}"),
              ("dx:topic", [f"topic:{t}" for t in rng.sample(TOPICS, rng.randint(1, 3))]),
              ("dx:periodStart", typed(year, "gYear")), ("dx:periodEnd", typed(end, "gYear")),
              ("dx:visionYear", typed(2030, "gYear") if kind == "resolution" else None),
              ("dx:implements", rng.choice(self.vocabulary.national_documents) if kind != "resolution" and self.vocabulary.national_documents else None),
              ("dcterms:source", src))
        return entity

    def _agreement(self, f: TurtleFile, src: str, p: Province, year: int, tag: str) -> None:
        rng = self.rng
        national = rng.choice(PARTNERS)
        partner = self.registry.branch(p, national) if rng.random() < 0.4 else f"partner:{national}"
        name = PARTNER_NAMES[national]
        start, end = year, year + rng.choice((0, 2, 5))
        f.add(f"agreement:{p.slug}-{partner.split(':')[1]}-{start}-{tag}", ("a", "dx:Agreement"),
              ("rdfs:label", [text(f"Hợp tác {p.kind_vi()} {p.vi} - {name} giai đoạn {start}-{end}", "vi"),
                              text(f"{p.en} - {name} cooperation {start}-{end}", "en")]),
              ("rdfs:comment", [text(f"Thỏa thuận hợp tác về chuyển đổi số giữa UBND {p.kind_vi()} {p.vi} và {name}.", "vi"),
                                text(f"Digital-transformation cooperation between the {p.en} People's Committee and {name}.", "en")]),
              ("dx:party", [self.registry.body(p, "ubnd"), partner]), ("dx:partner", partner),
              ("dx:province", f"province:{p.slug}"), ("dx:periodStart", typed(start, "gYear")),
              ("dx:periodEnd", typed(end, "gYear")),
              ("dx:signedOn", typed(f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "date")),
              ("dx:topic", f"topic:{rng.choice(TOPICS)}"), ("dcterms:source", src))

    def _system(self, f: TurtleFile, src: str, p: Province, year: int, tag: str, kind: Concept) -> str:
        rng = self.rng
        entity = f"system:{p.slug}-{kind.curie.split(':')[1]}-{tag}"
        national = rng.choice(PARTNERS[:2])
        f.add(entity, ("a", "dx:InformationSystem"),
              ("rdfs:label", [text(f"{kind.vi} {p.kind_vi()} {p.vi}", "vi"), text(f"{p.en} {kind.en[0].lower()}{kind.en[1:]}", "en")]),
              ("dx:platformKind", kind.curie), ("dx:province", f"province:{p.slug}"),
              ("dx:operatedBy", self.registry.body(p, department(p))),
              ("dx:providedBy", f"partner:{national}" if rng.random() < 0.6 else None),
              ("dx:inServiceSince", typed(rng.randint(2016, year), "gYear")),
              ("dx:connectedTo", CONNECT.get(kind.curie.split(":")[1])), ("dcterms:source", src))
        return entity

    def _value(self, indicator: Concept) -> tuple[str, str]:
        unit = indicator.unit or "unit:percent"
        if unit == "unit:count":
            return typed(self.rng.randint(5, 500_000), "integer"), unit
        if unit == "unit:rank":
            return typed(self.rng.randint(1, 63), "integer"), unit
        if unit == "unit:percent-per-year":
            return typed(self.rng.randint(5, 15), "decimal"), unit
        return typed(round(self.rng.uniform(30, 100), 2), "decimal"), unit

    def _target(self, f: TurtleFile, src: str, p: Province, year: int, tag: str, indicator: Concept, document: str) -> None:
        rng = self.rng
        target_year = rng.choice((2025, 2030)) if year < 2025 else 2030
        value, unit = self._value(indicator)
        comparison = rng.choice(("at-least", "exactly", "more-than"))
        shown = value.split('"')[1]
        f.add(f"target:{p.slug}-{target_year}-{indicator.curie.split(':')[1]}-{tag}", ("a", "dx:Target"),
              ("rdfs:label", [text(f"{p.vi} {target_year}: {indicator.vi.lower()} đạt {shown}", "vi"),
                              text(f"{p.en} {target_year}: {indicator.en[0].lower()}{indicator.en[1:]} at {shown}", "en")]),
              ("dx:indicator", indicator.curie), ("dx:targetValue", typed(shown, "decimal")), ("dx:unit", unit),
              ("dx:comparison", f"comparison:{comparison}"), ("dx:targetYear", typed(target_year, "gYear")),
              ("dx:level", f"level:{rng.choice(('province', 'district', 'commune'))}" if rng.random() < 0.3 else None),
              ("dx:setBy", document), ("dx:province", f"province:{p.slug}"), ("dcterms:source", src))

    def _achievement(self, f: TurtleFile, src: str, p: Province, year: int, month: int, tag: str, indicator: Concept) -> None:
        value, unit = self._value(indicator)
        shown = value.split('"')[1]
        f.add(f"achievement:{p.slug}-{indicator.curie.split(':')[1]}-{year}-{month:02d}-{tag}", ("a", "dx:Achievement"),
              ("rdfs:label", [text(f"{p.vi} {month:02d}/{year}: {indicator.vi.lower()} đạt {shown}", "vi"),
                              text(f"{p.en} {year}-{month:02d}: {indicator.en[0].lower()}{indicator.en[1:]} at {shown}", "en")]),
              ("dx:indicator", indicator.curie), ("dx:value", value), ("dx:unit", unit),
              ("dx:comparison", "comparison:more-than" if self.rng.random() < 0.2 else None),
              ("dx:observedOn", typed(f"{year}-{month:02d}", "gYearMonth")),
              ("dx:province", f"province:{p.slug}"), ("dcterms:source", src))

    def _ranking(self, f: TurtleFile, src: str, p: Province, year: int, tag: str, index: str,
                 pillar: str | None) -> None:
        rng = self.rng
        name, low, high = INDICES[index]
        edition = year - 1
        out_of = 34 if p.first_year == 2025 and p.slug.endswith("2025") else 63
        rank = rng.randint(1, out_of)
        suffix = f"-{pillar}" if pillar else ""
        f.add(f"ranking:{p.slug}-{index}-{edition}{suffix}-{tag}", ("a", "dx:Ranking"),
              ("rdfs:label", [text(f"{p.vi} xếp {rank}/{out_of} {name} {edition}", "vi"),
                              text(f"{p.en} ranked {rank} of {out_of}, {name} {edition}", "en")]),
              ("dx:index", f"index:{index}"), ("dx:editionYear", typed(edition, "gYear")),
              ("dx:pillar", f"pillar:{pillar}" if pillar else None),
              ("dx:rank", typed(rank, "integer")), ("dx:outOf", typed(out_of, "integer")),
              ("dx:score", typed(round(rng.uniform(low, high), 4), "decimal")),
              ("dx:province", f"province:{p.slug}"), ("dcterms:source", src))

    def _post(self, f: TurtleFile, src: str, p: Province, year: int) -> None:
        rng = self.rng
        name = self._name()
        base = slug = slugify(name)
        k = 2
        while slug in self.people or f"{ID}person/{slug}" in self.vocabulary.existing:
            slug, k = f"{base}-{k}", k + 1
        self.people.add(slug)
        role = rng.choice(tuple(ROLES))
        kind = "ubnd" if role in ("chair", "vice-chair") else "tinh-uy" if role == "secretary" else department(p)
        body = self.registry.body(p, kind)
        role_vi, role_en = ROLES[role]
        where_vi = {"ubnd": f"UBND {p.kind_vi()} {p.vi}", "tinh-uy": f"{'Thành' if p.city else 'Tỉnh'} ủy {p.vi}",
                    "so-tttt": f"Sở TT-TT {p.vi}", "so-khcn": f"Sở KH-CN {p.vi}"}[kind]
        where_en = {"ubnd": f"{p.en} People's Committee", "tinh-uy": f"{p.en} Party Committee",
                    "so-tttt": f"{p.en} Department of Information and Communications",
                    "so-khcn": f"{p.en} Department of Science and Technology"}[kind]
        f.add(f"person:{slug}", ("a", "dx:Person"), ("rdfs:label", [text(name, "vi"), text(name, "en")]),
              ("dcterms:source", src))
        f.add(f"post:{body.split(':')[1]}-{role}-{slug}", ("a", "dx:Post"),
              ("rdfs:label", [text(f"{role_vi} {where_vi}: {name}", "vi"), text(f"{role_en}, {where_en}: {name}", "en")]),
              ("dx:holder", f"person:{slug}"), ("dx:postIn", body), ("dx:role", f"role:{role}"), ("dcterms:source", src))


def department(p: Province) -> str:
    """Return the department that runs IT: Information and Communications, merged into Science and Technology in 2025."""
    return "so-khcn" if p.first_year >= 2025 else "so-tttt"


def count_triples(path: Path) -> int:
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.TURTLE)
    return len(store)


def generate(size: str, out: Path, seed: int = 6, data_dir: Path = ROOT / "data") -> int:
    """Write the dataset for `size` into out/ (replacing it); return its triple count with the ontology."""
    target = SIZES[size]
    if out.exists():
        shutil.rmtree(out)
    for folder in COPIED:
        shutil.copytree(data_dir / folder, out / folder)
    base = sum(count_triples(p) for p in out.rglob("*.ttl")) + count_triples(ONTOLOGY_TRIPLES_FILE)
    vocabulary = Vocabulary(data_dir)
    registry = Registry(vocabulary)
    writer = ArticleWriter(random.Random(seed), vocabulary, registry)
    total, n = base, 0
    provinces = vocabulary.provinces
    while total + registry.file.triples < target or n == 0:
        stem, article = writer.write(n, provinces[n % len(provinces)] if n < len(provinces) else writer.rng.choice(provinces))
        (out / "articles" / f"{stem}.ttl").write_text(article.render(), encoding="utf-8")
        total += article.triples
        n += 1
    (out / "registry" / f"{Registry.STEM}.ttl").write_text(registry.file.render(), encoding="utf-8")
    return total + registry.file.triples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=tuple(SIZES), default="10k")
    parser.add_argument("--out", type=Path, help="output folder (default: var/bench/SIZE/data)")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    out = args.out or ROOT / "var" / "bench" / args.size / "data"
    started = time.perf_counter()
    triples = generate(args.size, out, args.seed)
    files = sum(1 for _ in out.rglob("*.ttl"))
    print(f"wrote {out}: {files} files, about {triples:,} triples with the ontology "
          f"({time.perf_counter() - started:.1f} s); load with DXKG_DATA_DIR={out}")


if __name__ == "__main__":
    main()
