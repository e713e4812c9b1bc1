"""Finding the checkable details in a customer's email: references, amounts, dates, deadlines.

A reply that repeats the customer's own booking code and amount reads as written for them;
a reply that calls their flight an order, or their euros dollars, reads as not read at all,
and a reply that invents one is a liability. The offline draft, the checker's grounding
rules and the LLM engine's safety net all use this one extractor, so they agree on what
counts as a fact.

Facts are found **by context, not by shape**: a reference is a token with a digit in it
(or a booking code) right after a word that names its kind, in any of the seven languages
("flight #1007", "numéro de commande 73025", "Kundennummer 2200914-8", "polisnummer
AV-1190-338"); a bare "#1007" is a reference of unknown kind, and a hashtag ("#ios11update")
or a model number ("the W-400") is none. Amounts keep the currency as written and a
normalised value; dates are read in the seven languages' month names; deadlines ("by
Friday", "within 7 days", "bis Ende der Woche"), durations ("40 minutes on hold") and counts
("called five times") are kept as written, with a normalised value where one exists.

Why hand-written tables rather than a library: dateparser's ``search_dates`` costs 0.12 s
to import and 0.13 s for its first search (half of the 0.5 s ``drafter draft`` has in all),
takes "on 12 March and" as the date and reads the German article "die" as one; price-parser
applies the same separator rule as :func:`normalize_amount` at 80 ms of import. The tables
below are small, tested per language, and linear-time.
"""

from __future__ import annotations

import re

from drafter.models import Fact

# --- references ------------------------------------------------------------------------------

#: The word before a reference → the reference's kind, in the seven languages. "police" is
#: left out on purpose (in English it is the police, not an insurance policy).
REFERENCE_WORDS: dict[str, str] = {
    **dict.fromkeys("order orders purchase po pedido compra commande bestellung bestell auftrag "
                    "ordine encomenda bestelling bestel".split(), "order"),
    **dict.fromkeys("booking reservation confirmation pnr locator reserva localizador "
                    "réservation buchung reservierung prenotazione boeking reservering "
                    "confirmación confirmação conferma bevestiging biglietto billete billet "
                    "bilhete "
                    "fahrkarte".split(),
                    "booking"),
    **dict.fromkeys("flight vuelo vol flug volo voo vlucht".split(), "flight"),
    **dict.fromkeys("account acct customer member membership cuenta socio compte abonné "
                    "konto kunde kunden mitglied conto conta rekening klant lid cliente client "
                    "socia membre tessera matrícula matricula kundenkonto vertragskonto "
                    "lidnummer".split(),
                    "account"),
    **dict.fromkeys("ticket case complaint incident caso incidencia reclamación expediente "
                    "dossier réclamation fall vorgang beschwerde aktenzeichen pratica "
                    "segnalazione reclamo protocolo protocollo processo reclamação zaak klacht "
                    "melding folio pir storing kenmerk".split(), "ticket"),
    **dict.fromkeys("claim siniestro sinistre schaden schadensfall schadenfall sinistro schade"
                    .split(),
                    "claim"),
    **dict.fromkeys("policy póliza poliza polizze polizza versicherungsschein versicherung "
                    "apólice polis police".split(), "policy"),
    **dict.fromkeys("invoice bill factura facture rechnung abrechnung fattura fatura factuur"
                    .split(),
                    "invoice"),
    **dict.fromkeys("tracking shipment parcel package consignment waybill envío envio "
                    "seguimiento colis suivi sendung paket spedizione pacco tracciamento "
                    "rastreio pacote zending pakket trace".split(), "tracking"),
    **dict.fromkeys("contract contrato contrat vertrag mietvertrag contratto".split(),
                    "contract"),
    **dict.fromkeys("meter contador compteur zähler contatore medidor hidrômetro pce pod "
                    "ean".split(), "meter"),
    **dict.fromkeys("train tren zug treno comboio trein intercity intercidades regionale "
                    "regional ice tgv frecciarossa".split(), "train"),
    **dict.fromkeys("room habitación chambre zimmer camera quarto kamer".split(), "room"),
    # Named so the checker can tell a kind apart, but never kept as facts: personal data.
    **dict.fromkeys("card tarjeta carte karte carta cartão kaart".split(), "card"),
    **dict.fromkeys("phone mobile line teléfono téléphone telefon telefono telefone "
                    "telefoon".split(), "phone"),
}
#: How each kind is reported in ``Fact.kind`` ("tracking" keeps its first name).
REFERENCE_FACT_KINDS: dict[str, str] = {
    kind: ("tracking" if kind == "tracking" else f"{kind}_id")
    for kind in dict.fromkeys([*REFERENCE_WORDS.values(), "reference"])
    if kind not in ("card", "phone")
}
#: A card is only ever kept by its last digits ("card ending 4471").
_LAST_DIGITS_KINDS = {"card": "card_id"}
#: Every kind a fact can have (the JSON contract, the LLM schema, the workbench).
FACT_KINDS: tuple[str, ...] = (*REFERENCE_FACT_KINDS.values(), *_LAST_DIGITS_KINDS.values(),
                               "amount", "date", "deadline",
                               "duration", "count")
