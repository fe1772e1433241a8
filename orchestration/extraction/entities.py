"""People, organisations and places: a gazetteer, role titles ("CEO Elon Musk", "Premier Li Qiang"),
corporate suffixes ("Wedbush Securities") and the companies already found, with surnames carried
forward ("Musk" after "Elon Musk"). Rules, not a model: fast and predictable."""

from __future__ import annotations

import re

from orchestration.extraction.records import Entity, EntityLabel, TickerMention

_PLACES = [
    "U.S.",
    "United States",
    "America",
    "USA",
    "China",
    "Beijing",
    "Shanghai",
    "Shenzhen",
    "Hong Kong",
    "Taiwan",
    "Taipei",
    "Japan",
    "Tokyo",
    "South Korea",
    "Korea",
    "Seoul",
    "India",
    "Mumbai",
    "New Delhi",
    "Singapore",
    "Germany",
    "Berlin",
    "Frankfurt",
    "Munich",
    "France",
    "Paris",
    "Britain",
    "United Kingdom",
    "U.K.",
    "England",
    "London",
    "Scotland",
    "Ireland",
    "Dublin",
    "Italy",
    "Rome",
    "Milan",
    "Spain",
    "Madrid",
    "Netherlands",
    "Amsterdam",
    "Switzerland",
    "Zurich",
    "Geneva",
    "Sweden",
    "Stockholm",
    "Norway",
    "Denmark",
    "Finland",
    "Belgium",
    "Brussels",
    "Austria",
    "Poland",
    "Russia",
    "Moscow",
    "Ukraine",
    "Kyiv",
    "Turkey",
    "Israel",
    "Iran",
    "Iraq",
    "Saudi Arabia",
    "Riyadh",
    "United Arab Emirates",
    "UAE",
    "Dubai",
    "Qatar",
    "Egypt",
    "Nigeria",
    "South Africa",
    "Kenya",
    "Brazil",
    "Sao Paulo",
    "Mexico",
    "Mexico City",
    "Argentina",
    "Chile",
    "Colombia",
    "Peru",
    "Venezuela",
    "Canada",
    "Toronto",
    "Ottawa",
    "Vancouver",
    "Montreal",
    "Australia",
    "Sydney",
    "Melbourne",
    "New Zealand",
    "Indonesia",
    "Jakarta",
    "Vietnam",
    "Thailand",
    "Malaysia",
    "Philippines",
    "Pakistan",
    "Bangladesh",
    "Europe",
    "Asia",
    "Africa",
    "Latin America",
    "Middle East",
    "Asia-Pacific",
    "Eurozone",
    "euro zone",
    "Wall Street",
    "Silicon Valley",
    "New York",
    "New York City",
    "Washington",
    "California",
    "Texas",
    "Florida",
    "Nevada",
    "Arizona",
    "Ohio",
    "Michigan",
    "Illinois",
    "Georgia",
    "Massachusetts",
    "Delaware",
    "New Jersey",
    "Pennsylvania",
    "Virginia",
    "North Carolina",
    "Tennessee",
    "Kentucky",
    "Indiana",
    "Wisconsin",
    "Minnesota",
    "Colorado",
    "Oregon",
    "Utah",
    "Alabama",
    "Louisiana",
    "San Francisco",
    "Los Angeles",
    "Chicago",
    "Boston",
    "Seattle",
    "Houston",
    "Dallas",
    "Austin",
    "Detroit",
    "Atlanta",
    "Miami",
    "Denver",
    "Phoenix",
    "Las Vegas",
    "Philadelphia",
    "Cupertino",
    "Redmond",
    "Palo Alto",
    "Mountain View",
    "Menlo Park",
    "Fremont",
    "Omaha",
    "Berlin-Brandenburg",
    "Wuhan",
    "Guangzhou",
    "Hangzhou",
    "Chongqing",
    "Macau",
    "Greece",
    "Portugal",
    "Hungary",
    "Czech Republic",
    "Romania",
]
_ORGS = [
    "Reuters",
    "Bloomberg",
    "Bloomberg News",
    "Benzinga",
    "CNBC",
    "Dow Jones",
    "Associated Press",
    "AP",
    "Financial Times",
    "The Wall Street Journal",
    "Wall Street Journal",
    "The New York Times",
    "New York Times",
    "Washington Post",
    "The Information",
    "Barron's",
    "Forbes",
    "Fortune",
    "MarketWatch",
    "Yahoo Finance",
    "Nikkei",
    "Caixin",
    "Xinhua",
    "South China Morning Post",
    "Zacks",
    "Motley Fool",
    "The Motley Fool",
    "Morningstar",
    "FactSet",
    "Refinitiv",
    "LSEG",
    "Federal Reserve",
    "Fed",
    "Securities and Exchange Commission",
    "SEC",
    "Federal Trade Commission",
    "FTC",
    "Justice Department",
    "Department of Justice",
    "DOJ",
    "U.S. Treasury",
    "Commerce Department",
    "Food and Drug Administration",
    "FDA",
    "NHTSA",
    "European Commission",
    "European Union",
    "EU",
    "European Central Bank",
    "ECB",
    "Bank of England",
    "Bank of Japan",
    "People's Bank of China",
    "International Monetary Fund",
    "IMF",
    "World Bank",
    "OPEC",
    "Congress",
    "Senate",
    "White House",
    "Pentagon",
    "Supreme Court",
    "Wedbush",
    "Wedbush Securities",
    "Bernstein",
    "Jefferies",
    "Barclays",
    "Evercore",
    "Piper Sandler",
    "Raymond James",
    "Needham",
    "Oppenheimer",
    "Baird",
    "Mizuho",
    "Nomura",
    "Macquarie",
    "Deutsche Bank",
    "Credit Suisse",
    "Cowen",
    "Canaccord Genuity",
    "KeyBanc",
    "Truist Securities",
    "Counterpoint Research",
    "IDC",
    "Gartner",
    "Cox Automotive",
    "S&P Global Market Intelligence",
    "Midjourney",
    "OpenAI",
    "Anthropic",
    "SpaceX",
    "xAI",
    "Huawei",
    "Xiaomi",
    "Samsung",
    "Samsung Electronics",
    "CATL",
    "Foxconn",
    "Ant Group",
    "ByteDance",
    "TikTok",
]
_PEOPLE = [
    "Elon Musk",
    "Tim Cook",
    "Jensen Huang",
    "Satya Nadella",
    "Sundar Pichai",
    "Mark Zuckerberg",
    "Jeff Bezos",
    "Andy Jassy",
    "Warren Buffett",
    "Jamie Dimon",
    "Mary Barra",
    "Jim Farley",
    "Lisa Su",
    "Pat Gelsinger",
    "Sam Altman",
    "Bob Iger",
    "Jerome Powell",
    "Janet Yellen",
    "Joe Biden",
    "Donald Trump",
    "Xi Jinping",
    "Li Qiang",
    "Cathie Wood",
    "Dan Ives",
    "Jack Ma",
    "Masayoshi Son",
    "Larry Fink",
    "David Solomon",
    "Jane Fraser",
    "Brian Moynihan",
    "Charlie Munger",
    "Reed Hastings",
    "Marc Benioff",
    "Larry Ellison",
    "Christine Lagarde",
    "Kamala Harris",
    "Gary Gensler",
]
_ROLES = [
    "CEO", "CFO", "COO", "CTO", "Chief Executive", "chief executive", "Chief Executive Officer",
    "chief executive officer", "Chairman", "chairman", "Chairwoman", "chairwoman", "Founder", "founder",
    "Co-founder", "co-founder", "President", "Premier", "Prime Minister", "Minister", "Secretary",
    "Governor", "Senator", "Sen.", "Rep.", "Mr.", "Mrs.", "Ms.", "Dr.", "analyst", "Spokesman",
    "spokesman", "Spokeswoman", "spokeswoman", "spokesperson", "economist", "strategist",
]  # fmt: skip
_CORPORATE_SUFFIXES = [
    "Inc", "Corp", "Corporation", "Co", "Ltd", "LLC", "plc", "Group", "Holdings", "Securities", "Capital",
    "Partners", "Research", "Associates", "Management", "Advisors", "Investments", "Bank", "Technologies",
]  # fmt: skip
# Known names and the anchors of the role and suffix rules, found in one automaton pass (see `extract`).
GAZETTEER = (
    [(name, "PLACE") for name in _PLACES]
    + [(name, "ORG") for name in _ORGS]
    + [(name, "PERSON") for name in _PEOPLE]
    + [(role, "ROLE") for role in _ROLES]
    + [(suffix, "SUFFIX") for suffix in _CORPORATE_SUFFIXES]
)

