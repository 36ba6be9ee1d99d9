"""Cleaning traps: boilerplate goes by element or whole line; real text containing its words stays."""

import pytest
from parsel import Selector

from alinea_crawler.cleaning import boilerplate_rule, clean_paragraphs, drop_boilerplate_elements
from alinea_crawler.pipelines import split_authors


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Sponsored", "ad_label"),
        ("  SPONSORED ", "ad_label"),
        ("sun", "theme_toggle"),
        ("moon", "theme_toggle"),
        ("a l i n e a dot id", "logo_text"),
        ("logo alinea.id", "logo_text"),
        ("fakta data kata", "tagline"),
        ("×", "popup_close"),
        ("tekid", "widget"),
        ("Berita Lainnya", "related_heading"),
        ("Baca juga: Harga beras naik lagi", "baca_juga"),
        ("Editor: Dewi Anggraini", "editor_line"),
        ("Penyunting: Fathor Rasi", "editor_line"),
        # calls to action: an invitation opening a short line that names a channel
        ("Simak berita lainnya di Google News", "call_to_action"),
        ("Ikuti saluran WhatsApp Alinea.id untuk kabar terkini", "call_to_action"),
        ("Simak juga video berikut:", "call_to_action"),
        ("Follow Instagram @alinea.id", "call_to_action"),
        ("Gabung channel Telegram kami di t.me/alinea", "call_to_action"),
        ("Saksikan video pilihan di TikTok kami", "call_to_action"),
        # article pagers, comment headings, related-box headings
        ("Halaman 1 2 Selanjutnya", "pager"),
        ("Halaman: 1 2 3", "pager"),
        ("Page 2 of 3", "pager"),
        ("1 2 3 Selanjutnya »", "pager"),
        ("« Sebelumnya", "pager"),
        ("3 Komentar", "comments_heading"),
        ("Tulis komentar Anda", "comments_heading"),
        ("Berita Terkait", "related_heading_other"),
        ("Artikel Terkait", "related_heading_other"),
        # their English forms on pages of other publishers
        ("Read more: Tencent profit falls as Alibaba threat weighs", "baca_juga"),
        ("Related: The 15 Weirdest Galaxies in Our Universe", "baca_juga"),
        ("You may also like...", "related_heading_other"),
        ("Popular on IndieWire", "related_heading_other"),
        ("DON'T MISS", "related_heading_other"),
        ("Tags", "widget_label"),
        ("Share on Facebook", "widget_label"),
        ("Click here to subscribe to The Paradigm Newsletter", "call_to_action"),
    ],
)
def test_whole_boilerplate_lines_are_recognised(line, rule):
    assert boilerplate_rule(line) == rule


@pytest.mark.parametrize(
    "line",
    [
        "Pelanggan dijanjikan layanan 5×24 jam oleh operator.",
        "Media wajib menandai sponsored content secara jelas.",
        "Sponsored oleh pemerintah daerah, acara itu ramai.",
        "Sunda",
        "Sunarti menikmati moonlight di Bali.",
        "Fakta data kata itu jadi slogan yang dikenal pembaca.",
        "Ia membaca juga laporan itu.",
        "Editor: pekerjaan ini menuntut ketelitian. Semua naskah dibaca dua kali.",
        # sentences that only mention a channel, a comment, a page or a video stay
        "Lalu lintas dari Google News turun tajam sejak Oktober.",
        "Komentar warganet di Instagram ramai membahas kebijakan itu.",
        "Video itu viral di TikTok dan Instagram sejak Senin.",
        "Ikuti perkembangan kasus ini, polisi telah memeriksa 10 saksi.",
        "Simak penjelasan lengkap menteri berikut ini.",
        "Halaman 5 laporan itu menyebut angka kemiskinan naik.",
        "Berita terkait banjir itu dibaca jutaan orang.",
        "2024",
        "Selanjutnya, polisi memeriksa saksi.",
        "Read more about the case in the court filing.",
        "More than 100 protesters were killed.",
        "Also on Monday the ministry announced new rules for imports.",
        "Tags were attached to each bird before release.",
        "Related research found the same effect.",
    ],
)
def test_real_text_with_boilerplate_words_survives(line):
    assert boilerplate_rule(line) is None
    assert clean_paragraphs([line]).text == line