#: Words between the kind and the reference ("order number is", "numéro de commande").
_FILLER = set("is was es est ist è é e de du des di do da van del della of the my our your "
              "mi ma mon mes mein meine mijn il la le".split())
#: Number and reference words: the kind word may come before them ("booking ref XK7P2Q");
#: with none, they still mark a reference, of no known kind ("PIR número MADAR11427").
_NUMBERED = set("number no nº º n nr num numero número numéro nummer id code codigo código "
                "codice ref reference referencia référence referenz riferimento referência "
                "referentie certificate certificado certificat zertifikat certificato pv "
                "corriente courant corrente".split())
_NUMBER_SUFFIXES = ("nummer", "nummern", "nr", "number", "code")
#: Kinds a long compound may end in ("Mietvertrag", "Vertragskonto", "Rücksendung"); never
#: card or phone ("online" is not a line).
_COMPOUND_ENDS = tuple(w for w, k in REFERENCE_WORDS.items()
                       if len(w) >= 5 and k not in ("card", "phone"))
#: "account ending 6613", "terminada en 4471", "endet auf 3390", "se terminant par 5521":
#: the last digits of an account or card, the only part of one a reply may repeat.
_ENDING_RE = re.compile(
    r"(?<![^\W\d_])(?P<what>[^\W\d_]{2,24})[\s:(]+(?:[^\W\d_]{1,24}\s+){0,2}?"
    r"(?:ending(?: in| with)?|ends? (?:in|with)|terminad[ao] en|terminando en|que termina en|"
    r"(?:mit )?endung|endet auf|endend auf|se terminant par|finissant par|(?:qui )?finit par|"
    r"(?:com )?final|terminado em|terminante in|che termina con|finale|eindigend op|"
    r"eindigt op|eindigend met)\s+(?:in\s+)?(?P<id>\d{2,6})\b", re.IGNORECASE)
#: "flight SV 218", "Flug AL 4418": a carrier's code, a space and the number.
_CARRIER_RE = re.compile(
    r"\b(?i:flight|vuelo|vol|flug|volo|voo|vlucht)\s+(?:(?i:n[º°o.]?|number|#)\s*)?"
    r"(?P<id>(?:[A-Z][A-Z0-9]|[0-9][A-Z])\s\d{1,4})\b")
_WORDS_BACK = re.compile(r"[^\W\d_]+")
#: A reference: letters, digits and inner dashes or slashes, with at least one digit; not
#: the start of a decimal number ("19" of "19,99") nor a handle or a path.
_REFERENCE_RE = re.compile(
    r"(?<![\w@/.,-])(?P<hash>#\s?)?"
    r"(?P<id>(?=[A-Za-z0-9/-]{0,31}\d)[A-Za-z0-9](?:[A-Za-z0-9]|[-/](?=[A-Za-z0-9])){1,30}"
    r"|[A-Z]{5,8})(?![\w-]|[.,]\d)")
_BOOKING_CODE = re.compile(r"[A-Z]{5,8}")
#: A hashtag, not a reference: a run of lower-case letters ("#ios11update", "#fail").
_HASHTAG = re.compile(r"[a-z]{3,}")


def reference_kind_before(text: str, start: int) -> str | None:
    """The kind the words before ``start`` give a reference ("flight" in "flight #1007",
    "order" in "numéro de commande 73025", "account" in "Kundennummer: 2200914-8"); None
    when they name none. Used by the checker to spot a reference called the wrong kind."""
    kind, _ = _kind_before(text, start)
    return kind


def _kind_before(text: str, start: int) -> tuple[str | None, bool]:
    """(kind or None, whether a number word such as "no." or "número" came first)."""
    window = text[max(0, start - 48):start]
    digit = max(window.rfind(c) for c in "0123456789\n")
    words = _WORDS_BACK.findall(window[digit + 1:])[-5:]
    numbered = False
    for word in reversed(words):
        low = word.lower()
        kind = _word_kind(low)
        if kind:
            return kind, True
        if low in _NUMBERED:
            numbered = True
        elif low not in _FILLER:
            break
    return None, numbered


