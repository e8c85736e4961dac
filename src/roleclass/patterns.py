"""Plain-data patterns: section headings, duty cues, activity words and title words.

Kept apart from the code that uses them (as negspacy keeps its termsets) so that a
maintainer can extend a lexicon without touching logic. English and German entries
sit side by side because the same model reads both languages.
"""

from __future__ import annotations

# --- Sections -------------------------------------------------------------------
# Each kind maps to heading regexes (matched case-insensitively against a short line,
# or against the start of a sentence for postings whose line breaks were collapsed).
SECTION_HEADINGS: dict[str, list[str]] = {
    "duties": [
        r"(key |main |primary |core |essential |major )?(duties|responsibilities|accountabilities|tasks)( and responsibilities| & responsibilities| include)?",
        r"(job |role |position )?(description|summary|overview|purpose|responsibilities)",
        r"what (you('| wi)ll|you will|you'd|you would) (do|be doing|own|work on|achieve)",
        r"what the (job|role) (involves|entails|looks like)",
        r"(your|the) (role|mission|impact|day[- ]to[- ]day|responsibilities|tasks|job)",
        r"in this role,? you will",
        r"(a )?day in the life",
        r"about (the|this) (role|job|position|opportunity)",
        r"(the )?(role|opportunity|position|job)( at a glance| in brief)?",
        r"how you('ll| will) (contribute|make an impact|spend your time)",
        r"(ihre |deine |die )?(aufgaben(gebiet|bereiche?)?|tätigkeiten|tätigkeitsbeschreibung|verantwortung|herausforderungen?)",
        r"(was|das) (dich|sie|euch) erwartet",
        r"(was|das) erwartet (dich|sie|euch)",
        r"(deine|ihre) (mission|rolle|hauptaufgaben|kernaufgaben)",
        r"(dein|ihr|euer) (job|aufgabengebiet|verantwortungsbereich|beitrag)",
        r"(was|das) (du|sie) (bewegst|bewegen|tust|tun|machst|machen)",
        r"stellenbeschreibung",
    ],
    "requirements": [
        r"(requirements|qualifications|skills|experience|competencies|must[- ]haves?|nice[- ]to[- ]haves?|education)( and (skills|experience|qualifications))?",
        r"(minimum|basic|preferred|required|desired|key) (qualifications|requirements|skills|experience)",
        r"what (you('ll)? need|we('re)? look(ing)? for|you bring|you('ll)? bring|you have|we expect|makes you a great fit)",
        r"(who you are|about you|your profile|your background|you have|you are|you bring|ideal candidate|the ideal candidate)",
        r"(dein|ihr|euer) (profil|know-how|hintergrund|skillset)",
        r"(was|das) (du|sie) (mitbringst|mitbringen|bringst|bringen)",
        r"(anforderungen|qualifikationen?|voraussetzungen|das bringst du mit|das bringen sie mit|profil|wir erwarten)",
    ],
    "benefits": [
        r"(benefits|perks|compensation|salary|pay|what we offer|we offer|why (join|work for) us|why you('ll)? love|what('s| is) in it for you|our offer)( and (perks|benefits))?",
        r"darauf (kannst du|können sie) (dich|sich) freuen",
        r"(was|das) wir bieten",
        r"(wir bieten|was wir (dir|ihnen) bieten|unser angebot|benefits|deine vorteile|ihre vorteile|das bieten wir|wir bieten (dir|ihnen))",
    ],
    "company": [
        r"(about|who) (us|we are|the company|the team|our company)",
        r"about \w+( \w+){0,4}$",
        r"(company|our story|our mission|our culture|the team|overview of the company)",
        r"(über uns|wer wir sind|unternehmen|das sind wir|unser team|wir über uns)",
    ],
    "eeo": [
        r"(equal (employment )?opportunit(y|ies)|eeo|diversity|accommodations?|non-?discrimination)( statement)?",
        r"(chancengleichheit|vielfalt|diversität)",
    ],
    "apply": [
        r"(how to apply|to apply|application process|next steps|interested\??|apply now|contact)",
        r"(bewerbung|so bewirbst du dich|kontakt|ansprechpartner(in)?|interesse geweckt\??)",
    ],
}

