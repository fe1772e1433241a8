"""Feeds, pages and API responses for the source tests: short made-up market news, written for these tests."""

from __future__ import annotations

import json

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Harbor Street Wire</title>
  <link>https://wire.example.com/</link>
  <description>Markets news</description>
  <item>
    <title>Northwind Freight lifts dividend, shares climb</title>
    <link>https://wire.example.com/2026/11/northwind-dividend</link>
    <guid isPermaLink="false">hsw-10231</guid>
    <pubDate>Mon, 23 Nov 2026 14:05:00 -0500</pubDate>
    <dc:creator>Dana Whitlock</dc:creator>
    <category>NWF</category>
    <description>Northwind Freight raised its quarterly payout.</description>
    <content:encoded><![CDATA[<p>Northwind Freight Corp. (NYSE: NWF) shares rose 3.1% to $48.20 on Monday
after the trucking company raised its quarterly dividend by 8%.</p>
<p>The board approved a payout of 27 cents a share, according to a company filing.</p>]]></content:encoded>
  </item>
  <item>
    <title>Calloway Mining slips as copper output falls short</title>
    <link>https://wire.example.com/2026/11/calloway-copper</link>
    <guid isPermaLink="false">hsw-10232</guid>
    <pubDate>Tue, 24 Nov 2026 09:30:00 GMT</pubDate>
    <author>desk@wire.example.com (Priya Raman)</author>
    <content:encoded><![CDATA[<p>Calloway Mining Ltd. (CLWM) shares fell 4.6% in premarket trading
Tuesday after the miner reported third-quarter copper output below analyst estimates.</p>
<p>Production totalled 61,000 tonnes, the company said, citing a reportedly delayed mill restart.</p>
]]></content:encoded>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Ledger Lane Markets</title>
  <id>urn:uuid:5a1f7c2e-0000-4000-8000-000000000001</id>
  <updated>2026-11-24T16:00:00Z</updated>
  <entry>
    <title>Brightwater Pharma wins approval for migraine drug</title>
    <link rel="alternate" href="https://ledgerlane.example.org/news/brightwater-approval"/>
    <id>urn:ledgerlane:88121</id>
    <published>2026-11-24T15:12:00-05:00</published>
    <updated>2026-11-24T15:40:00-05:00</updated>
    <author><name>Marcus Hale</name></author>
    <author><name>Ines Okafor</name></author>
    <summary>Regulators cleared Brightwater's lead therapy.</summary>
    <content type="html">&lt;p&gt;Brightwater Pharma Inc. (BWPH) shares jumped 11% in after-hours trading
      after regulators approved its migraine treatment, the company said.&lt;/p&gt;
      &lt;p&gt;Analysts had expected a decision next quarter.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Orchard Lane Retail cuts outlook</title>
    <link href="/news/orchard-outlook"/>
    <id>urn:ledgerlane:88122</id>
    <updated>2026-11-24T12:00:00Z</updated>
    <content type="text">Orchard Lane Retail (OLR) lowered its full-year sales forecast on Tuesday,
      citing weaker holiday traffic, and its shares dropped 6.2% to $19.05.</content>
  </entry>
</feed>
"""

# One teaser whose page is served, one whose page is missing (404).
TEASER = "Kestrel Air orders 40 jets."
SUMMARY_ONLY_RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Tarn Valley Business</title>
  <item>
    <title>Kestrel Air orders 40 narrow-body jets</title>
    <link>{page_url}</link>
    <guid>tvb-501</guid>
    <pubDate>Tue, 24 Nov 2026 11:00:00 GMT</pubDate>
    <description>{teaser}</description>
  </item>
  <item>
    <title>Fenwick Bank names new chief executive</title>
    <link>{missing_url}</link>
    <guid>tvb-502</guid>
    <pubDate>Tue, 24 Nov 2026 12:00:00 GMT</pubDate>
    <description>Fenwick Bank appointed a new CEO.</description>
  </item>
</channel></rss>
"""

PAGE_SENTENCE = "Kestrel Air Holdings (KSTR) shares gained 2.4% to $63.10 in early trading on Tuesday"
PAGE = f"""<!doctype html>
<html><head><title>Kestrel Air orders 40 jets | Tarn Valley Business</title></head>
<body>
<nav><a href="/">Home</a> <a href="/markets">Markets</a> <a href="/subscribe">Subscribe</a></nav>
<article>
<h1>Kestrel Air orders 40 narrow-body jets</h1>
<p>{PAGE_SENTENCE} after the regional carrier placed an order for 40 narrow-body jets worth about
$4.1 billion at list prices.</p>
<p>The airline said deliveries would begin in 2028 and replace older aircraft on domestic routes,
according to a statement released before the market opened.</p>
<p>Analysts at a Chicago brokerage said the order was larger than expected and reportedly includes
options for 20 more aircraft, which could lift capital spending next year.</p>
</article>
<footer>Copyright Tarn Valley Business. All rights reserved.</footer>
</body></html>
"""