def _word_kind(word: str) -> str | None:
    if word in REFERENCE_WORDS:
        return REFERENCE_WORDS[word]
    for suffix in _NUMBER_SUFFIXES:  # "Kundennummer", "buchungsnummer", "polisnummer"
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[:-len(suffix)]
            for cut in (stem, stem[:-1], stem[:-2]):  # Fugen: "buchungs", "kunden"
                if cut in REFERENCE_WORDS:
                    return REFERENCE_WORDS[cut]
                if len(cut) >= 8 and cut.endswith(_COMPOUND_ENDS):
                    return _word_kind(cut)
    if len(word) >= 8:
        for end in (word, word[:-1]):  # "Schadenfalls"
            if end.endswith(_COMPOUND_ENDS) and end not in REFERENCE_WORDS:
                tail = next(w for w in _COMPOUND_ENDS if end.endswith(w))
                return REFERENCE_WORDS[tail]
            if end in REFERENCE_WORDS:
                return REFERENCE_WORDS[end]
    return None


def _references(text: str) -> list[tuple[int, int, Fact]]:
    out = []
    for m in _ENDING_RE.finditer(text):
        kind = _word_kind(m.group("what").lower())
        if kind in ("account", "card"):
            out.append((m.start("id"), m.end("id"),
                        Fact(f"{kind}_id", m.group("id"), m.group("id"))))
    for m in _CARRIER_RE.finditer(text):
        raw = m.group("id")
        out.append((m.start("id"), m.end("id"), Fact("flight_id", raw.replace(" ", ""), raw)))
    for m in _REFERENCE_RE.finditer(text):
        ident, hashed = m.group("id"), bool(m.group("hash"))
        if hashed and _HASHTAG.search(ident):
            continue
        kind, numbered = _kind_before(text, m.start())
        if kind is None:
            if not (hashed or numbered):
                continue
            kind = "reference"
        if kind not in REFERENCE_FACT_KINDS:  # a card or phone number: never repeated
            continue
        has_digit = any(c.isdigit() for c in ident)
        if not has_digit and not (kind == "booking" and _BOOKING_CODE.fullmatch(ident)):
            continue
        if _looks_like_year(ident) and not hashed:
            continue
        out.append((m.start(), m.end(), Fact(REFERENCE_FACT_KINDS[kind], ident.upper(),
                                             m.group(0).strip())))
    return out


# --- amounts ---------------------------------------------------------------------------------

#: A number as written in any of the seven languages: "1,299.00", "1.240,00", "19,99",
#: "8.700", "1 299,50", "12.99", "40".
_NUMBER = r"\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d{1,2})?(?!\d)"
#: Currency marks and what they mean. "$" is read as US dollars: the mark most support
#: mail uses for them (a "CA$"/"A$"/"R$"/"MX$" says otherwise).
_CURRENCY_CODES = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "eu": "EUR",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP",
    "¥": "JPY", "jpy": "JPY", "chf": "CHF", "fr.": "CHF", "franken": "CHF",
    "r$": "BRL", "brl": "BRL", "reais": "BRL", "real": "BRL",
    "ca$": "CAD", "cad": "CAD", "a$": "AUD", "aud": "AUD", "mx$": "MXN", "mxn": "MXN",
    "ars": "ARS", "cop": "COP", "clp": "CLP", "sek": "SEK", "nok": "NOK", "dkk": "DKK",
    "pln": "PLN", "inr": "INR",
}
_CODES = r"USD|EUR|GBP|CHF|CAD|AUD|BRL|JPY|MXN|ARS|COP|CLP|SEK|NOK|DKK|PLN|INR"
_BEFORE = rf"R\$|CA\$|A\$|US\$|MX\$|[$€£¥]|{_CODES}|Fr\."
_AFTER = (rf"€|£|\$|{_CODES}|dollars?|euros?|pounds?|bucks|quid|reais|franken|eur\b")
_AMOUNT_RE = re.compile(
    rf"(?<![\w.,])(?P<cur>{_BEFORE})\s?(?P<num>{_NUMBER})"
    rf"|(?<![\w.,])(?P<num2>{_NUMBER})\s?(?P<cur2>{_AFTER})(?![\w$€£])",
    re.IGNORECASE,
)


def _amounts(text: str, language: str | None) -> list[tuple[int, int, Fact]]:
    out = []
    dollar = dollar_currency(text, language)
    for m in _AMOUNT_RE.finditer(text):
        mark = (m.group("cur") or m.group("cur2")).lower()
        value = normalize_amount(m.group("num") or m.group("num2"))
        if value is not None:
            code = dollar if mark == "$" else _CURRENCY_CODES.get(mark, mark.upper())
            out.append((m.start(), m.end(), Fact("amount", value, m.group(0).strip(), code)))
    return out


_NAMED_DOLLAR_RE = re.compile(r"\b(MXN|ARS|COP|CLP|CAD|AUD|USD|NZD|SGD|HKD)\b|\b(pesos?)\b")