# Keywords that mark a short heading line wherever they sit in it ("### Zu Deinen Aufgaben
# gehören:", "**Das ist zukünftig dein Job**"), tried after the anchored patterns above.
# Order matters: the first kind with a hit wins.
SECTION_KEYWORDS: dict[str, list[str]] = {
    "benefits": [r"benefits?", r"perks", r"wir bieten", r"bieten (wir|dir|ihnen)", r"unser angebot", r"vorteile", r"erwarten kannst",
                 r"darauf (kannst|können)", r"what we offer", r"we offer", r"in it for you", r"compensation"],
    "requirements": [r"profil", r"qualifi\w*", r"requirements?", r"mitbring\w*", r"anforderung\w*", r"überzeugst", r"überzeugen sie",
                     r"skills", r"what you bring", r"who you are", r"about you", r"you have", r"bringst du", r"must have", r"voraussetzung\w*"],
    "duties": [r"aufgabe\w*", r"tätigkeit\w*", r"responsibilit\w*", r"duties", r"what you('ll| will) (do|be doing)", r"your (role|job|tasks|mission)",
               r"(dein|ihr) job", r"verantwortung\w*", r"day[- ]to[- ]day", r"the role", r"the job", r"deine rolle", r"ihre rolle"],
    "company": [r"über uns", r"about us", r"wer wir sind", r"who we are"],
}
MAX_KEYWORD_HEADING_WORDS = 8

# How much a duty statement counts toward the posting's duty shares, by the section it
# sits in. LABELING.md counts duties, not requirements, blurbs or benefits.
SECTION_WEIGHTS: dict[str, float] = {
    "duties": 1.0,
    "body": 0.6,
    "requirements": 0.2,
    "company": 0.1,
    "apply": 0.05,
    "benefits": 0.0,
    "eeo": 0.0,
}

# Sentences that carry none of the job's duties whatever section they are in.
BOILERPLATE_CUES: list[str] = [
    r"\bequal (employment )?opportunity\b",
    r"\bwithout regard to\b",
    r"\b(race|religion|gender identity|sexual orientation|national origin|veteran status)\b",
    r"\bm/w/d\b.{0,200}?\b(bewerb|willkommen)",  # bounded: ".*" is quadratic on a long line of "m/w/d"
    r"\b401\(?k\)?\b",
    r"\b(health|dental|vision) (insurance|benefits)\b",
    r"\b(paid time off|pto|urlaubstage|betriebliche altersvorsorge)\b",
]

