"""The regular expressions the address detector chains: street types, units, cities, localities.

All quantifiers are bounded; segments are at most 64 characters, so matching stays linear.
"""

from __future__ import annotations

import re

# USPS street suffixes (C1), UK/AU/IN road types: the words that end an English street name.
_SUFFIXES = (
    "alley|aly|annex|arcade|avenue|ave|av|bayou|beach|bend|bluffs?|bottom|boulevard|blvd|branch|bridge|brg|brooks?|"
    "burgs?|bypass|byp|camp|canyon|cape|causeway|cswy|centers?|centre|ctr|circles?|cir|circus|cliffs?|club|commons?|"
    "corners?|course|courts?|ct|coves?|cv|creek|crescent|cres|crest|crossing|xing|crossroads?|curve|dale|dam|"
    "deviation|divide|drives?|dr|estates?|expressway|expy|extensions?|ext|falls?|ferry|fields?|flats?|fords?|forest|"
    "forges?|forks?|fort|freeway|fwy|gardens?|gdns|gateway|glens?|greens?|groves?|harbou?rs?|haven|heights|hts|"
    "highway|hwy|hills?|hollow|inlet|islands?|isle|junctions?|keys?|knolls?|lakes?|land|landing|lane|ln|lights?|"
    "loaf|locks?|lodge|loop|mall|manors?|meadows?|mews|mills?|mission|motorway|mount|mt|mountains?|neck|orchard|oval|"
    "overpass|parks?|parkways?|pkwy|pass|passage|path|pike|pines?|place|pl|plains?|plaza|plz|points?|ports?|prairie|"
    "quad|quays?|radial|ramp|ranch|rapids?|rest|ridges?|river|roads?|rd|route|rte|row|rue|run|shoals?|shores?|"
    "skyway|springs?|spurs?|squares?|sq|station|stravenue|stream|streets?|st|strip|summit|terrace|ter|throughway|"
    "trace|track|trafficway|trail|trl|trailer|tunnel|turn|turnpike|tpke|underpass|unions?|valleys?|viaduct|views?|"
    "villages?|villas?|ville|vista|walks?|wall|ways?|wells?|close|rise|vale|wharf|parade|esplanade|promenade|"
    "circuit|crossway|drove|gate|yard|front|broadway|cl|pde|cct|esp|marg|nagar|chowk|ganj|colony|gali|bazaar|"
    "peth|layout|sector|enclave|vihar|puram"
)
SUFFIX = r"(?:" + _SUFFIXES + r")\.?"
NUM = r"(?:\d{1,6}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)?)"
_CAP = r"(?:[A-ZÀ-ÖØ-Þ][\w'’.-]{0,30})"
_PART = r"(?:de|del|de la|la|las|los|el|du|des|di|della|dei|do|da|dos|das|van|von|der|den|am|an|of|the|y|e|d['’])"
_DIR = r"(?:[NSEW]{1,2}\.?|North|South|East|West|Northeast|Northwest|Southeast|Southwest)"
UNIT = (
    r"(?:(?i:apartment|appartamento|apt|suite|ste|unit|flat|floor|fl|room|rm|bldg|building|studio|level|lvl|"
    r"puerta|piso|planta|étage|etage|bâtiment|bât|appt|app|interno|scala|whg|wohnung|box|h\.?[ ]?no|house[ ]no|"
    r"plot[ ]no|door[ ]no|shop[ ]no)(?![^\W\d_])\.?[ ]?#?[ ]?[\w/-]{1,6}|#[ ]?\d{1,6}[A-Za-z]?)"
)
CITY = (
    r"[A-ZÀ-ÖØ-Þ][\w.'’-]{0,25}(?:[ –-](?:(?:de|del|la|le|les|sur|upon|on|am|an|der|di|en|y|sous|of)[ –-])?"
    r"[A-ZÀ-ÖØ-Þ][\w.'’-]{0,25}){0,3}"
)
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|"
    "OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR|GU|VI|AS|MP|FM|MH|PW|AA|AE|AP|Alabama|Alaska|Arizona|Arkansas|California|Colorado|"
    "Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|"
    "Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|"
    "New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|"
    "South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming"
)
_CA_PROV = "AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT|Alberta|British Columbia|Manitoba|Ontario|Quebec|Québec|Nova Scotia"
_AU_STATES = "NSW|VIC|QLD|WA|SA|TAS|ACT|NT|Victoria|Queensland|Tasmania|New South Wales"
# A city opens its segment (start of text or line, or after a comma): "to Springfield" is a sentence.
_SEG_START = r"(?:\A|(?<=\n)|(?<=,)|(?<=, ))"
_CITY_SEP = r"(?:" + _SEG_START + CITY + r"[ ]{0,2},?[ ]{1,2})"