def dollar_currency(text: str, language: str | None = None) -> str:
    """What a bare "$" means in this email: a code the email names ("$12,400 MXN"); in
    French, Canadian dollars; in Spanish or Portuguese, unknown ("" — pesos in most of Latin
    America: the reply repeats the amount as written rather than guess); else US dollars."""
    named = _NAMED_DOLLAR_RE.search(text)
    if named and named.group(1):
        return named.group(1)
    if language == "fr":
        return "CAD"
    if named or language in ("es", "pt"):
        return ""
    return "USD"


# --- dates, deadlines, durations, counts -----------------------------------------------------

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|se(?:p)?tiembre|octubre|noviembre|"
    r"diciembre|"
    r"januar|jänner|februar|märz|mai|juni|juli|oktober|dezember|"
    r"janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|"
    r"janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro|"
    r"gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|"
    r"januari|februari|maart|mei|augustus"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th|\.|º|°|er)?"
_DATE = (
    rf"(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?(?!\d)"
    rf"|{_DAY}\s+(?:(?:of|de)\s+)?(?:{_MONTHS})\b(?:,?\s+(?:de\s+)?\d{{4}})?"
    r"|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?![\d.,])"
    r"|\d{1,2}/\d{1,2}(?![/\d])"
)
_DATE_RE = re.compile(rf"(?<![\w.,/-])(?:{_DATE})", re.IGNORECASE)

#: Full month names: a bare one ("since January") is a date after a preposition; "may",
#: "mar" and "march" only with a day.
_MONTHS_FULL = "|".join(m for m in _MONTHS.replace("(?:", "").replace(")?", "").split("|")
                        if len(m) > 3 and m not in ("march", "mars", "june", "july"))
_WEEKDAYS = (
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"lunes|martes|mi[ée]rcoles|jueves|viernes|s[áa]bado|domingo|"
    r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    r"segunda(?:-feira)?|ter[çc]a(?:-feira)?|quarta(?:-feira)?|quinta(?:-feira)?|"
    r"sexta(?:-feira)?|"
    r"luned[iì]|marted[iì]|mercoled[iì]|gioved[iì]|venerd[iì]|sabato|domenica|"
    r"maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag"
)
#: Weekdays that are dates even alone ("dimanche via l'espace client"); Portuguese short forms
#: ("segunda", "quinta") are ordinary words too, so they need "-feira" or a preposition.
_WEEKDAYS_PLAIN = "|".join(d for d in _WEEKDAYS.split("|") if "(?:-feira)" not in d
                           and not d.startswith(("s[áa]bado", "domingo")))
#: Number words two to twelve (and a few tens) in the seven languages, for "five times",
#: "drei Wochen", "cinq fois".
def _ordinal(words: str) -> dict[str, int]:
    return dict(zip(words.split(), range(2, 13), strict=True))