# --- Duty cues that O*NET lacks -------------------------------------------------------
# Each becomes a model feature named "cue:<name>" wherever it matches, so the model
# learns its weight from labeled postings; it is never a hard rule.
DUTY_CUES: dict[str, list[str]] = {
    "quota": [r"\bquotas?\b", r"\b(sales|revenue|booking|bookings) targets?\b", r"\bumsatzziele?\b", r"\bvertriebsziele?\b"],
    "rolodex": [r"\brolodex\b", r"\bbook of (business|prospects|clients)\b", r"\bown (network|contacts|pipeline) of (prospects|clients)\b"],
    "sdr": [r"\b(sdr|bdr|sdrs|bdrs)\b", r"\b(sales|business) development rep(resentative)?s?\b"],
    "cold_outreach": [r"\bcold[- ]?(call(s|ing)?|email(s|ing)?|outreach|prospecting)\b", r"\boutbound (calls?|dials?|emails?|prospecting|outreach)\b", r"\bkaltakquise\b", r"\btelefonakquise\b", r"\bdials?\b"],
    "pipeline": [r"\b(sales )?pipeline\b", r"\bforecast(ing)? (of )?(your )?(own )?(deals|revenue|bookings)\b", r"\bcrm hygiene\b"],
    "deal_terms": [r"\b(acv|arr|tcv|mrr)\b", r"\bclos(e|ing) (deals|business|sales|the sale|new (business|accounts|clients))\b", r"\bcommission\b", r"\bote\b", r"\bprovision\b", r"\bneukunden(gewinnung|akquise|akquisition)?\b", r"\babschluss\b"],
    "prospecting": [r"\bprospect(s|ing)?\b", r"\bbook(ing)? (meetings|demos|appointments)\b", r"\bqualify(ing)? (leads|prospects|opportunities)\b", r"\bdoor[- ]to[- ]door\b", r"\bakquise\b", r"\bakquirieren\b"],
    "negotiation": [r"\bnegotiat(e|ing|ion)\b", r"\bobjection(s| handling)\b", r"\bverhandl(ung|ungen|ungsführung|en)\b", r"\bangebote? (erstellen|erstellung)\b|\bangebotserstellung\b"],
    "territory": [r"\bterritor(y|ies)\b", r"\bverkaufsgebiet\b", r"\bgebiet\b", r"\baußendienst\b"],
    "upsell": [r"\b(upsell(ing)?|cross[- ]sell(ing)?|renewals?)\b"],
    "demand_gen": [r"\bdemand gen(eration)?\b", r"\blead[- ]gen(eration)? (programs?|programmes?|campaigns?)\b", r"\bmarketing automation\b", r"\b(hubspot|marketo|pardot|mailchimp)\b"],
    "search_marketing": [r"\b(seo|sem|sea|ppc|adwords|google ads)\b", r"\bsearch engine (optimi[sz]ation|marketing)\b", r"\bsuchmaschinen\w*\b"],
    "paid_social": [r"\bpaid (social|media|search)\b", r"\b(meta|facebook|linkedin|tiktok) ads\b", r"\bsocial[- ]media\b", r"\binfluencer\w*\b"],
    "campaigns": [r"\bcampaigns?\b", r"\bkampagnen?\w*\b", r"\badvertis(ing|ement|ements)\b", r"\bwerbe\w*\b", r"\bwerbung\b", r"\bmedia (buying|planning|plan)\b"],
    "brand": [r"\bbrand(ing|s)?\b", r"\bpositioning\b", r"\bmessaging\b", r"\bmarke(n|nführung|nstrategie|nauftritt)?\b"],
    "content": [r"\bcontent\b", r"\bnewsletters?\b", r"\bwebinars?\b", r"\bblog( posts?)?\b", r"\bpress releases?\b", r"\bpublic relations\b", r"\bpressearbeit\b|\böffentlichkeitsarbeit\b"],
    "market_research": [r"\bmarket(ing)? research\b", r"\bsegmentation\b", r"\btarget (market|audience|groups?)\b", r"\bcompetitive (analysis|intelligence)\b", r"\bmarktanalysen?\b|\bmarktforschung\b|\bzielgruppen?\w*\b|\bwettbewerbsanalysen?\b"],
    "collateral": [r"\b(sales )?collateral\b", r"\bone[- ]sheets?\b", r"\bbrochures?\b", r"\bflyers?\b", r"\btrade[- ]?shows?\b", r"\bexhibitions?\b", r"\bmessen?\b"],
    "marketing_analytics": [r"\b(google )?analytics\b", r"\bconversion rates?\b", r"\b(ctr|cpc|cpa|cpl|roas|kpis?)\b", r"\ba/b[- ]test(s|ing)?\b"],
}

