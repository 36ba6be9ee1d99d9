"""Deterministic content model of the alinea.id replica (pure: no I/O).

Everything is derived from ``seed`` through ``random.Random``; building the same
site twice gives identical articles, so tests can compare a crawl of the served
replica with ``Site.expected_item`` of an in-process copy.
"""
from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

NAV_SECTIONS = ("peristiwa", "politik", "bisnis", "kolom", "gaya-hidup")
OLD_SECTIONS = ("nasional", "ekonomi", "dunia")
SECTION_LABELS = {s: s.replace("-", " ").title() for s in NAV_SECTIONS + OLD_SECTIONS}

ZONES = {
    "WIB": timezone(timedelta(hours=7)),
    "WITA": timezone(timedelta(hours=8)),
    "WIT": timezone(timedelta(hours=9)),
}
NEWEST = datetime(2026, 11, 20, 12, 0, tzinfo=ZONES["WIB"])

AUTHORS = (
    "Nadia Lutfiana Mawarni", "Kudus Purnomo Wahidin", "Manda Firmansyah",
    "Marselinus Gual", "Fathor Rasi", "Immanuel Christian", "Gempita Surya",
    "Akbar Ridwan", "Hermansah", "Satriani Ari Wulan", "Erlinda Puspita",
    "Ayu Mumpuni", "Fandy Hutari", "Raihan Nugraha", "Dwi Setiawan",
)
TAGS = (
    "politik", "pemilu", "ekonomi", "banjir", "kesehatan", "pendidikan", "dpr",
    "kpk", "jakarta", "inflasi", "olahraga", "teknologi", "lingkungan", "hukum",
)
WORDS = tuple("""
pemerintah presiden menteri warga kota desa pasar harga beras minyak banjir
jalan tol sekolah guru siswa rumah sakit dokter pasien bantuan sosial anggaran
negara daerah provinsi kabupaten gubernur bupati polisi hakim jaksa sidang
kasus korupsi partai pemilu suara rakyat dewan kebijakan ekonomi investasi
ekspor impor petani nelayan laut hutan sungai gunung hujan kemarau listrik air
bersih sampah lingkungan teknologi digital internet data aplikasi pelajar
kampus mahasiswa penelitian kesehatan vaksin program kerja sama tahun bulan
pekan hari malam pagi baru lama besar kecil tinggi rendah cepat lambat naik
turun meningkat menurun menolak mendukung menyebut mengatakan menilai meminta
rencana proyek pembangunan infrastruktur bandara pelabuhan kereta kendaraan
transportasi wisata budaya seni musik film olahraga sepak bola tim pelatih
""".split())
PROPER = ("Jakarta", "Bandung", "Surabaya", "Medan", "Makassar", "DPR", "KPK",
          "Jokowi", "Papua", "Bali", "Kalimantan", "Sumatra")
TRAPS = (
    "Warga dapat menghubungi layanan 5×24 jam yang disediakan pemerintah daerah.",
    "Menurut dia, tulisan tersebut bukan sponsored content melainkan liputan redaksi.",
    "Kesenian Sunda kembali dipentaskan di alun-alun kota pada akhir pekan.",
    "Sunarti, salah seorang warga, mengaku sudah menunggu bantuan sejak pekan lalu.",
    "Pertunjukan bertajuk moonlight itu menarik ribuan penonton muda.",
)
DAYS = (("Senin",), ("Selasa",), ("Rabu",), ("Kamis",), ("Jumat", "Jum'at"),
        ("Sabtu",), ("Minggu",))
MONTHS = (
    ("Januari", "Jan"), ("Februari", "Feb"), ("Maret", "Mar"), ("April", "Apr"),
    ("Mei",), ("Juni", "Jun"), ("Juli", "Jul"), ("Agustus", "Agu", "Agt"),
    ("September", "Sep", "Sept"), ("Oktober", "Okt"), ("November", "Nov", "Nop"),
    ("Desember", "Des"),
)
CODE_CHARS = string.ascii_letters + string.digits
TEMPLATE_SETS = ("classic", "zoo")  # zoo: tests/replica/zoo.py serves about half the articles


