"""Page language and UI strings (vi, en); numbers, quantities and dates formatted for the language."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from jinja2 import Environment, pass_context
from markupsafe import Markup, escape

Lang = Literal["vi", "en"]
LANGUAGES: tuple[Lang, ...] = ("vi", "en")
DEFAULT_LANG: Lang = "vi"
# The cookie the visible language switch sets; `?lang=` still wins over it.
LANG_COOKIE = "dxkg_lang"
# What an HTML page's language depends on, besides `?lang=` (which is in the URL).
LANGUAGE_VARY = "Accept-Language, Cookie"
LANGUAGE_NAMES: dict[str, str] = {"vi": "Tiếng Việt", "en": "English"}

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# xsd:date, xsd:dateTime, xsd:gYearMonth, xsd:gYear, xsd:gMonthDay (a time zone suffix is ignored).
_DATE = re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)(?:T[0-9:.]+)?(?:Z|[+-]\d\d:\d\d)?")
_YEAR_MONTH = re.compile(r"(-?\d{4,})-(\d\d)(?:Z|[+-]\d\d:\d\d)?")
_YEAR = re.compile(r"(-?\d{4,})(?:Z|[+-]\d\d:\d\d)?")
_MONTH_DAY = re.compile(r"--(\d\d)-(\d\d)(?:Z|[+-]\d\d:\d\d)?")

# Comparison concepts (`id:comparison/{name}`) as the sign written before a value.
COMPARISON_SIGNS = {"at-least": "≥", "more-than": ">", "at-most": "≤", "less-than": "<", "approximately": "≈"}
# Unit concepts (`id:unit/{name}`) written after a value: (vi, en); the space before `%` is Vietnamese usage.
UNIT_SUFFIXES = {"percent": (" %", "%"), "percent-per-year": (" %/năm", "%/yr")}

MESSAGES: dict[str, tuple[str, str]] = {
    # site
    "skip": ("Bỏ qua điều hướng", "Skip to content"),
    "nav.main": ("Điều hướng chính", "Main"),
    "nav.provinces": ("Tỉnh, thành phố", "Provinces"),
    "nav.queries": ("Truy vấn mẫu", "Queries"),
    "nav.ontology": ("Ontology", "Ontology"),
    "nav.downloads": ("Tải dữ liệu", "Downloads"),
    "nav.language": ("Ngôn ngữ", "Language"),
    "search": ("Tìm kiếm", "Search"),
    "search.go": ("Tìm", "Search"),
    "search.placeholder": ("Tìm tỉnh, nghị quyết, đối tác…", "Find provinces, resolutions, partners…"),
    "search.hint": ("Tìm theo tên (có hoặc không dấu)", "Find by name (with or without diacritics)"),
    "search.example": ("ví dụ: hau giang", "e.g. hau giang"),
    "home": ("Trang chủ", "Home"),
    "back.home": ("Về trang chủ", "Back to the home page"),
    "footer.licence": ("Giấy phép CC BY 4.0", "Licence CC BY 4.0"),
    # home
    "home.title": ("Đồ thị tri thức chuyển đổi số cấp tỉnh", "Knowledge graph of provincial digital transformation"),
    "home.lead": ("Chương trình, mục tiêu, kết quả, xếp hạng, thỏa thuận và hệ thống thông tin của chính quyền số "
                  "cấp tỉnh ở Việt Nam, với nguồn của từng dữ kiện.",
                  "Vietnam's provincial digital-government programmes, targets, achievements, rankings, agreements "
                  "and information systems, each fact with its source."),
    "home.triples": ("bộ ba", "triples"),
    "home.graphs": ("đồ thị có tên", "named graphs"),
    "home.entities": ("thực thể", "entities"),
    "home.version": ("phiên bản dữ liệu", "data version"),
    "home.compare": ("So sánh các tỉnh", "Provinces compared"),
    "home.compare.caption": ("Các tỉnh được các nguồn mô tả: thứ hạng DTI (kỳ 2022 và kỳ mới nhất có trong đồ "
                             "thị) và số dữ kiện mỗi loại. Bấm tiêu đề cột để sắp xếp.",
                             "Provinces the sources describe: DTI rank (the 2022 edition and the latest in the "
                             "graph) and how many facts of each kind. Select a column heading to sort."),
    "home.link.dti": ("Xếp hạng DTI của 63 tỉnh, thành phố theo từng kỳ", "DTI ranks of the 63 provinces, by edition"),
    "home.link.indicators": ("Danh mục chỉ tiêu", "Indicators"),
    "home.provinces": ("Các tỉnh trong các bài báo", "Provinces the articles are about"),
    "home.facts": ("dữ kiện", "facts"),
    "home.contents": ("Đồ thị có gì", "What the graph holds"),
    "home.classes": ("Số thực thể theo lớp", "Entities by class"),
    "home.latest": ("Nguồn mới nhất", "Latest sources"),
    "home.sources": ("Tất cả nguồn dữ liệu", "All sources"),
    "col.entity_type": ("Loại thực thể", "Entity type"),
    "col.class": ("Lớp", "Class"),
    "col.count": ("Số lượng", "Count"),
    "col.by_class": ("Theo lớp", "By class"),
    "col.kind": ("Loại", "Kind"),
    "col.triples": ("Bộ ba", "Triples"),
    "col.province": ("Tỉnh, thành phố", "Province"),
    "col.dti2022": ("DTI 2022", "DTI 2022"),
    "col.dti_latest": ("DTI mới nhất", "Latest DTI"),
    "col.documents": ("Văn bản", "Documents"),
    "col.resolutions": ("Nghị quyết", "Resolutions"),
    "col.systems": ("Hệ thống", "Systems"),
    "col.platform_kinds": ("Loại nền tảng", "Platform kinds"),
    "col.partners": ("Đối tác", "Partners"),
    "col.targets": ("Chỉ tiêu", "Targets"),
    "col.achievements": ("Kết quả", "Results"),
    "col.source": ("Nguồn", "Source"),
    "col.date": ("Ngày", "Date"),
    "col.year": ("Năm", "Year"),
    "col.level": ("Cấp", "Level"),
    "col.indicator": ("Chỉ tiêu", "Indicator"),
    "col.target": ("Mục tiêu", "Target"),
    "col.achieved": ("Đạt được", "Achieved"),
    "col.achieved_on": ("Thời điểm", "As of"),
    "col.rank": ("Hạng", "Rank"),
    "col.score": ("Điểm", "Score"),
    "col.pillar": ("Trụ cột", "Pillar"),
    "col.index": ("Chỉ số", "Index"),
    "col.edition": ("Kỳ", "Edition"),
    "col.set_by": ("Văn bản đặt ra", "Set by"),
    "col.partner": ("Đối tác", "Partner"),
    "col.parties": ("Các bên", "Parties"),
    "col.period": ("Giai đoạn", "Period"),
    "col.signed": ("Ngày ký", "Signed"),
    "col.system": ("Hệ thống", "System"),
    "col.locality": ("Địa bàn", "Locality"),
    "col.operator": ("Đơn vị vận hành", "Operated by"),
    "col.provider": ("Đơn vị cung cấp", "Provided by"),
    "col.since": ("Từ", "Since"),
    "col.number": ("Số hiệu", "Number"),
    "col.issuer": ("Cơ quan ban hành", "Issued by"),
    "col.value": ("Giá trị", "Value"),
    "col.statement": ("Phát biểu", "Statement"),
    "entry.targets": ("Chỉ tiêu", "Targets"),
    "entry.rankings": ("Xếp hạng", "Rankings"),
    "entry.platforms": ("Nền tảng", "Platforms"),
    "entry.documents": ("Văn bản", "Documents"),
    # province page
    "province.kicker": ("Đơn vị hành chính cấp tỉnh", "Provincial-level unit"),
    "province.code": ("Mã", "Code"),
    "province.valid": ("Hiệu lực", "Valid"),
    "province.region": ("Vùng", "Region"),
    "province.glance": ("Tóm tắt", "At a glance"),
    "province.glance.documents": ("văn bản", "documents"),
    "province.glance.partners": ("đối tác", "partners"),
    "province.glance.systems": ("hệ thống", "systems"),
    "province.glance.targets": ("chỉ tiêu", "targets"),
    "province.glance.indices": ("chỉ số xếp hạng", "ranking indices"),
    "province.documents": ("Nghị quyết, kế hoạch và chương trình", "Resolutions, plans and programmes"),
    "province.documents.none": ("Chưa có văn bản nào trong đồ thị.", "No documents in the graph yet."),
    "province.undated": ("không ghi ngày", "no date given"),
    "province.partners": ("Đối tác và thỏa thuận", "Partners and agreements"),
    "province.partners.none": ("Chưa có thỏa thuận nào trong đồ thị.", "No agreements in the graph yet."),
    "province.platforms": ("Nền tảng và hệ thống thông tin", "Platforms and information systems"),
    "province.platforms.none": ("Chưa có hệ thống nào trong đồ thị.", "No systems in the graph yet."),
    "province.targets": ("Chỉ tiêu và kết quả", "Targets and results"),
    "province.targets.none": ("Chưa có chỉ tiêu nào trong đồ thị.", "No targets in the graph yet."),
    "province.targets.year": ("Chỉ tiêu đến năm {year}", "Targets for {year}"),
    "province.targets.noyear": ("Chỉ tiêu không ghi năm", "Targets without a year"),
    "province.targets.note": ("Mỗi chỉ tiêu đặt cạnh kết quả gần nhất của cùng chỉ số, cùng cấp, cùng tỉnh.",
                              "Each target is shown next to the latest result for the same indicator, level and "
                              "province."),
    "province.rankings": ("Lịch sử xếp hạng", "Ranking history"),
    "province.rankings.none": ("Chưa có xếp hạng nào trong đồ thị.", "No rankings in the graph yet."),
    "province.merger": ("Sắp xếp đơn vị hành chính 2025", "The 2025 reorganisation"),
    "province.merged_into": ("{unit} được hợp nhất vào {successor} từ ngày {date}.",
                             "{unit} was merged into {successor} on {date}."),
    "province.merged_into.short": ("Từ ngày {date} đã hợp nhất vào", "Merged on {date} into"),
    "province.results.other": ("Kết quả chưa gắn với chỉ tiêu", "Results without a target"),
    "province.merged_with": ("Cùng hợp nhất:", "Merged together with:"),
    "province.formed_from": ("{unit} được thành lập từ ngày {date} trên cơ sở hợp nhất:",
                             "{unit} was formed on {date} by merging:"),
    "province.legal_basis": ("Căn cứ:", "Legal basis:"),
    "province.description": ("Mọi dữ kiện về đơn vị này", "Every fact about this unit"),
    "province.description.lead": ("Các thuộc tính và liên kết dạng dữ liệu liên kết, với đồ thị nguồn.",
                                  "Its properties and links as linked data, with the source graphs."),
    # charts
    "chart.target": ("Mục tiêu", "Target"),
    "chart.achieved": ("Đạt được", "Achieved"),
    "chart.no_result": ("chưa có kết quả", "no result yet"),
    "chart.bars.title": ("Mục tiêu và kết quả gần nhất: {what}", "Targets and latest results: {what}"),
    "chart.results.only_percent": ("Biểu đồ vẽ các kết quả tính bằng phần trăm; bảng liệt kê tất cả.",
                                   "The chart draws the results measured in percent; the table lists all."),
    "chart.results.title": ("Kết quả đạt được: {what}", "Results achieved: {what}"),
    "chart.bars.only_percent": ("Biểu đồ vẽ các chỉ tiêu tính bằng phần trăm; bảng liệt kê tất cả.",
                                "The chart draws the targets measured in percent; the table lists all."),
    "chart.ranks.title": ("Thứ hạng {index} của {unit} theo kỳ (hạng 1 ở trên cùng)",
                          "{index} rank of {unit} by edition (rank 1 at the top)"),
    "chart.table": ("Số liệu của biểu đồ", "The chart's figures"),
    "chart.rank_of": ("hạng {rank}/{out_of}", "rank {rank} of {out_of}"),
    # documents and other pages
    "doc.what": ("Văn bản", "Document"),
    "doc.title": ("Trích yếu", "Title"),
    "doc.issued": ("Ngày ban hành", "Issued on"),
    "doc.concerns": ("Địa bàn", "Concerns"),
    "doc.period": ("Giai đoạn", "Period"),
    "doc.vision": ("Tầm nhìn đến", "Vision to"),
    "doc.implements": ("Thực hiện", "Implements"),
    "doc.implemented_by": ("Được thực hiện bởi", "Implemented by"),
    "doc.topics": ("Chủ đề", "Topics"),
    "doc.targets": ("Chỉ tiêu văn bản đặt ra", "Targets it sets"),
    "doc.basis_of": ("Là căn cứ của", "Legal basis of"),
    "doc.notes": ("Ghi chú", "Notes"),
    "sources": ("Nguồn", "Sources"),
    "partner.kicker": ("Đối tác", "Partner"),
    "partner.parent": ("Thuộc", "Part of"),
    "partner.branches": ("Đơn vị thành viên", "Branches"),
    "partner.agreements": ("Thỏa thuận", "Agreements"),
    "partner.systems": ("Hệ thống cung cấp", "Systems it provides"),
    "partner.provinces": ("Các tỉnh", "Provinces"),
    "partner.people": ("Người đại diện", "People"),
    "platform.kicker": ("Loại nền tảng", "Platform kind"),
    "platform.systems": ("Các hệ thống thuộc loại này", "Systems of this kind"),
    "platform.provinces": ("{n} tỉnh có hệ thống loại này", "{n} provinces have a system of this kind"),
    "indicator.kicker": ("Chỉ số", "Indicator"),
    "indicator.unit": ("Đơn vị mặc định", "Default unit"),
    "indicator.targets": ("Chỉ tiêu của các tỉnh", "Every province's targets"),
    "indicator.achievements": ("Kết quả của các tỉnh", "Every province's results"),
    "indicator.none": ("Chưa có số liệu.", "No figures yet."),
    "index.kicker": ("Chỉ số xếp hạng", "Ranking index"),
    "index.edition": ("Kỳ {year}", "Edition {year}"),
    "index.published": ("Công bố năm {year} (không ghi kỳ)", "Published in {year} (edition not stated)"),
    "index.provinces": ("{n} tỉnh, thành phố", "{n} provinces"),
    "index.pillars": ("Theo trụ cột", "By pillar"),
    "index.history": ("Diễn biến thứ hạng", "Ranks over time"),
    "index.history.lead": ("Các tỉnh có thứ hạng ở ít nhất hai kỳ.", "Provinces ranked in at least two editions."),
    "rank.published": ("năm công bố", "year published"),
    "rank.overall": ("Tổng thể", "Overall"),
    "source.original": ("bài gốc", "original"),
    "index.other_statement": ("nguồn khác ghi {rank}", "another source says {rank}"),
    "entity.types": ("Loại:", "Type:"),
    "entity.linked_from": ("Được liên kết từ", "Linked from"),
    "entity.values": ("Giá trị", "Values"),
    "entity.graphs": ("Đồ thị có tên", "Named graphs"),
    "machine": ("Dữ liệu máy đọc được", "Machine-readable data"),
    # long lists: the first rows on an entity page, every row on the list's own pages
    "list.shown": ("Đang hiện {shown} trên {total}.", "Showing {shown} of {total}."),
    "list.all": ("Xem tất cả {total}", "See all {total}"),
    "list.rows": ("Dòng {first}–{last} trên {total}", "Rows {first}–{last} of {total}"),
    "list.pages": ("Các trang", "Pages"),
    "list.page": ("Trang {page}/{pages}", "Page {page} of {pages}"),
    "list.previous": ("Trang trước", "Previous page"),
    "list.next": ("Trang sau", "Next page"),
    "list.empty": ("Danh sách trống.", "The list is empty."),
    "index.editions": ("Các kỳ xếp hạng", "Editions"),
    "index.edition_page": ("Xếp hạng đầy đủ của kỳ, theo trụ cột", "The edition's full ranks, by pillar"),
    "index.older": ("Các kỳ trước", "Earlier editions"),
}


def message(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """Return the UI string `key` in `lang`, with `{name}` placeholders filled; the key itself if unknown."""
    pair = MESSAGES.get(key)
    text = key if pair is None else pair[1 if lang == "en" else 0]
    return text.format(**values) if values else text


def parse_accept_language(header: str | None) -> list[tuple[str, float]]:
    """Return the language ranges of an Accept-Language header (RFC 9110 §12.5.4), highest q first."""
    ranges: list[tuple[str, float, int]] = []
    for position, item in enumerate((header or "").split(",")[:32]):
        parts = [p.strip() for p in item.split(";")]
        tag = parts[0].lower()
        if not tag:
            continue
        q = 1.0
        for param in parts[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        ranges.append((tag, q, position))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(tag, q) for tag, q, _ in ranges]


def choose_language(query: str | None, cookie: str | None, accept_language: str | None) -> Lang:
    """Return the page language: `?lang=`, else the switch's cookie, else Accept-Language, else Vietnamese."""
    for explicit in (query, cookie):
        if explicit in LANGUAGES:
            return explicit  # type: ignore[return-value]
    for tag, q in parse_accept_language(accept_language):
        primary = tag.split("-")[0]
        if q > 0 and primary in LANGUAGES:
            return primary  # type: ignore[return-value]
        if q > 0 and tag == "*":
            return DEFAULT_LANG
    return DEFAULT_LANG


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def format_number(value: object, lang: str = DEFAULT_LANG) -> str:
    """Return a number as the language writes it: `400.345` and `98,96` in vi, `400,345` and `98.96` in en.

    The digits are the value's own (no rounding); a value that is not a number is returned as text."""
    number = _decimal(value)
    if number is None or not number.is_finite():
        return "" if value is None else str(value)
    sign = "-" if number < 0 else ""
    text = format(abs(number), "f")
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    group, point = (",", ".") if lang == "en" else (".", ",")
    grouped = f"{int(whole):,}".replace(",", group)
    return sign + grouped + (point + fraction if fraction else "")