# A locality: the postal part of an address (with the city or region that goes with it).
LOCALITY = re.compile(
    r"(?<![\w-])(?:"
    + _CITY_SEP
    + r"?(?:"
    + _US_STATES
    + r")[ ,]{1,3}\d{5}(?:-\d{4})?"
    + r"|"
    + _CITY_SEP
    + r"?(?:"
    + _CA_PROV
    + r")[ ,]{1,3}[A-Z]\d[A-Z][ ]?\d[A-Z]\d"
    + r"|"
    + _CITY_SEP
    + r"?(?:"
    + _AU_STATES
    + r")[ ,]{1,3}\d{4}"
    + r"|"
    + _CITY_SEP
    + r"?[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2}"  # UK postcode
    + r"|\d{4}[ ]?[A-Z]{2}(?:,?[ ]{1,2}"
    + CITY
    + r")?"  # NL: 1015 CJ Amsterdam
    + r"|(?:[A-Z]{1,2}-)?\d{4,5},?[ ]{1,2}"
    + CITY
    + r"(?:[ ]\([A-Z]{2}\)|[ ]Cedex(?:[ ]\d{1,2})?)?"  # EU: 75002 Paris, 41036, Medolla (MO)
    + r"|"
    + _SEG_START
    + CITY
    + r",[ ]{1,2}\d{5}"  # ES as often written: Toledo, 23692
    + r"|"
    + _SEG_START
    + CITY
    + r"(?:[ ]?[-–][ ]?|[ ]{1,2})\d{6}"  # IN PIN: Pune-411001, Nagaon 718002
    + r"|(?:APO|FPO|DPO)[ ](?:AA|AE|AP)[ ]\d{5}"
    + r")(?![\w])"
)
POSTAL_ONLY = re.compile(
    r"(?:\d{4,6}|\d{4}[ ]?[A-Z]{2}|[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2}|[A-Z]\d[A-Z][ ]?\d[A-Z]\d|\d{3}[ ]\d{3})$"
)
COUNTRY = re.compile(
    r"(?:USA|U\.S\.A\.|U\.S\.|United[ ]States(?:[ ]of[ ]America)?|UK|U\.K\.|United[ ]Kingdom|England|Scotland|"
    r"Wales|Northern[ ]Ireland|Canada|Australia|Germany|Deutschland|France|Spain|España|Italy|Italia|India|"
    r"Netherlands|Nederland|The[ ]Netherlands|Ireland|Belgium|Belgique|Austria|Österreich|Switzerland|Schweiz|"
    r"Suisse|Portugal|New[ ]Zealand)"
)
_FR_TYPES = (
    r"(?i:rue|avenue|av\.|bd|boulevard|place|chemin|allée|impasse|quai|route|cours|square|passage|voie|sentier|"
    r"faubourg|rte|montée|rampe|villa)"
)
_ES_IT_TYPES = (
    r"(?:Calle|C/|C\.|Avenida|Avda\.?|Av\.|Paseo|Pasaje|Plaza|Camino|Carrer|Carretera|Ronda|Rambla|Travesía|"
    r"Travessera|Urbanización|Glorieta|Callejón|Cuesta|Acceso|Alameda|Via|Viale|Piazza|Piazzale|Corso|Largo|Vicolo|"
    r"Contrada|Borgo|Strada|Rua|Praça|Avinguda|Passeig)"
)
# The tail of a segment that is a street (searched with `$`: the street runs to the segment's end).
STREET_TAIL = re.compile(
    r"(?:(?:" + UNIT + r")[ ,]{1,2})?" + NUM + r",?[ ]{1,2}(?:" + _DIR + r"[ ])?" + _CAP
    + r"(?:[ ](?:" + _CAP + r"|" + _PART + r"|\d{1,3}(?:st|nd|rd|th)?)){0,5}(?:[ ](?:" + UNIT + r"))?$"
    + r"|(?:" + _CAP + r"[ ](?:" + _PART + r"[ ])?){0,4}" + r"(?<![\w'’.-])(?i:" + SUFFIX + r")$"
    + r"|(?:\d{1,4}(?:[ ]?(?:bis|ter))?,?[ ])?" + _FR_TYPES + r"[ ](?:(?:" + _PART + r"|l['’]|d['’]|à|aux|sur|en|et)"
    + r"[ ]?|" + _CAP + r"[ ]?){1,7}$"
    + r"|" + _CAP + r"(?:[ ](?:" + _CAP + r"|" + _PART + r")){0,5},?[ ]" + NUM
    + r"(?:[ ](?:" + UNIT + r")){0,2}[ ]?$"
)  # fmt: skip
SUFFIX_END = re.compile(r"(?<![\w'’.-])(?i:" + SUFFIX + r")$")
_WORD = r"(?:[A-Z][\w'’.-]{0,25}|\d{1,3}(?:st|nd|rd|th)|[NSEW]\.?)"
STREET_ANCHORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"(?<![\w/.-])" + NUM + r",?[ ]{1,2}(?:" + _DIR + r"[ ])?(?:" + _WORD + r"[ ]){0,4}?(?i:" + SUFFIX + r")"
            r"(?![\w])(?:[ ]" + _DIR + r"(?![\w]))?"
        ),
        "street",
    ),
    (
        re.compile(
            r"(?i)(?:\bat|\baddress(?:\s{1,2}is)?:?|\bto|\blive\s{1,2}at)[ ]{1,2}(?P<s>"
            + NUM
            + r"[ ]{1,2}(?:[\w'’.-]{1,25}[ ]){1,3}?"
            + SUFFIX
            + r")(?![\w])"
        ),
        "street after an address cue",
    ),
    (
        re.compile(
            r"(?<![\w/.-])\d{1,4}(?:[ ]?(?:bis|ter|[A-D]))?,?[ ]{1,2}"
            + _FR_TYPES
            + r"[ ](?:(?:de|du|des|la|le|les|l['’]|d['’]|à|aux|sur|en|et)[ ]?|[A-ZÀ-Þ][\w'’-]{0,25}[ ]?){1,7}"
        ),
        "street (FR)",
    ),
    (
        re.compile(
            r"(?<![\w])" + _ES_IT_TYPES + r"[ ](?:(?:" + _PART + r")[ ]|[A-ZÀ-Þ][\w'’-]{0,25}[ ]?){1,7},?[ ]?"
            r"(?:n[º°o]\.?[ ]?)?\d{1,4}[A-Za-z]?(?:[ ](?:" + UNIT + r"))*"
        ),
        "street (ES/IT/PT)",
    ),
    (
        re.compile(
            r"(?<![\w-])(?:(?:Am|An[ ]der|Auf[ ]der|Im|In[ ]der|Unter[ ]den|Zum|Zur)[ ][A-ZÄÖÜ][\w-]{1,30}|"
            r"[A-ZÄÖÜ][\w.-]{0,40}(?i:straße|strasse|str\.|weg|allee|platz|gasse|ring|damm|ufer|chaussee|steig|pfad|"
            r"markt|stieg|straat|gracht|laan|plein|kade|dijk|singel|steeg|hof|pad|baan|park))[ ]\d{1,4}[a-zA-Z]?"
            r"(?:[-/]\d{1,4})?"
        ),
        "street (DE/NL)",
    ),
    (re.compile(r"(?i)(?<![\w])(?:P\.?[ ]?O\.?[ ]?Box|Post[ ]Office[ ]Box|Postfach|Apartado)[ ]\d{1,6}"), "PO box"),
    (
        re.compile(
            r"(?<![\w])(?:(?:PSC|Unit|CMR)[ ]\d{1,5},?[ ]Box[ ]\d{1,5}|(?:USNS|USS|USNV|USCGC)[ ][A-Z]\w{1,20})"
        ),
        "military address",
    ),
)