NUMBER_WORDS: dict[str, int] = {
    **_ordinal("two three four five six seven eight nine ten eleven twelve"),
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90,
    **_ordinal("dos tres cuatro cinco seis siete ocho nueve diez once doce"),
    "veinte": 20, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "noventa": 90,
    **_ordinal("zwei drei vier fünf sechs sieben acht neun zehn elf zwölf"),
    "zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50, "sechzig": 60, "neunzig": 90,
    **_ordinal("deux trois quatre cinq six sept huit neuf dix onze douze"),
    "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
    **_ordinal("dois três quatro cinco seis sete oito nove dez onze doze"),
    "duas": 2, "vinte": 20, "trinta": 30, "quarenta": 40, "cinquenta": 50, "sessenta": 60,
    **_ordinal("due tre quattro cinque sei sette otto nove dieci undici dodici"),
    "venti": 20, "trenta": 30, "quaranta": 40, "cinquanta": 50, "sessanta": 60, "novanta": 90,
    **_ordinal("twee drie vier vijf zes zeven acht negen tien elf twaalf"),
    "twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60, "negentig": 90,
}
_COUNT_WORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_N = rf"(?:\d+|{_COUNT_WORD})"
_ONE = r"(?:a|an|one|un|una|une|um|uma|ein|eine|einer|einem|een)"
#: Units of time in the seven languages → the English unit a value is written in.
_UNITS = {
    "minute": r"min(?:ute)?s?|minutos?|minuten?|minuti|minuto",
    "hour": r"hours?|hrs?|horas?|stunden?|heures?|ore|ora|uur|uren",
    "business day": r"(?:business|working) days?|d[ií]as h[áa]biles|werktagen?|jours ouvr[ée]s|"
                    r"dias [úu]teis|giorni lavorativi|werkdagen?",
    "day": r"days?|d[ií]as?|tagen?|tage|jours?|giorni|giorno|dagen?",
    "week": r"weeks?|semanas?|wochen?|semaines?|settimane|settimana|weken|week",
    "month": r"months?|mes(?:es)?|monate[n]?|monat|mois|meses|mesi|mese|maanden?",
    "year": r"years?|a[ñn]os?|jahren?|jahre|ans|ann[ée]es?|anos|anni|anno|jaar|jaren",
    "night": r"nights?|noches?|n[äa]chte|nacht|nuits?|noites?|notti|notte|nachten",
}
_UNIT = "|".join(f"(?P<u_{k.replace(' ', '_')}>{v})" for k, v in _UNITS.items())
_SPAN = rf"(?:(?P<n>{_N})|{_ONE})\s+(?:{_UNIT})\b"
_PLAIN_SPAN = re.sub(r"\?P<\w+>", "?:", _SPAN)
_RELATIVE = (
    r"tomorrow|today|tonight|the weekend|next week|(?:the )?end of (?:the |this )?"
    r"(?:day|week|month|business day)|close of business|"
    r"ma[ñn]ana|hoy|(?:el )?fin de (?:semana|mes)|la semana que viene|"
    r"morgen|heute|ende (?:der|dieser) woche|ende des monats|n[äa]chste woche|"
    r"demain|aujourd'hui|la fin de (?:la|cette) semaine|la fin du mois|la semaine prochaine|"
    r"amanh[ãa]|hoje|o fi(?:m|nal) d[ao] (?:semana|m[êe]s)|a pr[óo]xima semana|"
    r"domani|oggi|(?:la )?fine (?:della )?(?:settimana|mese)|la prossima settimana|"
    r"vandaag|(?:het )?einde van de (?:week|maand)|eind van de (?:week|maand)|volgende week"
)
_HOLIDAYS = (r"thanksgiving|christmas|easter|new year(?:'s)?|navidad|weihnachten|no[ëe]l|"
             r"natal|natale|kerst(?:mis)?|p[âa]ques|ostern|pascua|p[áa]scoa|pasqua|pasen")
_LEADS = (
    r"by|before|no later than|within(?: the next)?|until|till|in the next|"
    r"antes del?|para el|a m[áa]s tardar(?: el)?|en un plazo de|dentro de|hasta el|"
    r"bis(?: zum| sp[äa]testens)?|sp[äa]testens(?: am| bis)?|innerhalb(?: von| der n[äa]chsten)?|"
    r"binnen|"
    r"d'ici(?: à| au| le| la)?|avant(?: le| la| l')?|sous|dans les|dans un d[ée]lai de|"
    r"au plus tard(?: le)?|"
    r"at[ée](?: o| a| ao| à| dia)?|no prazo de|antes de|em at[ée]|"
    r"entro(?: il| la| lo| l'| le| i)?|prima di|non oltre(?: il)?|al pi[uù] tardi(?: il)?|"
    r"v[óo]{2}r|uiterlijk(?: op)?|tegen|"
    r"avant le week-end|before the weekend"
)
#: "en diez días", "em 7 dias", "in 3 days": a deadline only with a span after it.
_SPAN_LEADS = r"en|em|in|dans|tra|fra|binnen de|dentro de los próximos|nei prossimi"
#: What a deadline's lead word needs right before its target (a date, a weekday, "the end of
#: the week", a holiday, a span of time), read on the text just before the target: one small
#: pattern instead of every target pattern again inside one huge one (its compilation alone
#: cost 15 ms of every ``drafter draft``).
_LEAD_BEFORE = re.compile(
    rf"(?<![\w'])(?:{_LEADS})\s+(?:(?:the|el|la|le|den|dem|il|o|a|de|next|this|coming)\s+)?$",
    re.IGNORECASE)
_SPAN_LEAD_BEFORE = re.compile(rf"(?<![\w'])(?:{_SPAN_LEADS})\s+$", re.IGNORECASE)
_RELATIVE_RE = re.compile(rf"(?<![\w'])(?:{_RELATIVE}|{_HOLIDAYS})(?![\w'])", re.IGNORECASE)
_MONTH_DAY_RE = re.compile(
    r"(?<![\w'])(?:(?:bis zum|bis|until the|avant le) \d{1,2}\.? (?:des monats|du mois|"
    r"of the month)|(?:até ao|até o) fi[mn] (?:deste|do) m[êe]s)", re.IGNORECASE)
_DURATION_RE = re.compile(rf"(?<![\w'])(?:(?P<n>{_N})|(?P<one>{_ONE}))\s+(?:{_UNIT})\b",
                          re.IGNORECASE)
#: Words before "a day" that make it a rate, not a duration ("twice a day", "per a week").
_RATE_BEFORE = re.compile(r"(?:per|every|each|once|twice|times|por|pro|par|jeden|jede|cada|"
                          r"ogni|chaque|elke|iedere|veces|mal|fois|vezes|volte|keer|al|ao)\s*$",
                          re.IGNORECASE)