def format_percent(value: object, lang: str = DEFAULT_LANG) -> str:
    """Return a percentage: `98,96 %` in vi, `98.96%` in en."""
    return format_number(value, lang) + (UNIT_SUFFIXES["percent"][1 if lang == "en" else 0])


def format_quantity(value: object, lang: str = DEFAULT_LANG, unit: str | None = None,
                    comparison: str | None = None, value_max: object = None) -> str:
    """Return a target or result: its comparison sign, value (or range) and unit, e.g. `≥ 80 %` / `≥ 80%`.

    `unit` and `comparison` are the local names of the unit and comparison concepts (`percent`, `at-least`)."""
    en = lang == "en"
    amount = format_number(value, lang)
    if value_max is not None and str(value_max) != "":
        amount = f"{amount}–{format_number(value_max, lang)}"
    if unit in UNIT_SUFFIXES:
        amount += UNIT_SUFFIXES[unit][1 if en else 0]
    elif unit == "rank":
        if comparison == "at-most":
            return f"top {amount}" if en else f"trong nhóm {amount} đầu"
        amount = f"rank {amount}" if en else f"hạng {amount}"
    sign = COMPARISON_SIGNS.get(comparison or "")
    return f"{sign} {amount}" if sign else amount


def format_date(value: object, lang: str = DEFAULT_LANG) -> str:
    """Return an xsd date, dateTime, gYearMonth, gYear or gMonthDay for the language.

    vi: `20/01/2022`, `04/2022`, `2022`, `13/04`; en: `20 Jan 2022`, `Apr 2022`, `2022`, `13 Apr`.
    Anything else is returned as it is."""
    text = "" if value is None else str(value).strip()
    en = lang == "en"
    if m := _DATE.fullmatch(text):
        year, month, day = m.group(1), int(m.group(2)), int(m.group(3))
        if 1 <= month <= 12:
            return f"{day} {MONTHS_EN[month - 1]} {year}" if en else f"{day:02d}/{month:02d}/{year}"
    elif m := _YEAR_MONTH.fullmatch(text):
        year, month = m.group(1), int(m.group(2))
        if 1 <= month <= 12:
            return f"{MONTHS_EN[month - 1]} {year}" if en else f"{month:02d}/{year}"
    elif m := _YEAR.fullmatch(text):
        return m.group(1)
    elif m := _MONTH_DAY.fullmatch(text):
        month, day = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return f"{day} {MONTHS_EN[month - 1]}" if en else f"{day:02d}/{month:02d}"
    return text


