"""``python -m tests.replica``: serve the replica and print its URL on stdout."""
from __future__ import annotations

import argparse
import sys

from .faults import FaultyApp, add_arguments, plan_from_options
from .listings import MORE_FORMATS, PAGING_MODES, SITEMAP_MODES
from .model import TEMPLATE_SETS, build_site


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m tests.replica", description=__doc__)
    p.add_argument("--port", type=int, default=0, help="0 = any free port")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--articles", type=int, default=24)
    p.add_argument("--seed", type=int, default=2021)
    p.add_argument("--hidden-every", type=int, default=8, help="0 = hide nothing")
    p.add_argument("--templates", choices=TEMPLATE_SETS, default="classic",
                   help="zoo = about half the articles in tests/replica/zoo.py's unfamiliar markups")
    p.add_argument("--access-log", action="store_true", help="log requests to stderr")
    p.add_argument("--related-api-moves-after", type=int, default=0,
                   help="after N answers the JS list endpoint moves to /api/v2/related/ (0 = never)")
    p.add_argument("--related-api-delay", type=float, default=0.0,
                   help="seconds the JS list endpoint takes to answer")
    p.add_argument("--public-record", action="store_true",
                   help="the site as the public record shows it (docs/navigation.md): no section links in the menu, "
                        "a paged home feed, lists that never fill, article pages that answer 500 (AMP works)")
    p.add_argument("--hole", metavar="FIRST/LAST",
                   help="no article published from FIRST to LAST (WIB days, e.g. 2026-11-12/2026-11-14): "
                        "those that would be are published before FIRST")
    p.add_argument("--sitemap", choices=SITEMAP_MODES, default="none",
                   help="index = robots.txt names a sitemap index (news + .xml.gz); plain = /sitemap.xml only")
    p.add_argument("--sitemap-attack", action="store_true",
                   help="the sitemap index also lists hostile sitemaps (bomb, entities, loops, other host, 1M URLs)")
    p.add_argument("--sitemap-only-every", type=int, default=0,
                   help="every Nth article is listed in the sitemaps only (0 = none)")
    p.add_argument("--paging", choices=PAGING_MODES, default="loadmore",
                   help="numbered = sections and /indeks paged with ?page=N links instead of load-more")
    p.add_argument("--more-format", choices=MORE_FORMATS, default="html",
                   help="what POST /more answers; any JSON format also pages the home feed")
    p.add_argument("--multipage-every", type=int, default=0,
                   help="every Nth article (v2021, generic) is split over 2-3 pages (?page=N)")
    p.add_argument("--single-view", action="store_true",
                   help="paged articles also offer 'Tampilkan semua' (?page=all)")
    add_arguments(p)
    return p.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    from twisted.internet import reactor

    from .server import App, listen

    site = build_site(articles=args.articles, seed=args.seed, hidden_every=args.hidden_every,
                      templates=args.templates, public_record=args.public_record, hole=args.hole,
                      sitemap_only_every=args.sitemap_only_every, multipage_every=args.multipage_every)
    app = App(site, related_api_moves_after=args.related_api_moves_after,
              related_api_delay=args.related_api_delay, sitemap=args.sitemap, sitemap_attack=args.sitemap_attack,
              paging=args.paging, more_format=args.more_format, single_view=args.single_view)
    if args.faults or args.fault_dead:
        app = FaultyApp(app, plan_from_options(site, args.faults, args.fault_seed, args.fault_max_in_row,
                                               args.fault_slow, args.fault_oversize, args.fault_dead))
    port = listen(app, args.port, args.host, args.access_log)
    sys.stdout.write(f"http://{args.host}:{port.getHost().port}\n")
    sys.stdout.flush()
    reactor.run()


if __name__ == "__main__":
    main()
