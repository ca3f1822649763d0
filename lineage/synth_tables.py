"""Word tables and text templates for the synthetic corpus generator (data only).

Kept apart from :mod:`lineage.synth_ops` so the operators read as code. The
tables are small and hand-written: a content farm's synonym list, US/UK
spelling pairs, commentary frames, outlet names and boilerplate.

>>> SYNONYMS["said"][0]
'stated'
>>> US_TO_UK["color"]
'colour'
"""

from __future__ import annotations

__all__ = [
    "APPEND_SEPARATORS",
    "ASIDE_LEAD_INS",
    "BYLINE_NAMES",
    "COMMENT_FRAMES",
    "COMMENT_MARKERS",
    "CREDIT_FORMS",
    "FOOTERS",
    "HEADERS",
    "HEADLINE_FORMS",
    "IZE_STEMS",
    "LEAD_OPENERS",
    "NUMBER_WORDS",
    "OUTLET_PARTS",
    "SYNONYMS",
    "US_TO_UK",
]


def _table(spec: str) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for item in " ".join(spec.split("\n")).split("|"):
        if item.strip():
            word, alternatives = item.split(":")
            table[word.strip()] = [a.strip() for a in alternatives.split(",")]
    return table


# What article spinners do: swap words for near-synonyms, sometimes clumsily
# ("year" -> "twelve months"), and expand or rename entities.
SYNONYMS: dict[str, list[str]] = _table(
    """
    said:stated,noted,added,declared|says:states,notes|told:informed|company:firm,business,corporation|
    companies:firms,businesses|shares:stock,equity|profit:earnings,income|profits:earnings,gains|
    rose:climbed,increased,advanced|fell:dropped,declined,slipped|increase:rise,boost|
    decrease:decline,reduction|expected:anticipated,predicted|expects:anticipates,predicts|
    agreement:deal,accord,pact|agreed:settled,consented|government:administration,authorities|
    officials:authorities,representatives|spokesman:representative,spokesperson|
    analysts:experts,observers|analyst:expert,observer|market:marketplace|markets:marketplaces|
    prices:costs,rates|price:cost,rate|sales:revenues,turnover|
    quarter:three-month period|big:large,major|large:big,sizable|small:minor,modest|
    major:significant,key|plans:intends,aims|plan:scheme,proposal|buy:purchase,acquire|
    bought:purchased,acquired|sell:offload|sold:offloaded|announced:revealed,unveiled|
    report:statement|reported:disclosed|because:since|however:nevertheless|also:additionally|
    about:roughly,around|nearly:almost|help:assist,aid|helped:assisted|began:started,commenced|
    begin:start|ended:concluded,finished|end:conclusion|meeting:talks,session|talks:negotiations|
    problem:issue,difficulty|problems:issues,difficulties|important:significant,crucial|
    new:fresh,novel|rate:level|rates:levels|strong:robust,solid|weak:soft,feeble|higher:greater|
    lower:reduced|demand:appetite|output:production|production:output|trade:commerce|
    country:nation|countries:nations|economy:economic system|growth:expansion|loss:deficit|
    losses:deficits|debt:borrowing|bank:lender|banks:lenders|rise:gain,jump|drop:fall,decline|
    total:overall|recently:lately|
    U.S.:United States,America|Soviet Union:USSR|Britain:United Kingdom|Russia:Russian Federation|
    Japan:Land of the Rising Sun|president:head|chairman:chair,head|director:manager|
    statement:declaration|statements:declarations|proposal:suggestion|proposed:suggested|
    decision:ruling|decided:resolved|cut:reduce,slash|cuts:reductions|raise:lift|raised:lifted|
    move:step|would:will|could:might
    """
)

US_TO_UK: dict[str, str] = {
    us: uk
    for us, (uk,) in _table(
        """
        color:colour|colors:colours|favor:favour|favorable:favourable|honor:honour|labor:labour|
        neighbor:neighbour|neighboring:neighbouring|behavior:behaviour|center:centre|centers:centres|
        theater:theatre|defense:defence|offense:offence|program:programme|programs:programmes|
        catalog:catalogue|traveled:travelled|traveling:travelling|canceled:cancelled|
        fueled:fuelled|modeled:modelled|labeled:labelled|jewelry:jewellery|aluminum:aluminium|
        gray:grey|skeptical:sceptical|fulfill:fulfil|enrollment:enrolment|installment:instalment|
        judgment:judgement|aging:ageing|maneuver:manoeuvre|analyze:analyse|analyzed:analysed
        """
    ).items()
}

# Stems whose -ize/-ization become -ise/-isation in UK house styles (not "size", "prize").
IZE_STEMS: tuple[str, ...] = tuple(
    """organ recogn real privat liberal author minim maxim emphas critic apolog subsid stabil
    capital special normal util modern central final harmon legal mobil neutral optim penal
    standard summar symbol industrial revital jeopard categor priorit computer civil global
    """.split()
)

NUMBER_WORDS: dict[str, str] = {
    "2": "two",
    "3": "three",
    "4": "four",
    "5": "five",
    "6": "six",
    "7": "seven",
    "8": "eight",
    "9": "nine",
}

COMMENT_MARKERS: tuple[str, ...] = (
    "Comment:",
    "Editor's note:",
    "Our take:",
    "EDITOR'S COMMENT:",
    "Commentary:",
    "Note from the editor:",
    "Analysis:",
)