def test_clean_paragraphs_counts_each_removed_line():
    cleaned = clean_paragraphs(["Satu.", "Sponsored", "", "Dua  kalimat.", "×", "sun"])
    assert cleaned.text == "Satu.\n\nDua kalimat."
    assert cleaned.removed == {"ad_label": 1, "popup_close": 1, "theme_toggle": 1}


def test_boilerplate_elements_are_dropped_by_structure_and_counted_once():
    sel = Selector(text="""<div class="body">
        <p>Paragraf satu, layanan 5×24 jam.</p>
        <div class="ads-slot"><div class="ads-label">Sponsored</div><div id="div-gpt-ad-1"></div></div>
        <p><strong>Baca juga:</strong> <a href="/politik/x-b2k8w9PZK">Judul lain</a></p>
        <figure><img src="a.jpg"><figcaption>Keterangan foto</figcaption></figure>
        <p>Paragraf dua tentang sponsored content.</p>
        <script>var x = 1;</script>
    </div>""")
    container = sel.css("div.body")[0]
    removed = drop_boilerplate_elements(container)
    assert removed == {"ad_slot": 1, "baca_juga_label": 1, "figure": 1, "script": 1}
    assert [" ".join(p.split()) for p in container.css("p::text").getall()] == [
        "Paragraf satu, layanan 5×24 jam.", "Paragraf dua tentang sponsored content."]


@pytest.mark.parametrize(
    ("names", "authors"),
    [
        (["Nadia Lutfiana Mawarni", "Nadia Lutfiana Mawarni"], ["Nadia Lutfiana Mawarni"]),
        (["Oleh: Ayu Lestari dan Budi Santoso"], ["Ayu Lestari", "Budi Santoso"]),
        (["Ayu Lestari, Budi Santoso dan Citra Dewi"], ["Ayu Lestari", "Budi Santoso", "Citra Dewi"]),
        (["Penulis: Ayu Lestari & Budi Santoso", "ayu lestari"], ["Ayu Lestari", "Budi Santoso"]),
        (["Danu Handayani"], ["Danu Handayani"]),
        ([], []),
    ],
)
def test_authors_split_and_each_name_once(names, authors):
    assert split_authors(names) == authors


def _body_after_cleaning(html: str) -> list[str]:
    from alinea_crawler.pages.body import text_blocks

    container = Selector(text=html).css("#body")[0]
    drop_boilerplate_elements(container)
    return [p for p in text_blocks(container.root) if not boilerplate_rule(p)]