_NAME_WORD = r"[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?"
_NAME_AFTER_ROLE = re.compile(rf"\s+({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})")
_NAME_BEFORE_SUFFIX = re.compile(
    rf"(?<![\w&])(?:{_NAME_WORD}|[A-Z]{{2,}})(?:\s+(?:{_NAME_WORD}|[A-Z]{{2,}}|&)){{0,3}}\s+$"
)
_SUFFIX_REACH = 60
_NOT_NAMES = frozenset(
    [
        "The",
        "A",
        "An",
        "In",
        "On",
        "At",
        "For",
        "And",
        "But",
        "This",
        "That",
        "Its",
        "It",
        "Also",
        "Read",
        "Photo",
        "Price",
        "Action",
        "Shares",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
)


def _role_person(text: str, role_end: int) -> tuple[int, int, EntityLabel] | None:
    """The capitalised name right after a role title: "CEO Elon Musk", "Premier Li Qiang"."""
    match = _NAME_AFTER_ROLE.match(text, role_end)
    if match is None:
        return None
    words = match.group(1).split()
    while words and words[-1] in _NOT_NAMES:
        words.pop()
    if not words or words[0] in _NOT_NAMES:
        return None
    return match.start(1), match.start(1) + len(" ".join(words)), "PERSON"


def _suffix_org(text: str, suffix_start: int, suffix_end: int) -> tuple[int, int, EntityLabel] | None:
    """Capitalised words ending in a corporate suffix: "Wedbush Securities", "Acme Holdings"."""
    match = _NAME_BEFORE_SUFFIX.search(text, max(0, suffix_start - _SUFFIX_REACH), suffix_start)
    if match is None:
        return None
    start = match.start()
    first = match.group().split(None, 1)[0]
    if first in _NOT_NAMES:
        start += len(first) + 1
    return (start, suffix_end, "ORG") if start < suffix_start else None


def _surnames(text: str, people: list[tuple[int, int, EntityLabel]]) -> list[tuple[int, int, EntityLabel]]:
    """Later bare surnames of people named in full: "Musk" after "Elon Musk"."""
    found: list[tuple[int, int, EntityLabel]] = []
    size = len(text)
    for surname in {
        text[start:end].rsplit(None, 1)[-1] for start, end, _ in people if " " in text[start:end]
    }:
        position = text.find(surname)
        while position != -1:
            end = position + len(surname)
            if (position == 0 or not text[position - 1].isalnum()) and (
                end == size or not text[end].isalnum()
            ):
                found.append((position, end, "PERSON"))
            position = text.find(surname, end)
    return found


def find_entities(
    text: str, mentions: list[TickerMention], gazetteer: list[tuple[int, int, str]]
) -> list[Entity]:
    """Entities in text order; where candidates overlap, the longer (then the earlier rule) wins.
    `gazetteer` holds the `GAZETTEER` phrases found in the text, as `find_phrase_sets` gives them."""
    companies = [(m.start, m.end, "ORG") for m in mentions if m.method == "company_name"]
    named, people, suffixed = [], [], []
    for start, end, label in gazetteer:
        if label == "ROLE":
            person = _role_person(text, end)
            if person is not None:
                people.append(person)
        elif label == "SUFFIX":
            org = _suffix_org(text, start, end)
            if org is not None:
                suffixed.append(org)
        else:
            named.append((start, end, label))
            if label == "PERSON":
                people.append((start, end, label))
    candidates = companies + named + people + suffixed + _surnames(text, people)
    ranked = sorted(enumerate(candidates), key=lambda item: (item[1][0], item[1][0] - item[1][1], item[0]))
    entities = []
    reached = 0
    for _, (start, end, label) in ranked:
        if start >= reached:
            entities.append(Entity(text[start:end], label, start, end))
            reached = end
    return entities