# {who} is filled with a name or organisation from the story.
COMMENT_FRAMES: tuple[str, ...] = (
    "Once again {who} is telling only half of the story.",
    "Does anyone seriously believe that {who} will keep these promises?",
    "We have heard all of this before, and {who} has yet to deliver.",
    "Notice what is missing here: any word on who actually pays for this.",
    "It is hard to read this without asking who really benefits.",
    "The mainstream coverage of {who} glosses over the obvious question.",
    "Readers should remember that {who} said much the same thing a year ago.",
    "This is exactly the kind of decision ordinary people never get a say in.",
    "If {who} is right, these numbers should look very different in six months.",
    "Expect the usual experts to call this good news; the details say otherwise.",
    "Our readers in the region tell a rather different story.",
    "Why did it take {who} so long to admit this?",
    "Keep an eye on {who}, because this is not the last we will hear of it.",
    "The real question is whether anyone will be held accountable.",
    "This deserves far more attention than it is getting.",
    "Follow the money and the picture becomes clearer.",
    "So much for the promises {who} made last spring.",
    "Small investors, as usual, are the last to find out.",
    "One wonders what {who} knew, and when.",
    "None of this surprises anyone who has watched {who} closely.",
    "Nobody at {who} seems willing to answer the obvious questions.",
    "Ask yourself why {who} chose this particular moment.",
    "The timing of this announcement by {who} is hardly an accident.",
    "Investors who trusted {who} deserve a better explanation than this.",
    "There is more to this than {who} would like us to think.",
    "Once the dust settles, {who} may come to regret this.",
    "Credit where it is due: {who} got this one right.",
    "We warned about exactly this when {who} first floated the idea.",
    "How long before {who} changes course again?",
    "{who} has a habit of burying bad news in the small print.",
)

# How a blogger leads into an aside added to a comment.
ASIDE_LEAD_INS: tuple[str, ...] = (
    "Recall that ",
    "Remember that ",
    "For context: ",
    "Worth noting: ",
    "Meanwhile, note that ",
    "",
)

LEAD_OPENERS: tuple[str, ...] = (
    "In news this week, ",
    "Reports say that ",
    "It has emerged that ",
    "As it turns out, ",
    "In a notable development, ",
    "It was reported that ",
)

HEADLINE_FORMS: tuple[str, ...] = (
    "{title}",
    "UPDATE 1-{title}",
    "Report: {title}",
    "BREAKING: {title}",
    "{who}: {title}",
    "{title} - sources",
    "WATCH: {title}",
)

APPEND_SEPARATORS: tuple[str, ...] = (
    "Also read:",
    "In other news",
    "Related:",
    "More from our newsroom",
    "MORE NEWS",
    "You may also like",
    "Elsewhere",
)

CREDIT_FORMS: tuple[str, ...] = (
    "Source: {outlet}",
    "This story was first published by {outlet}.",
    "(via {outlet})",
    "Originally reported by {outlet}.",
    "Credit: {outlet}",
)

OUTLET_PARTS: dict[str, tuple[str, ...]] = {
    "prefix": (
        "Daily",
        "Global",
        "Metro",
        "Capital",
        "Evening",
        "Morning",
        "National",
        "Northern",
        "Pacific",
        "Atlantic",
        "Market",
        "Business",
        "Financial",
        "Independent",
        "Citizen",
        "Valley",
        "Harbour",
        "Western",
        "Coastal",
        "City",
        "Continental",
        "Frontier",
    ),
    "suffix": (
        "Post",
        "Herald",
        "Times",
        "Report",
        "Insider",
        "Ledger",
        "Gazette",
        "Observer",
        "Chronicle",
        "Dispatch",
        "Monitor",
        "Journal",
        "Review",
        "Digest",
        "Bulletin",
        "Tribune",
    ),
    "wire": ("Newswire", "Press Service", "Wire", "News Agency"),
    "blog": ("Notebook", "Watch", "Blog", "Files", "Brief"),
    "farm": ("newsdaily", "topstories", "hotnews", "newsnow", "worldbuzz", "dailyfeed"),
}

# Per-outlet boilerplate; {outlet}, {handle}, {domain}, {year}, {section} are filled once per outlet
# so the same lines recur in every document of that outlet (corpus-wide frequent shingles).
HEADERS: tuple[str, ...] = (
    "Share this article: Facebook | Twitter | LinkedIn | Email",
    "SHARE TWEET EMAIL PRINT",
    "Home > News > {section}",
    "Share",
    "Subscribe to {outlet} for unlimited access to our reporting.",
    "{outlet} | {section} | Latest",
)

FOOTERS: tuple[str, ...] = (
    "© {year} {outlet}. All rights reserved. This material may not be published, broadcast, "
    "rewritten or redistributed.",
    "Sign up for the {outlet} newsletter and get the day's top stories delivered to your inbox "
    "every morning.",
    "Follow {outlet} on Twitter @{handle} and like us on Facebook.",
    "Have a news tip? Email us at tips@{domain}.",
    "Comments are closed.",
    "Leave a comment below and share this story with your friends.",
    "Print: Email: Share:",
    "Related coverage: more {section} stories from {outlet}.",
    "Copyright {year} {domain}",
)

BYLINE_NAMES: tuple[str, ...] = (
    "Anna Keller",
    "James O'Connor",
    "Maria Santos",
    "David Chen",
    "Laura Whitfield",
    "Peter Novak",
    "Sarah Mitchell",
    "Tom Brennan",
    "Elena Petrova",
    "Michael Grant",
    "Rachel Adams",
    "Samuel Okafor",
    "Claire Dubois",
    "Henry Walsh",
    "Nadia Rahman",
)