# --- Quantified activities --------------------------------------------------------------
# Activity nouns (and the functions they are evidence of) that a count can attach to.
ACTIVITY_NOUNS: dict[str, str] = {
    "calls": "sales", "call": "sales", "dials": "sales", "dial": "sales", "cold calls": "sales",
    "phone calls": "sales", "sales calls": "sales", "outbound calls": "sales",
    "emails": "sales", "email": "sales", "outbound emails": "sales", "cold emails": "sales",
    "meetings": "sales", "meeting": "sales", "appointments": "sales", "appointment": "sales",
    "demos": "sales", "demo": "sales", "visits": "sales", "visit": "sales", "client visits": "sales",
    "customer visits": "sales", "doors": "sales", "presentations": "sales", "proposals": "sales",
    "quotes": "sales", "deals": "sales", "deal": "sales", "sales": "sales", "new accounts": "sales",
    "accounts": "sales", "opportunities": "sales", "leads": "sales", "touches": "sales", "touchpoints": "sales",
    "conversations": "sales", "connects": "sales", "contacts": "sales", "stores": "sales",
    "posts": "marketing", "campaigns": "marketing", "campaign": "marketing", "articles": "marketing",
    "blog posts": "marketing", "newsletters": "marketing", "newsletter": "marketing", "webinars": "marketing",
    "webinar": "marketing", "events": "marketing", "event": "marketing", "press releases": "marketing",
    "videos": "marketing", "ads": "marketing", "launches": "marketing", "case studies": "marketing",
    "anrufe": "sales", "telefonate": "sales", "termine": "sales", "kundenbesuche": "sales", "besuche": "sales",
}

# Words that may stand between a count and its activity noun ("50 outbound calls").
ACTIVITY_MODIFIERS: set[str] = {
    "outbound", "inbound", "cold", "warm", "qualified", "new", "sales", "client", "customer", "prospect",
    "personalized", "personalised", "discovery", "face-to-face", "in-person", "phone", "social", "marketing",
    "email", "blog", "high-quality", "successful", "booked", "daily", "weekly", "more",
}

# Period expressions after an activity: the words that follow "per"/"a"/"each"/"every".
PERIOD_WORDS: dict[str, str] = {
    "day": "day", "days": "day", "daily": "day", "shift": "day", "tag": "day", "täglich": "day",
    "week": "week", "weeks": "week", "weekly": "week", "woche": "week", "wöchentlich": "week",
    "month": "month", "months": "month", "monthly": "month", "monat": "month", "monatlich": "month",
    "quarter": "quarter", "quarterly": "quarter", "quartal": "quarter",
    "year": "year", "yearly": "year", "annually": "year", "annual": "year", "jahr": "year",
    "hour": "hour", "hourly": "hour", "stunde": "hour",
}
PERIOD_LEADS: set[str] = {"a", "per", "each", "every", "an", "/", "pro", "im", "je", "am", "in", "one"}

# Counts as words (text2num handles compound numbers; these cover what it leaves out).
NUMBER_WORDS_EXTRA: dict[str, int] = {"a dozen": 12, "dozen": 12, "a couple": 2, "couple": 2, "several": 3}