#: "for the third time", "zum dritten Mal", "pour la quatrième fois", "à deux reprises".
ORDINALS: dict[str, int] = {
    **{w: n for n, ws in enumerate((
        "second segunda segundo zweiten zweite deuxième seconde seconda secondo tweede",
        "third tercera tercer tercero dritten dritte troisième terceira terceiro terza terzo derde",
        "fourth cuarta cuarto vierten vierte quatrième quarta quarto vierde",
        "fifth quinta quinto fünften fünfte cinquième vijfde",
        "sixth sexta sexto sechsten sixième sesta sesto zesde",
        "seventh séptima siebten septième sétima settima zevende",
        "eighth octava achten huitième oitava ottava achtste",
        "ninth novena neunten neuvième nona negende",
        "tenth décima zehnten dixième decima tiende"), start=2) for w in ws.split()},
}
_ORDINAL_RE = re.compile(
    rf"(?<![\w'])(?P<o>{'|'.join(sorted(ORDINALS, key=len, reverse=True))})\s+"
    r"(?:time|vez|mal|fois|volta|keer|maal|reminder|request|complaint|email|letter|call)\b",
    re.IGNORECASE)
#: Words after a number that make it something other than a count of things.
_NOT_COUNTED = set("of and the a an de del y und et e en in on at to is was for per por pour "
                   "für x am pm uhr h kg g km cm mm m gb mb tb mbps kb kwh kw w v ml l cl "
                   "percent prozent por ciento pour cent per cento procent ou or o oder of "
                   "years year months month days day weeks week hours hour minutes minute".split())
_COUNTABLE_RE = re.compile(rf"(?<![\w'.,/#-])(?P<n>[2-9]|[1-9]\d{{1,2}}|{_COUNT_WORD})\s+"
                           r"(?P<what>[^\W\d_]{3,}(?:-[^\W\d_]+)?)\b", re.IGNORECASE)
#: Asks for "now" that are deadlines with no lead word ("TODAY.", "hoy mismo", "subito").
_NOW_RE = re.compile(
    r"(?<![\w'])(?:as soon as possible|asap|right now|immediately|today|tomorrow|this week|"
    r"hoy mismo|lo antes posible|cuanto antes|inmediatamente|hoy|mañana|esta semana|"
    r"heute noch|sofort|so schnell wie möglich|umgehend|heute|morgen|diese woche|"
    r"aujourd'hui même|dès que possible|immédiatement|au plus vite|aujourd'hui|demain|"
    r"cette semaine|hoje mesmo|o mais rápido possível|imediatamente|já|hoje|amanhã|"
    r"(?:esta|essa) semana|oggi stesso|il prima possibile|subito|immediatamente|oggi|domani|"
    r"questa settimana|vandaag nog|zo snel mogelijk|onmiddellijk|meteen|vandaag|morgen|"
    r"deze week)(?![\w'])", re.IGNORECASE)
_ALWAYS_NOW = re.compile(r"as soon|asap|right now|immediately|mismo|antes posible|cuanto antes|"
                         r"inmediatamente|noch|sofort|so schnell|umgehend|même|dès que|"
                         r"immédiatement|plus vite|mesmo|mais rápido|imediatamente|stesso|"
                         r"prima possibile|subito|nog|zo snel|onmiddellijk|meteen", re.IGNORECASE)
_COUNTED = (
    r"times|calls|phone calls|emails|e-mails|letters|attempts|visits|messages|chats|reminders|"
    r"veces|llamadas|correos|mensajes|intentos|visitas|"
    r"mal|anrufe|e-mails|mails|briefe|versuche|nachrichten|"
    r"fois|appels|courriels|lettres|relances|tentatives|"
    r"vezes|liga[çc][õo]es|chamadas|mensagens|tentativas|"
    r"volte|telefonate|chiamate|lettere|tentativi|solleciti|"
    r"keer|maal|telefoontjes|brieven|pogingen|berichten|reprises"
)
_COUNT_RE = re.compile(
    rf"(?<![\w'])(?:(?:à\s+)?(?P<n>{_N})\s+(?P<what>{_COUNTED})\b|(?P<twice>twice|thrice)\b"
    rf"|(?P<nmal>zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn)mal\b)",
    re.IGNORECASE)