@dataclass
class Article:
    code: str
    section: str
    listing_section: str
    slug: str
    layout: str  # "v2021" | "current" | "generic"
    title: str
    lead: str
    authors: list
    editor: str | None
    published: datetime
    tz: str
    published_raw: str
    modified: datetime | None
    tags: list
    image_url: str | None
    image_caption: str | None
    paragraphs: list
    listed: bool = True
    related: list = field(default_factory=list)
    related_mode: str = "static"  # "static" | "js" | "never" (public record: the list never fills)
    baca_juga: list = field(default_factory=list)
    # Public-record mode: where a listed article's card shows ("all": sections, home feed, /indeks, /rss;
    # "feed": the home feed only; "section": its section's listing only), and a page that answers 500 forever.
    reach: str = "all"
    page_broken: bool = False
    template: str = "classic"  # "classic" (the layout's own markup) or a tests/replica/zoo.py template
    pages: int = 1  # an article split over several pages (?page=N), its paragraphs shared out in order

    @property
    def path(self) -> str:
        return f"/{self.section}/{self.slug}-{self.code}"

    @property
    def local_published(self) -> datetime:
        return self.published.astimezone(ZONES[self.tz])

    @property
    def published_iso(self) -> str:
        return self.local_published.isoformat()

    @property
    def modified_iso(self) -> str | None:
        return self.modified.astimezone(ZONES[self.tz]).isoformat() if self.modified else None


# ---------------------------------------------------------------- text helpers

def slugify(text: str) -> str:
    return "-".join("".join(c for c in w.lower() if c.isalnum()) for w in text.split())


def _sentence(rng: random.Random, lo: int = 8, hi: int = 16) -> str:
    words = rng.choices(WORDS, k=rng.randint(lo, hi))
    if rng.random() < 0.4:
        words[rng.randrange(1, len(words))] = rng.choice(PROPER)
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _title_words(rng: random.Random) -> list:
    words = rng.choices(WORDS, k=rng.randint(5, 9))
    words.insert(rng.randrange(len(words)), rng.choice(PROPER))
    return words


def _paragraphs(rng: random.Random, trap: str | None) -> list:
    paras = [[_sentence(rng) for _ in range(rng.randint(2, 4))]
             for _ in range(rng.randint(4, 10))]
    if trap:
        paras[rng.randrange(len(paras))].insert(1, trap)
    return [" ".join(p) for p in paras]


def format_raw_date(rng: random.Random, local: datetime, tz: str) -> str:
    """A v2021-style visible date, e.g. ``Jumat, 31 Des 2021 13:15 WIB``."""
    day = rng.choice(DAYS[local.weekday()])
    month = rng.choice(MONTHS[local.month - 1])
    sep = " | " if rng.random() < 0.25 else " "
    return f"{day}, {local.day} {month} {local.year}{sep}{local:%H:%M} {tz}"


def display_date(a: Article) -> str:
    """Date shown on cards and in the ``current`` byline (long month)."""
    local = a.local_published
    return (f"{DAYS[local.weekday()][0]}, {local.day} {MONTHS[local.month - 1][0]} "
            f"{local.year} {local:%H:%M} {a.tz}")


# ---------------------------------------------------------------- generation

def _new_code(rng: random.Random, taken, lengths=(8, 9)) -> str:
    while True:
        code = "b" + "".join(rng.choices(CODE_CHARS, k=rng.choice(lengths)))
        if code not in taken:
            return code


def _pick_layout(rng: random.Random, index: int) -> str:
    if index and rng.random() < 1 / 12:
        return "generic"
    return "current" if index % 2 == 0 else "v2021"


def _pick_sections(rng: random.Random):
    listing = rng.choice(NAV_SECTIONS)
    return (rng.choice(OLD_SECTIONS) if rng.random() < 0.1 else listing), listing