def format_period(start: object, end: object, lang: str = DEFAULT_LANG) -> str:
    """Return a period such as `2021–2025` (either end may be missing: `2021–`, `–2025`)."""
    first, last = format_date(start, lang) if start else "", format_date(end, lang) if end else ""
    if first and first == last:
        return first
    return f"{first}–{last}" if first or last else ""


def _context_lang(context: Mapping[str, Any], lang_of: Callable[[Any], str]) -> str:
    lang = context.get("lang")
    if lang in LANGUAGES:
        return lang
    request = context.get("request")
    return lang_of(request) if request is not None else DEFAULT_LANG


def _in_page_language(helper: Callable[..., Any], current: Callable[[Mapping[str, Any]], str]) -> Callable[..., Any]:
    """Return a template global calling `helper(lang, ...)` with the page's language."""
    return pass_context(lambda context, *args: helper(current(context), *args))


def install(env: Environment, lang_of: Callable[[Any], str]) -> None:
    """Add the page helpers to a Jinja environment; each reads the page language from the context.

    Globals: `t(key, **values)` (UI string), `page_lang()`, `languages`, `language_names`, and the
    markup of terms and figures (`dxkg.markup`: `link`, `links`, `source`, `when`, `period`, `qty`, `result`).
    Filters: `number`, `percent`, `quantity(unit, comparison, value_max)`, `date`, `period(end)`.
    `lang_of(request)` gives the language of a page rendered without a `lang` variable (error pages)."""

    def current(context: Mapping[str, Any]) -> str:
        return _context_lang(context, lang_of)

    def translate(context: Mapping[str, Any], key: str, **values: object) -> Markup:
        # Placeholders may take markup (a <time>, a link) from the template; plain values are escaped.
        return Markup(escape(message(key, current(context)))).format(**values)

    from . import markup  # markup formats with this module's functions

    env.globals.update(
        t=pass_context(translate),
        page_lang=pass_context(current),
        languages=LANGUAGES,
        language_names=LANGUAGE_NAMES,
        **{name: _in_page_language(helper, current) for name, helper in markup.HELPERS.items()},
    )
    env.filters.update(
        number=pass_context(lambda context, value: format_number(value, current(context))),
        percent=pass_context(lambda context, value: format_percent(value, current(context))),
        quantity=pass_context(lambda context, value, unit=None, comparison=None, value_max=None:
                              format_quantity(value, current(context), unit, comparison, value_max)),
        date=pass_context(lambda context, value: format_date(value, current(context))),
        period=pass_context(lambda context, start, end=None: format_period(start, end, current(context))),
    )