# "Billion laughs": each entity is ten of the one before; &lol9; would be 10^9 "lol"s.
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Laughs</title>
<item><title>&lol9;</title><description>Acme (ACME) rose 1%. &lol9;</description></item>
</channel></rss>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY leak SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>Leak</title>
<item><title>Quarterly note</title><description>Results: &leak;</description></item>
</channel></rss>
"""


def quadratic_blowup(value_chars: int, references: int) -> str:
    """One "safe" entity (plain text, no nested references) referenced many times."""
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY a "{"A" * value_chars}">
]>
<rss version="2.0"><channel><title>Blowup</title>
<item><title>Blowup</title><description>{"&a;" * references}</description></item>
</channel></rss>
"""


# A Polygon-style news API: three pages chained by next_url.
API_ITEMS = [
    {
        "id": "pg-7001",
        "headline": "Quillon Software beats estimates, raises guidance",
        "story": {
            "text": "Quillon Software Inc. (QSW) shares rose 7.8% in extended trading on Monday after "
            "quarterly revenue of $812 million topped analyst estimates, the company said."
        },
        "created": "2026-11-23T21:10:00Z",
        "article_url": "https://api-news.example.net/quillon-beats",
        "stocks": [{"name": "QSW"}],
        "publisher": {"name": "Meridian Newswire"},
        "writers": ["Leah Brandt"],
    },
    {
        "id": "pg-7002",
        "headline": "Garnet Energy to buy pipeline operator for $2.2 billion",
        "story": {
            "text": "Garnet Energy Partners (GEP) agreed to acquire a Gulf Coast pipeline operator for "
            "$2.2 billion in cash and stock, according to people familiar with the matter."
        },
        "created": "2026-11-24T08:45:00Z",
        "article_url": "https://api-news.example.net/garnet-pipeline",
        "stocks": [{"name": "GEP"}],
        "publisher": {"name": "Meridian Newswire"},
        "writers": ["Tomas Vale"],
    },
    {
        "id": "pg-7003",
        "headline": "Ridgeway Motors recalls 90,000 SUVs",
        "story": {
            "text": "Ridgeway Motors Co. (RDGM) is recalling about 90,000 sport-utility vehicles over a "
            "faulty fuel pump, and its shares slipped 1.2% to $22.75 on Tuesday."
        },
        "created": "2026-11-24T13:20:00Z",
        "article_url": "https://api-news.example.net/ridgeway-recall",
        "stocks": [{"name": "RDGM"}],
        "publisher": {"name": "Meridian Newswire"},
        "writers": [],
    },
    {
        "id": "pg-7004",
        "headline": "Sable Foods shares hit record after upgrade",
        "story": {
            "text": "Sable Foods Corp. (SBF) climbed 5.5% to a record $91.40 after a brokerage upgraded "
            "the packaged-food maker to buy, reportedly citing stronger pricing."
        },
        "created": "2026-11-24T15:05:00Z",
        "article_url": "https://api-news.example.net/sable-record",
        "stocks": [{"name": "SBF"}],
        "publisher": {"name": "Meridian Newswire"},
        "writers": ["Leah Brandt"],
    },
    {
        "id": "pg-7005",
        "headline": "Halden Chemicals warns on margins",
        "story": {
            "text": "Halden Chemicals AG (HLDN) warned that fourth-quarter margins would narrow as "
            "feedstock costs rose, sending its shares down 3.9% in Frankfurt."
        },
        "created": "2026-11-24T16:30:00Z",
        "article_url": "https://api-news.example.net/halden-margins",
        "stocks": [{"name": "HLDN"}],
        "publisher": {"name": "Meridian Newswire"},
        "writers": ["Ines Okafor"],
    },
]
API_FIELDS = {
    "id": "id",
    "title": "headline",
    "body": "story.text",
    "published_at": "created",
    "url": "article_url",
    "tickers": "stocks",
    "source": "publisher.name",
    "authors": "writers",
}
API_PAGES = [API_ITEMS[0:2], API_ITEMS[2:4], API_ITEMS[4:5]]


def api_page(items: list[dict], next_url: str | None = None, **extra: object) -> str:
    document: dict[str, object] = {"status": "OK", "count": len(items), "results": items, **extra}
    if next_url:
        document["next_url"] = next_url
    return json.dumps(document)