#: Dates written without a day: a weekday or month after a word that makes it one ("on
#: Tuesday", "seit Oktober", "depuis mars", "el jueves", "sabato scorso"), "the 28th", "dia 3",
#: "am 4.12.", a time ("20h10", "7:05", "3 pm") and a year after "since" ("dal 2022").
_BARE_DATE_RE = re.compile(
    rf"(?<![\w'])(?:(?:on|last|this|next|since|from|until|in|el|los|desde|en|hasta|am|vom|seit|"
    rf"im|ab|bis|le|ce|depuis|en|jusqu'en|na|no|desde|em|até|il|lo|dal|da|di|a|in|fino a|op|"
    rf"sinds|afgelopen|vorige|van|tot)\s+)"
    rf"(?P<d>(?:{_WEEKDAYS}|{_MONTHS_FULL})\b(?:\s+(?:scorso|passado|pasado|dernier|"
    rf"letzten|passato))?)"
    rf"|(?<![\w'])(?P<d2>(?:{_WEEKDAYS_PLAIN})\b)"
    r"|(?<![\w'])(?P<d3>the \d{1,2}(?:st|nd|rd|th)|dia \d{1,2}|d[íi]a \d{1,2}|"
    r"\d{1,2}\.\d{1,2}\.(?!\d)|\d{1,2}h\d{2}|\d{1,2}:\d{2}(?:\s?[ap]\.?m\.?)?|"
    r"\d{1,2}\s?[ap]\.?m\.?(?!\w)|\d{1,2}h(?!\w))"
    r"|(?<![\w'])(?:since|in|dal|desde|seit|depuis|sinds|dès|from)\s+(?P<y>(?:19|20)\d{2})(?!\d)",
    re.IGNORECASE)


def _number(word: str) -> int | None:
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word.lower())


def _unit(m: re.Match) -> str:
    return next(k.replace("_", " ") for k, v in m.groupdict().items()
                if k.startswith("u_") and v)[2:]


def _span_value(m: re.Match) -> str:
    n = _number(m.group("n")) if m.group("n") else 1
    unit = _unit(m)
    return f"{n} {unit}{'s' if n != 1 else ''}"


def _deadlines(text: str) -> list[tuple[int, int, Fact]]:
    """"by Friday", "within 7 days", "bis Ende der Woche", "entro venerdì": a target (a
    date, weekday, period, holiday or span) with a lead word right before it."""
    targets = [(m.start(), m.end(), False) for m in _DATE_RE.finditer(text)]
    targets += [(m.start(g), m.end(g), False) for m in _BARE_DATE_RE.finditer(text)
                for g in ("d", "d2") if m.group(g)]
    targets += [(m.start(), m.end(), False) for m in _RELATIVE_RE.finditer(text)]
    targets += [(m.start(), m.end(), True) for m in _DURATION_RE.finditer(text)]
    out = []
    for start, end, span in targets:
        before = text[max(0, start - 40):start]
        lead = _LEAD_BEFORE.search(before) or (_SPAN_LEAD_BEFORE.search(before) if span
                                                else None)
        if lead:
            begin = start - (len(before) - lead.start())
            raw = text[begin:end]
            out.append((begin, end, Fact("deadline", " ".join(raw.split()), raw)))
    for m in _MONTH_DAY_RE.finditer(text):
        out.append((m.start(), m.end(), Fact("deadline", " ".join(m.group(0).split()),
                                             m.group(0))))
    return out


def _times(text: str) -> list[tuple[int, int, Fact]]:
    out = []
    for m in _DATE_RE.finditer(text):
        out.append((m.start(), m.end(), Fact("date", " ".join(m.group(0).split()), m.group(0))))
    out += _deadlines(text)
    for m in _BARE_DATE_RE.finditer(text):
        group = next(g for g in ("d", "d2", "d3", "y") if m.group(g))
        raw = m.group(group)
        out.append((m.start(group), m.end(group), Fact("date", " ".join(raw.split()), raw)))
    for m in _NOW_RE.finditer(text):
        if _ALWAYS_NOW.search(m.group(0)) or _short_sentence(text, m.start()):
            out.append((m.start(), m.end(), Fact("deadline", " ".join(m.group(0).split()),
                                                 m.group(0))))
    for m in _DURATION_RE.finditer(text):
        if m.group("one") and _RATE_BEFORE.search(text[max(0, m.start() - 12):m.start()]):
            continue
        out.append((m.start(), m.end(), Fact("duration", _span_value(m), m.group(0))))
    for m in _ORDINAL_RE.finditer(text):
        out.append((m.start(), m.end(), Fact("count", f"{ORDINALS[m.group('o').lower()]} times",
                                             m.group(0))))
    for m in _COUNTABLE_RE.finditer(text):
        what = m.group("what").lower()
        if what not in _NOT_COUNTED and not _MONTH_WORD.fullmatch(what) \
                and not _COUNTED_WORD.fullmatch(what):
            n = _number(m.group("n"))
            out.append((m.start(), m.end(), Fact("count", f"{n} {what}", m.group(0))))
    for m in _COUNT_RE.finditer(text):
        if m.group("twice"):
            value = f"{2 if m.group('twice').lower() == 'twice' else 3} times"
        elif m.group("nmal"):
            value = f"{NUMBER_WORDS[m.group('nmal').lower()]} times"
        else:
            n, what = _number(m.group("n")), m.group("what").lower()
            value = f"{n} {'times' if what in _TIMES_WORDS else what}"
        out.append((m.start(), m.end(), Fact("count", value, m.group(0))))
    return out