# --- Title claim lexicons (LABELING.md, "title_claim") ---------------------------------
TITLE_SALES: list[str] = [
    r"\bsales\b", r"\bsalesperson\b", r"\bsales(wo)?m[ae]n\b", r"\bselling\b", r"\baccount (executive|manager|director|representative|lead)s?\b",
    r"\bkey account\b", r"\bbusiness develop\w*\b", r"\b(sdr|bdr|ae)\b", r"\binside sales\b", r"\btelesales\b", r"\btelemarket\w*\b",
    r"\bterritory (manager|representative|rep|sales)\b", r"\bnew business\b", r"\bsales engineer\b", r"\bpre-?sales\b",
    r"\bventes?\b", r"\bvertrieb\w*\b", r"\w*verkäufer\w*\b", r"\bhandelsvertret\w*\b", r"\bverkauf\w*\b", r"\baußendienst\w*\b", r"\bakquis\w*\b",
    r"\bneukunden\w*\b", r"\bkundenberater\w*\b", r"\bmediaberater\w*\b", r"\bkey-account\w*\b", r"\w+vertrieb\w*\b",
    r"\bcold caller\b", r"\bverkaufsberater\w*\b",
]
TITLE_MARKETING: list[str] = [
    r"\bmarketing\b", r"\bmarketer\b", r"\w+marketing\w*\b", r"\bmarketing\w+\b", r"\bbrand\b", r"\bbranding\b", r"\bproduct marketing\b",
    r"\bcontent (marketing|marketer|manager|strategist|writer|creator|specialist|lead|editor|producer)\b", r"\bseo\b", r"\bsem\b", r"(?-i:\bSEA\b)", r"\bppc\b", r"\bsocial[- ]media\b", r"\bcommunications?\b", r"\bpr\b",
    r"\bpublic relations\b", r"\badvertis\w*\b", r"\bgrowth (marketing|marketer|hacker|lead)\b", r"\bdemand gen\w*\b", r"\bmedia (buyer|planner)\b",
    r"\binfluencer\b", r"\bcampaign\w*\b", r"\bpromotion\w*\b", r"\blinkbuilding\b", r"\bpaid (social|search|media)\b",
    r"\bwerbung\b", r"\bwerbe\w*\b", r"\bkommunikation\w*\b", r"\w+kommunikation\b", r"\bpressesprecher\w*\b", r"\böffentlichkeitsarbeit\b",
    r"\bkampagne\w*\b", r"\bpr-\w+\b", r"\bonline-?marketing\w*\b", r"\bevent (manager|marketing|coordinator)\b",
]
# Titles whose head noun is another job: the function word only qualifies it
# ("Sales Research Analyst", "Marketing Technology Engineer") -> other.
TITLE_OTHER_HEADS: list[str] = [
    r"\b(software|data|systems?|technology|technical|devops|platform|automation|solutions?) (engineer|architect|developer)s?\b",
    r"\b(research|data|operations|ops|business|financial|bi|reporting|crm) analyst\b", r"\boperations (manager|specialist|coordinator|analyst)\b",
    r"(?<!business )\bdeveloper\b", r"\bentwickler\w*\b", r"\badministrator\b", r"\badmin\b", r"designer\b", r"gestalter\w*\b", r"gestaltung\b", r"\bscientist\b",
    r"\bredakteur\w*\b", r"\bcontroller\b", r"\btrainer\b", r"\bmoderator\b", r"\bcopywriter\b",
    r"\bemployer branding\b", r"\bpersonalmarketing\b", r"\brecruit\w*\b", r"\btalent acquisition\b", r"\bprodukt ?manager\w*\b",
    r"\baccountant\b", r"\brecruiter\b", r"\bbuchhalt\w*\b", r"\bfachinformatiker\w*\b", r"\binternal communications?\b",
    r"\binterne kommunikation\b", r"\bsupport (engineer|specialist|agent)\b", r"\bengineer\b", r"\barchitect\b",
    r"\bsalesforce\b", r"\bmarketing (technology|operations|ops|data) (engineer|developer|analyst)\b",
    r"\b(sales|revenue) (operations|ops|administrator|analyst|research)\b",
]
# Exceptions to the head rule that LABELING.md names as sales titles.
TITLE_SALES_OVERRIDES: list[str] = [r"\bsales engineers?\b", r"\bengineer \(sales\)", r"\bengineer / sales\b", r"\bpre-?sales engineer\b", r"\bvertriebsingenieur\w*\b", r"\btechnical sales\b"]
# "X and Y" joins that make a title name both functions ("Sales and Marketing Manager").
TITLE_JOINER: str = r"^\s*(and|&|\+|/|und|,|or|-)\s*$"
# Role nouns: the function word right before one is the title's head ("Sales Manager Digital Marketing").
TITLE_ROLE_NOUNS: str = r"\s*(manager|executive|representative|rep|specialist|consultant|coordinator|director|lead|head|officer|associate|agent|mitarbeiter|berater|referent|leiter|manager:?in|mitarbeiter:?in|\w*mitarbeiter)\b"