def new_article(rng: random.Random, code: str, published: datetime, index: int,
                listed: bool = True) -> Article:
    layout = _pick_layout(rng, index)
    section, listing_section = _pick_sections(rng)
    words = _title_words(rng)
    title = " ".join(words)
    title = title[0].upper() + title[1:]
    current, generic = layout == "current", layout == "generic"
    n_authors = 0 if generic else rng.randint(1, 3) if current else 1
    tz = rng.choices(("WIB", "WITA", "WIT"), (8, 1, 1))[0]
    local = published.astimezone(ZONES[tz])
    trap = TRAPS[(index // 3) % len(TRAPS)] if index % 3 == 0 else None
    return Article(
        code=code, section=section, listing_section=listing_section,
        slug=slugify(title), layout=layout, title=title, lead=_sentence(rng, 10, 18),
        authors=rng.sample(AUTHORS, n_authors),
        editor=rng.choice(AUTHORS) if current else None,
        published=published, tz=tz, published_raw=format_raw_date(rng, local, tz),
        modified=published + timedelta(minutes=rng.randint(5, 600))
        if current and rng.random() < 0.7 else None,
        tags=rng.sample(TAGS, rng.randint(1, 4)) if current else [],
        image_url=None if generic else f"/img/{code}.jpg",
        image_caption=f"Ilustrasi {words[0].lower()} {words[1].lower()}. Foto: Alinea.id"
        if current else None,
        paragraphs=_paragraphs(rng, trap), listed=listed,
    )


def _sample_others(rng: random.Random, pool: list, k: int, code: str) -> list:
    picked = rng.sample(pool, min(k + 1, len(pool)))
    return [c for c in picked if c != code][:k]


def _link(rng: random.Random, a: Article, pool: list) -> None:
    """Fill related/baca_juga of ``a`` with codes from ``pool`` (listed articles)."""
    a.related = _sample_others(rng, pool, rng.randint(3, 5), a.code)
    a.related_mode = "static" if a.layout == "generic" else rng.choice(("static", "js"))
    if a.layout == "current":
        a.baca_juga = _sample_others(rng, pool, rng.randint(0, 2), a.code)


def _attach_hidden(rng: random.Random, articles: list) -> None:
    """Put every hidden article into the JS-filled related list of a listed one."""
    hidden = [a for a in articles if not a.listed]
    if not hidden:
        return
    hosts = [a for a in articles if a.listed and a.related_mode == "js"]
    if not hosts:
        articles[0].related_mode = "js"  # newest is always listed and not generic
        hosts = [articles[0]]
    hidden_codes = {a.code for a in hidden}
    for h in hidden:
        host = rng.choice(hosts)
        host.related.insert(rng.randint(0, len(host.related)), h.code)
        if len(host.related) > 5:
            visible = [c for c in host.related if c not in hidden_codes]
            if visible:
                host.related.remove(visible[0])


def _public_record(articles: list) -> None:
    """What the public record shows (SITE.md): "Berita Lainnya" never fills; some articles are only in the
    home feed, some only in their section's listing; some pages answer 500 forever (their AMP page works)."""
    for i, a in enumerate(articles):
        if a.layout != "generic":  # the generic template's list is in its HTML
            a.related_mode, a.related = "never", []
        if i >= 20 and i % 7 == 5:
            a.reach = "feed"
        elif i >= 10 and i % 7 == 3:
            a.reach = "section"
        a.page_broken = i % 11 == 4
    # Reached through listing cards only: a broken page (its card carries the date), a feed-only article.
    _unlink({a.code for a in articles if a.page_broken or a.reach == "feed"}, articles)


def _sitemap_only(articles: list, every: int) -> None:
    """Every ``every``-th article is in the sitemaps only: no listing card, no related link to it."""
    for i, a in enumerate(articles):
        if i and i % every == every - 1 and a.listed:
            a.reach = "sitemap"
    _unlink({a.code for a in articles if a.reach == "sitemap"}, articles)


def _multipage(articles: list, every: int) -> None:
    """Every ``every``-th article without inline "Baca juga" (v2021, generic) over 2 or 3 pages."""
    for i, a in enumerate(articles):
        if i % every == every - 1 and a.layout != "current" and len(a.paragraphs) >= 4:
            a.pages = min(2 + (i // every) % 2, len(a.paragraphs) // 2)


def page_paragraphs(a: Article, page_no: int) -> list:
    """The paragraphs page ``page_no`` (1-based) of a paged article shows."""
    size = -(-len(a.paragraphs) // a.pages)
    return a.paragraphs[(page_no - 1) * size:page_no * size]


def _unlink(card_only: set, articles: list) -> None:
    """No related list links these: they are reached only the way their mode says (a card, a sitemap)."""
    for a in articles:
        a.baca_juga = [c for c in a.baca_juga if c not in card_only]
        a.related = [c for c in a.related if c not in card_only]


def parse_hole(hole: str | None) -> tuple[date, date] | None:
    """``"2026-11-12/2026-11-14"``: the first and last day (WIB) on which no article is published."""
    if not hole:
        return None
    first, _, last = hole.partition("/")
    span = date.fromisoformat(first), date.fromisoformat(last or first)
    if span[0] > span[1]:
        raise ValueError(f"hole={hole!r}: the first day comes after the last")
    return span


def skip_hole(when: datetime, hole: tuple[date, date] | None) -> datetime:
    """``when``, or noon (WIB) of the day before the hole when ``when`` falls in it: the range stays empty."""
    if hole and hole[0] <= when.astimezone(ZONES["WIB"]).date() <= hole[1]:
        return datetime.combine(hole[0] - timedelta(days=1), time(12), ZONES["WIB"])
    return when


class Site:
    """The whole replica: articles newest first plus prebuilt indexes."""

    def __init__(self, articles: int = 24, seed: int = 2021, hidden_every: int = 8,
                 templates: str = "classic", public_record: bool = False, hole: str | None = None,
                 sitemap_only_every: int = 0, multipage_every: int = 0):
        if hidden_every == 1:
            raise ValueError("hidden_every=1 would hide every article")
        if templates not in TEMPLATE_SETS:
            raise ValueError(f"templates={templates!r}: expected one of {TEMPLATE_SETS}")
        hidden_every = 0 if public_record else hidden_every  # a list that never fills hides nothing
        self.seed, self.hidden_every, self.templates = seed, hidden_every, templates
        self.public_record = public_record
        self.sections = NAV_SECTIONS
        self.nav_sections = () if public_record else NAV_SECTIONS  # public record: no section links in the menu
        rng = random.Random(seed)
        self.articles: list = []
        self.by_code: dict = {}
        when, empty = NEWEST, parse_hole(hole)
        for i in range(articles):
            when = skip_hole(when, empty)
            hidden = hidden_every > 0 and i % hidden_every == hidden_every - 1
            self._add(new_article(rng, _new_code(rng, self.by_code), when, i, not hidden))
            when -= timedelta(minutes=rng.randint(37, 300))
        pool = [a.code for a in self.articles if a.listed]
        for a in self.articles:
            _link(rng, a, pool)
        _attach_hidden(rng, self.articles)
        if public_record:
            _public_record(self.articles)
        if sitemap_only_every:
            _sitemap_only(self.articles, sitemap_only_every)
        if multipage_every:
            _multipage(self.articles, multipage_every)
        self._pick_templates(self.articles)
        vrng = random.Random(f"{seed}:video")
        self.video_code = _new_code(vrng, self.by_code, lengths=(8,))
        self.video_slug = slugify(" ".join(_title_words(vrng)))
        self._reindex()

    def _pick_templates(self, articles) -> None:
        """``zoo``: about half the articles get a zoo template, by code (the rng stream is untouched)."""
        if self.templates != "zoo":
            return
        from . import zoo
        for a in articles:
            a.template = zoo.template_for(a.code)
        for a in articles:
            if a.template != "classic":
                a.baca_juga = zoo.baca_juga_shown(self, a)

    def _add(self, a: Article, front: bool = False) -> None:
        self.articles.insert(0, a) if front else self.articles.append(a)
        self.by_code[a.code] = a

    def _reindex(self) -> None:
        self.listed_articles = [a for a in self.articles if a.listed]
        self.hidden_articles = [a for a in self.articles if not a.listed]
        self._listings = {s: [] for s in self.sections}
        self.home_feed = [a for a in self.listed_articles if a.reach in ("all", "feed")]
        self.latest = [a for a in self.listed_articles if a.reach == "all"]  # /indeks, /rss, "popular"
        self.by_tag, self.by_author = {}, {}
        for a in self.listed_articles:
            if a.reach in ("all", "section"):
                self._listings.setdefault(a.listing_section, []).append(a)
            for t in a.tags:
                self.by_tag.setdefault(t, []).append(a)
            for name in a.authors:
                self.by_author.setdefault(slugify(name), []).append(a)

    @property
    def video_path(self) -> str:
        return f"/video/{self.video_slug}-{self.video_code}"

    def listing(self, section: str) -> list:
        """A section's cards, newest first; ``""`` is the home feed (paged only in public-record mode)."""
        if section == "" and self.public_record:
            return self.home_feed
        return self._listings.get(section, [])

    def publish(self, k: int) -> list:
        """Add ``k`` listed articles newer than all others; returns their codes, newest first."""
        rng = random.Random(f"{self.seed}:publish:{len(self.articles)}")
        pool = [a.code for a in self.listed_articles]
        taken = set(self.by_code) | {self.video_code}
        when, new = self.articles[0].published if self.articles else NEWEST, []
        for j in range(k):
            when += timedelta(minutes=rng.randint(37, 300))
            a = new_article(rng, _new_code(rng, taken), when, len(self.articles) + j)
            taken.add(a.code)
            _link(rng, a, pool)
            a.related_mode = "static"
            new.append(a)
        for a in new:
            self._add(a, front=True)
        self._pick_templates(new)
        self._reindex()
        return [a.code for a in reversed(new)]

    def edit(self, k: int) -> list:
        """Edit the ``k`` newest listed articles (a sentence added to the body); returns their codes."""
        edited = self.listed_articles[:k]
        for a in edited:
            rng = random.Random(f"{self.seed}:edit:{a.code}:{len(a.paragraphs)}")
            a.paragraphs = a.paragraphs + [_sentence(rng)]
        return [a.code for a in edited]

    def expected_item(self, a: Article, base_url: str) -> dict:
        """The item a perfect crawler extracts from the page of ``a``."""
        if a.template != "classic":
            from . import zoo
            return zoo.expected_item(self, a, base_url)
        base = base_url.rstrip("/")
        related = dict.fromkeys(base + self.by_code[c].path for c in a.baca_juga + a.related)
        return {
            "url": base + a.path,
            "article_id": a.code,
            "section": a.section,
            "title": a.title,
            "lead": None if a.layout == "generic" else a.lead,
            "authors": list(a.authors),
            "editor": a.editor,
            "published_at": a.published_iso,
            "published_at_raw": a.published_raw if a.layout == "v2021" else a.published_iso,
            "modified_at": a.modified_iso,
            "tags": list(a.tags),
            "image_url": base + a.image_url if a.image_url else None,
            "image_caption": a.image_caption,
            "body": "\n\n".join(a.paragraphs),
            "related_urls": list(related),
            "layout": a.layout,
        }

    def expected_amp_item(self, a: Article, base_url: str) -> dict:
        """The item a perfect crawler reads from the AMP page of ``a``, dated by the listing card that linked it."""
        base = base_url.rstrip("/")
        return {
            "url": base + a.path, "article_id": a.code, "section": a.section, "title": a.title,
            "lead": a.lead, "authors": [], "editor": None,
            "published_at": a.published_iso, "published_at_raw": display_date(a), "modified_at": None,
            "tags": [], "image_url": base + a.image_url if a.image_url else None,
            "image_caption": amp_caption(a), "body": "\n\n".join(a.paragraphs), "related_urls": [], "layout": "amp",
        }


def amp_caption(a: Article) -> str | None:
    """The AMP page's image caption: the article's own, else the stock-photo credit the public copies show."""
    return (a.image_caption or "Ilustrasi. iStock") if a.image_url else None


def build_site(articles: int = 24, seed: int = 2021, hidden_every: int = 8,
               templates: str = "classic", public_record: bool = False, hole: str | None = None,
               sitemap_only_every: int = 0, multipage_every: int = 0) -> Site:
    return Site(articles=articles, seed=seed, hidden_every=hidden_every, templates=templates,
                public_record=public_record, hole=hole, sitemap_only_every=sitemap_only_every,
                multipage_every=multipage_every)