_TIMES_WORDS = {"times", "veces", "mal", "fois", "vezes", "volte", "keer", "maal", "reprises"}
_MONTH_WORD = re.compile(_MONTHS, re.IGNORECASE)
_COUNTED_WORD = re.compile(_COUNTED, re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?\n]")


def _short_sentence(text: str, at: int) -> bool:
    """Whether the sentence around ``at`` is short (eight words or fewer): "TODAY.",
    "Deliver it to my address today." ask for now; "I called today about it and …" tells."""
    starts = [m.end() for m in _SENTENCE_END.finditer(text, max(0, at - 200), at)]
    start = starts[-1] if starts else max(0, at - 200)
    end_m = _SENTENCE_END.search(text, at)
    end = end_m.start() if end_m else len(text)
    return len(text[start:end].split()) <= 8


# --- all together ----------------------------------------------------------------------------

#: When two facts overlap, the one of the earlier kind here is kept: a deadline holds its
#: duration ("within 7 days"), an amount is never also a reference.
_PRECEDENCE = ("amount", "reference", "deadline", "date", "duration", "count")


def extract_facts(text: str, language: str | None = None) -> list[Fact]:
    """All references, amounts, dates, deadlines, durations and counts in ``text`` (in
    ``language``, when known: it says what a bare "$" is), in order of first appearance,
    without repeats. A date inside a deadline is kept as well (it is
    the day the reply must name); a duration inside one is not."""
    found = _amounts(text, language) + _times(text) + _references(text)
    taken = bytearray(len(text))  # 1: inside a kept fact; 2: inside a kept deadline only
    kept: list[tuple[int, int, Fact]] = []
    # Of overlapping facts the earlier kind in _PRECEDENCE wins, then the longer one.
    for start, end, fact in sorted(found, key=lambda x: (_rank(x[2]), x[0] - x[1], x[0])):
        span = taken[start:end]
        # A written date may sit inside a deadline (it is the day the reply must name);
        # nothing else overlaps.
        nested = fact.kind == "date" and any(c.isdigit() for c in fact.text)
        if 1 in span or (2 in span and not nested):
            continue
        kept.append((start, end, fact))
        taken[start:end] = (b"\2" if fact.kind == "deadline" else b"\1") * (end - start)
    out: list[Fact] = []
    seen: set[tuple[str, str]] = set()
    for _, _, fact in sorted(kept, key=lambda x: x[0]):
        key = (fact.kind, fact.value.lower())
        if key not in seen:
            seen.add(key)
            out.append(fact)
    return out


def _rank(fact: Fact) -> int:
    kind = fact.kind if fact.kind in _PRECEDENCE else "reference"
    return _PRECEDENCE.index(kind)


def normalize_amount(number: str) -> str | None:

    """One spelling per amount, whatever the writer's separators: ``"1,299.00"`` and
    ``"1.299,00"`` → ``"1299"``, ``"12.99"`` and ``"12,99"`` → ``"12.99"``, ``"8.700"`` →
    ``"8700"``; None for what is not a number.

    The last separator is the decimal one when both kinds appear; a lone separator is a
    thousands separator when exactly three digits follow it ("8.700 euros", "$1,298"), and
    a decimal one otherwise ("19,99 EUR"). (price-parser applies the same rule; at 80 ms
    of import it would cost a sixth of ``drafter draft``.)
    """
    digits = re.sub(r"[\u00a0\u202f ]", "", number)
    marks = [c for c in digits if c in ".,"]
    if not marks:
        whole, frac = digits, ""
    elif len(set(marks)) == 2:
        last = max(digits.rfind("."), digits.rfind(","))
        whole, frac = digits[:last], digits[last + 1:]
    else:
        head, _, tail = digits.rpartition(marks[-1])
        if len(tail) == 3 and (len(marks) > 1 or head):
            whole, frac = digits, ""
        else:
            whole, frac = head, tail
    whole = re.sub(r"[.,]", "", whole)
    if not whole.isdigit() or (frac and not frac.isdigit()):
        return None
    value = float(f"{whole}.{frac or '0'}")
    return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))


def _looks_like_year(ident: str) -> bool:
    return ident.isdigit() and len(ident) == 4 and ident.startswith(("19", "20"))