@pytest.mark.parametrize(
    "shape",
    [
        # "Baca juga" as a box of any markup, a list, a paragraph with a label, a line of <br> text
        '<div class="x9f"><span>Baca Juga</span><ul><li><a href="/a/b-b12345678">Judul satu</a></li>'
        '<li><a href="/a/c-b12345679">Judul dua</a></li></ul></div>',
        '<aside><h4>BACA JUGA:</h4><a href="/a/b-b12345678">Judul satu</a> | <a href="/a/c">Judul dua</a></aside>',
        '<p><b>Baca juga</b> <a href="/a/b-b12345678">Judul satu</a></p>',
        '<div>Kalimat pembuka yang cukup panjang di sini.<br><br><strong>Baca juga:</strong> '
        '<a href="/a/b-b12345678">Judul satu</a><br><br>Kalimat penutup yang juga panjang.</div>',
        # ad classes public filter lists name for alinea.id
        '<div class="ads-billboard">Sponsored</div>',
        '<div class="ads-popup"><button>×</button><p>Promo menarik hari ini juga!</p></div>',
        '<div class="flying_carpet_div"><span>tekid</span></div>',
        # editor lines, author bio boxes, disclaimers, captions
        '<p>Editor: Dewi Anggraini</p>',
        '<p><strong>Penyunting:</strong> Fathor Rasi</p>',
        '<div class="author-box"><p>Nadia adalah jurnalis yang meliput isu internasional.</p></div>',
        '<div class="disclaimer"><p>Artikel ini bukan ajakan membeli saham apa pun.</p></div>',
        '<figure class="img"><img src="a.jpg"><figcaption>Ilustrasi. iStock</figcaption></figure>',
        # embedded posts and their captions
        '<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/x/"><p>Suasana '
        'pagi ini di Jakarta, macet panjang sekali. #jakarta</p><a href="https://www.instagram.com/p/x/">Sebuah '
        'kiriman dibagikan oleh Alinea.id (@alinea.id)</a></blockquote>',
        '<blockquote class="twitter-tweet"><p lang="id">Kabar terbaru dari DPR hari ini, rapat ditunda sampai '
        'pekan depan.</p>&mdash; Alinea (@alineadotid) <a href="https://twitter.com/x/status/1">3 Februari 2025'
        '</a></blockquote>',
        '<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@x/video/1"><section>Video warga merekam '
        'banjir di Bekasi pagi tadi.</section></blockquote>',
        '<div class="embed-youtube"><iframe src="https://www.youtube.com/embed/x"></iframe><p>Simak video '
        'lengkapnya di kanal kami.</p></div>',
        # newsletter boxes, reader comments, article pagers, "Berita Terkait" boxes of any markup
        '<div class="newsletter-signup"><p>Dapatkan kabar pilihan redaksi setiap pagi di surel Anda.</p>'
        '<form><input name="email"><button>Daftar</button></form></div>',
        '<section id="comments"><h3>2 Komentar</h3><ol><li><p>Semoga pemerintah segera menindaklanjuti '
        'persoalan ini dengan serius.</p></li></ol></section>',
        '<div class="fb-comments" data-href="https://www.alinea.id/x"></div>',
        '<div class="pagination">Halaman <a href="?page=1">1</a> <a href="?page=2">2</a> '
        '<a href="?page=2">Selanjutnya</a></div>',
        '<div class="x7"><h4>Berita Terkait</h4><ul><li><a href="/a/b-b12345678">Judul satu</a></li>'
        '<li><a href="/a/c-b12345679">Judul dua</a></li></ul></div>',
        '<p><strong>Artikel Terkait:</strong> <a href="/a/b-b12345678">Judul satu</a></p>',
        # whole lines: a call to action, a pager written as text
        '<p><strong>Simak berita lainnya di <a href="https://news.google.com/x">Google News</a></strong></p>',
        '<p>Halaman 1 2 Selanjutnya</p>',
    ],
)
def test_boilerplate_shapes_never_seen_before_leave_only_the_article_text(shape):
    kept = ["Kalimat pembuka yang cukup panjang di sini.", "Kalimat penutup yang juga panjang."]
    html = f'<div id="body"><p>{kept[0]}</p>{shape}<p>{kept[1]}</p></div>'
    assert [p for p in _body_after_cleaning(html) if p not in kept] == []
    assert {p for p in _body_after_cleaning(html)} >= set(kept)


@pytest.mark.parametrize(
    "structure",
    [
        "<h2>Subjudul di tengah artikel</h2>",
        "<ul><li>Butir pertama daftar ini.</li><li>Butir kedua daftar ini.</li></ul>",
        "<ol><li>Langkah pertama.</li><li>Langkah kedua.</li></ol>",
        "<table><tr><th>Kota</th><th>Jumlah</th></tr><tr><td>Bekasi</td><td>120</td></tr></table>",
        "<blockquote><p>Kami tidak akan mundur, kata warga kepada wartawan.</p></blockquote>",
        "<figure><blockquote>Kutipan panjang seorang narasumber yang menjadi inti berita ini.</blockquote>"
        "<figcaption>Ilustrasi</figcaption></figure>",
        "<figure class='wp-block-table'><table><tr><td>Harga</td><td>Rp 12.000</td></tr></table></figure>",
    ],
)
def test_structure_that_is_article_text_stays(structure):
    kept = ["Kalimat pembuka yang cukup panjang di sini.", "Kalimat penutup yang juga panjang."]
    html = f'<div id="body"><p>{kept[0]}</p>{structure}<p>{kept[1]}</p></div>'
    expected = [t for t in Selector(text=structure).xpath("//body//text()[normalize-space()]").getall()
                if t != "Ilustrasi"]
    assert _body_after_cleaning(html) == [kept[0], *expected, kept[1]]


def test_a_baca_juga_mention_inside_prose_is_text():
    sentence = "Warga diminta membaca juga aturan baru; baca juga penjelasan di situs resmi pemerintah."
    linked = sentence.replace("situs", '<a href="/x">situs</a>')
    html = f'<div id="body"><p>{linked}</p></div>'
    assert _body_after_cleaning(html) == [sentence]
