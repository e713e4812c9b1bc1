"""The offline reply's words in the customer's language: dates, amounts, references, remedies.

The offline engine answers in English, Spanish, German, French, Portuguese and Italian: one
template per language under ``prompts/`` (``offline_reply.j2``, ``offline_reply.es.j2`` …)
with the same MAMA structure. This module supplies what the templates cannot spell out
themselves: a follow-up date as a reader of that language writes it ("lunes, 7 de
diciembre", "Montag, 7. Dezember"), an amount with its separators ("49,99 €"), the word for
the customer's reference (a flight is a "vuelo", a "Flug", a "vol"), what each kind of want
is called, and the built-in wording of each policy option when the policy gives none in
that language (``offer_es = "…"`` in a policy's option does).

Why tables rather than Babel: Babel's CLDR data is about 30 MB installed and its import
costs a tenth of the 0.5 s ``drafter draft`` has; five languages' month and weekday names,
separators and a few dozen phrases are small, reviewed here, and tested.
"""

from __future__ import annotations

import datetime as dt
import re

#: Languages with their own offline template; any other gets English, with a notice.
REPLY_LANGUAGES = ("en", "es", "de", "fr", "pt", "it", "nl")

_WEEKDAYS = {
    "es": "lunes martes miércoles jueves viernes sábado domingo",
    "de": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
    "pt": "segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado domingo",
    "it": "lunedì martedì mercoledì giovedì venerdì sabato domenica",
    "nl": "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag",
}
_MONTHS = {
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
          "diciembre",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre "
          "décembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
          "dezembro",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre "
          "novembre dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november "
          "december",
}


def format_day(day: dt.date, language: str = "en") -> str:
    """A follow-up day as the language writes it: "Monday, December 7", "lunes, 7 de
    diciembre", "Montag, 7. Dezember", "lundi 7 décembre", "segunda-feira, 7 de dezembro",
    "lunedì 7 dicembre", "maandag 7 december"."""
    if language not in _WEEKDAYS:
        return f"{day:%A}, {day:%B} {day.day}"
    weekday = _WEEKDAYS[language].split()[day.weekday()]
    month = _MONTHS[language].split()[day.month - 1]
    if language == "de":
        return f"{weekday}, {day.day}. {month}"
    if language in ("es", "pt"):
        return f"{weekday}, {day.day} de {month}"
    return f"{weekday} {day.day} {month}"


_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "BRL": "R$", "CAD": "CA$", "AUD": "A$"}


def money(value: float, currency: str, language: str = "en") -> str:
    """An amount as the language writes it: "$1,240" in English, "1.240 €" in German,
    Spanish, Italian and Portuguese, "1 240 €" in French, "€ 1.240" in Dutch; cents only
    when there are any."""
    code = currency.upper()
    whole = f"{value:,.2f}".removesuffix(".00")
    symbol = _SYMBOLS.get(code)
    if language == "en" or language not in _WEEKDAYS:
        return f"{symbol}{whole}" if symbol else f"{whole} {code}"
    thousands = "\u202f" if language == "fr" else "."
    local = whole.replace(",", "\x00").replace(".", ",").replace("\x00", thousands)
    if code == "BRL":
        return f"R$ {local}"
    if language == "nl" and symbol and code in ("EUR", "GBP"):
        return f"{symbol} {local}"  # Dutch writes the sign first: "€ 1.240,50"
    return f"{local} {symbol}" if code in ("EUR", "GBP") else f"{local} {code}"


#: The word a reply in each language calls each kind of reference by (with the article
#: where the template's sentence needs one; German and Italian name it bare, in brackets).
REFERENCE_WORDS: dict[str, dict[str, str]] = {
    "en": {"order_id": "order", "booking_id": "booking", "flight_id": "flight",
           "claim_id": "claim", "ticket_id": "case", "policy_id": "policy",
           "invoice_id": "invoice", "contract_id": "contract", "account_id": "account"},
    "es": {"order_id": "el pedido", "booking_id": "la reserva", "flight_id": "el vuelo",
           "claim_id": "el siniestro", "ticket_id": "el caso", "policy_id": "la póliza",
           "invoice_id": "la factura", "contract_id": "el contrato",
           "account_id": "la cuenta"},
    "de": {"order_id": "Bestellung", "booking_id": "Buchung", "flight_id": "Flug",
           "claim_id": "Schadensfall", "ticket_id": "Vorgang", "policy_id": "Police",
           "invoice_id": "Rechnung", "contract_id": "Vertrag", "account_id": "Kundenkonto"},
    "fr": {"order_id": "la commande", "booking_id": "la réservation", "flight_id": "le vol",
           "claim_id": "le sinistre", "ticket_id": "le dossier", "policy_id": "le contrat",
           "invoice_id": "la facture", "contract_id": "le contrat",
           "account_id": "le compte"},
    "pt": {"order_id": "a encomenda", "booking_id": "a reserva", "flight_id": "o voo",
           "claim_id": "o sinistro", "ticket_id": "o processo", "policy_id": "a apólice",
           "invoice_id": "a fatura", "contract_id": "o contrato", "account_id": "a conta"},
    "it": {"order_id": "ordine", "booking_id": "prenotazione", "flight_id": "volo",
           "claim_id": "sinistro", "ticket_id": "pratica", "policy_id": "polizza",
           "invoice_id": "fattura", "contract_id": "contratto", "account_id": "conto"},
    "nl": {"order_id": "bestelling", "booking_id": "boeking", "flight_id": "vlucht",
           "claim_id": "schadeclaim", "ticket_id": "dossier", "policy_id": "polis",
           "invoice_id": "factuur", "contract_id": "contract", "account_id": "klantnummer"},
}

#: What each kind of want is called in an English reply when the customer's own phrase
#: would not read as their need ("can you get money off my bill?").
WANT_NOUNS_EN = {"refund": "a refund", "replacement": "a replacement", "repair": "a repair",
                 "cancel": "to cancel", "stop-charges": "the charges stopped",
                 "callback": "a call back", "explanation": "an explanation",
                 "delivery": "the delivery", "credit": "compensation", "apology": "an apology",
                 "account": "a change to your account", "escalate": "a manager to look at this"}

#: What each kind of want is called when restated ("you asked for: a refund, a call").
WANT_NOUNS: dict[str, dict[str, str]] = {
    "en": WANT_NOUNS_EN,
    "es": {"refund": "un reembolso", "replacement": "una sustitución", "repair": "una reparación",
           "cancel": "la cancelación", "stop-charges": "que dejemos de cobrarle",
           "callback": "una llamada", "explanation": "una explicación",
           "delivery": "la entrega", "credit": "una compensación",
           "apology": "una disculpa", "account": "un cambio en su cuenta",
           "escalate": "que lo revise un responsable"},
    "de": {"refund": "eine Erstattung", "replacement": "einen Ersatz", "repair": "eine Reparatur",
           "cancel": "eine Kündigung", "stop-charges": "einen Stopp der Abbuchungen",
           "callback": "einen Rückruf", "explanation": "eine Erklärung",
           "delivery": "die Lieferung", "credit": "eine Entschädigung",
           "apology": "eine Entschuldigung", "account": "eine Änderung an Ihrem Konto",
           "escalate": "die Prüfung durch eine verantwortliche Person"},
    "fr": {"refund": "un remboursement", "replacement": "un remplacement",
           "repair": "une réparation", "cancel": "une résiliation",
           "stop-charges": "l'arrêt des prélèvements", "callback": "un rappel",
           "explanation": "une explication", "delivery": "la livraison",
           "credit": "un dédommagement", "apology": "des excuses",
           "account": "une modification de votre compte",
           "escalate": "l'intervention d'un responsable"},
    "pt": {"refund": "um reembolso", "replacement": "uma substituição", "repair": "uma reparação",
           "cancel": "o cancelamento", "stop-charges": "que deixemos de cobrar",
           "callback": "uma chamada", "explanation": "uma explicação",
           "delivery": "a entrega", "credit": "uma compensação", "apology": "um pedido de "
           "desculpas", "account": "uma alteração na sua conta",
           "escalate": "que um responsável analise o caso"},
    "it": {"refund": "un rimborso", "replacement": "una sostituzione", "repair": "una riparazione",
           "cancel": "la disdetta", "stop-charges": "che gli addebiti si fermino",
           "callback": "una telefonata", "explanation": "una spiegazione",
           "delivery": "la consegna", "credit": "un indennizzo", "apology": "delle scuse",
           "account": "una modifica al suo conto",
           "escalate": "che se ne occupi un responsabile"},
    "nl": {"refund": "een terugbetaling", "replacement": "een vervangend product",
           "repair": "een reparatie", "cancel": "een opzegging",
           "stop-charges": "het stoppen van de afschrijvingen",
           "callback": "een terugbelverzoek",
           "explanation": "een uitleg", "delivery": "de levering", "credit": "een vergoeding",
           "apology": "excuses", "account": "een wijziging in uw account",
           "escalate": "een controle door een verantwoordelijke"},
}

#: The built-in wording of each option kind, used when the policy has none in the language
#: (``{amount}`` as in the policy's own ``offer``).
OFFERS: dict[str, dict[str, str]] = {
    "es": {"refund": "un reembolso de {amount} a su método de pago original",
           "credit": "un saldo a favor de {amount} en su cuenta",
           "replacement": "un producto de sustitución sin coste para usted",
           "expedited_shipping": "envío urgente gratuito",
           "callback": "una llamada en el momento que mejor le venga, para resolverlo juntos",
           "discount": "un descuento de {amount} en su próxima compra",
           "repair": "una reparación en el momento que mejor le venga",
           "cancel": "la cancelación desde la fecha que pidió, confirmada por escrito",
           "exchange": "un cambio por otro artículo",
           "rebooking": ("un cambio sin coste a la próxima salida disponible,"
                         " o a otra fecha que prefiera"),
           "expenses": "el reembolso de sus gastos de comida, hotel y traslado, hasta {amount}",
           "voucher": "vales de comida o de hotel, hasta {amount}",
           "fee_reversal": "la anulación de la comisión",
           "dispute": "abrir una reclamación formal sobre el cargo",
           "written_confirmation": "una confirmación por escrito",
           "service_credit": "un crédito de servicio de {amount}",
           "incident_report": "un informe escrito de lo ocurrido",
           "named_contact": "una persona de contacto directa para su caso",
           "technician_visit": "la visita de un técnico en la fecha que mejor le venga",
           "bill_correction": ("la revisión de su factura y una factura corregida si hay un error, "
                               "con el importe en disputa en suspenso hasta entonces")},
    "de": {"refund": "eine Erstattung von {amount} auf Ihr ursprüngliches Zahlungsmittel",
           "credit": "eine Gutschrift von {amount} auf Ihrem Konto",
           "replacement": "einen kostenlosen Ersatz",
           "expedited_shipping": "kostenlosen Expressversand",
           "callback": "einen Rückruf zu einer Zeit, die Ihnen passt, um das gemeinsam zu klären",
           "discount": "einen Rabatt von {amount} auf Ihren nächsten Einkauf",
           "repair": "eine Reparatur zu einem Termin, der Ihnen passt",
           "cancel": "die Kündigung zum gewünschten Datum, schriftlich bestätigt",
           "exchange": "einen Umtausch",
           "rebooking": ("eine kostenlose Umbuchung auf die nächste freie Verbindung "
                         "oder ein Datum Ihrer Wahl"),
           "expenses": "die Erstattung Ihrer Kosten für Essen, Hotel und Transfer bis {amount}",
           "voucher": "Essens- oder Hotelgutscheine bis {amount}",
           "fee_reversal": "die Rücknahme der Gebühr",
           "dispute": "eine formelle Reklamation der Buchung",
           "written_confirmation": "eine schriftliche Bestätigung",
           "service_credit": "eine Servicegutschrift von {amount}",
           "incident_report": "einen schriftlichen Bericht über den Vorfall",
           "named_contact": "eine feste Ansprechperson für Ihren Fall",
           "technician_visit": "einen Technikertermin zu einer Zeit, die Ihnen passt",
           "bill_correction": ("eine Prüfung Ihrer Rechnung und eine korrigierte Rechnung, wo sie "
                               "falsch ist; der strittige Betrag wird bis dahin nicht eingezogen")},
    "fr": {"refund": "un remboursement de {amount} sur votre moyen de paiement d'origine",
           "credit": "un avoir de {amount} sur votre compte",
           "replacement": "un remplacement sans frais pour vous",
           "expedited_shipping": "la livraison express offerte",
           "callback": "un appel au moment qui vous convient, pour régler cela ensemble",
           "discount": "une remise de {amount} sur votre prochain achat",
           "repair": "une réparation au moment qui vous convient",
           "cancel": "la résiliation à la date demandée, confirmée par écrit",
           "exchange": "un échange",
           "rebooking": ("un changement sans frais vers le prochain départ disponible,"
                         " ou à une date de votre choix"),
           "expenses": ("le remboursement de vos frais de repas, d'hôtel et de transfert, "
                        "jusqu'à {amount}"),
           "voucher": "des bons repas ou hôtel, jusqu'à {amount}",
           "fee_reversal": "l'annulation des frais",
           "dispute": "l'ouverture d'une contestation formelle",
           "written_confirmation": "une confirmation écrite",
           "service_credit": "un crédit de service de {amount}",
           "incident_report": "un rapport écrit sur l'incident",
           "named_contact": "un interlocuteur dédié pour votre dossier",
           "technician_visit": "le passage d'un technicien à la date qui vous convient",
           "bill_correction": ("la vérification de votre facture et une facture corrigée en cas "
                               "d'erreur, le montant contesté étant suspendu d'ici là")},
    "pt": {"refund": "um reembolso de {amount} para o seu meio de pagamento original",
           "credit": "um crédito de {amount} na sua conta",
           "replacement": "uma substituição sem custos para si",
           "expedited_shipping": "envio expresso gratuito",
           "callback": "uma chamada à hora que lhe for mais conveniente, para resolvermos isto "
                       "juntos",
           "discount": "um desconto de {amount} na sua próxima compra",
           "repair": "uma reparação no momento que lhe for mais conveniente",
           "cancel": "o cancelamento na data que pediu, confirmado por escrito",
           "exchange": "uma troca",
           "rebooking": ("uma remarcação sem custos para a próxima partida disponível,"
                         " ou para outra data à sua escolha"),
           "expenses": "o reembolso das despesas de refeições, hotel e transporte, até {amount}",
           "voucher": "vales de refeição ou de hotel, até {amount}",
           "fee_reversal": "o estorno da comissão",
           "dispute": "a abertura de uma contestação formal",
           "written_confirmation": "uma confirmação por escrito",
           "service_credit": "um crédito de serviço de {amount}",
           "incident_report": "um relatório escrito sobre o incidente",
           "named_contact": "uma pessoa de contacto direta para o seu caso",
           "technician_visit": "a visita de um técnico na data que lhe for mais conveniente",
           "bill_correction": ("a verificação da sua fatura e uma fatura corrigida se houver erro, "
                               "com o valor contestado suspenso até lá")},
    "it": {"refund": "un rimborso di {amount} sul metodo di pagamento originale",
           "credit": "un credito di {amount} sul suo conto",
           "replacement": "una sostituzione senza costi per lei",
           "expedited_shipping": "la spedizione express gratuita",
           "callback": "una telefonata nel momento che preferisce, per risolvere insieme",
           "discount": "uno sconto di {amount} sul prossimo acquisto",
           "repair": "una riparazione nel momento che preferisce",
           "cancel": "la disdetta dalla data richiesta, confermata per iscritto",
           "exchange": "un cambio",
           "rebooking": ("un cambio gratuito sulla prima partenza disponibile,"
                         " o in un'altra data a sua scelta"),
           "expenses": "il rimborso delle spese di pasti, hotel e trasferimenti, fino a {amount}",
           "voucher": "buoni pasto o hotel, fino a {amount}",
           "fee_reversal": "lo storno della commissione",
           "dispute": "l'apertura di una contestazione formale",
           "written_confirmation": "una conferma scritta",
           "service_credit": "un credito di servizio di {amount}",
           "incident_report": "un rapporto scritto sull'accaduto",
           "named_contact": "un referente diretto per la sua pratica",
           "technician_visit": "l'intervento di un tecnico nella data che preferisce",
           "bill_correction": ("la verifica della bolletta e una bolletta corretta in caso di "
                               "errore, con l'importo contestato sospeso fino ad allora")},
    "nl": {"refund": "een terugbetaling van {amount} op uw oorspronkelijke betaalmethode",
           "credit": "een tegoed van {amount} op uw account",
           "replacement": "een kosteloos vervangend product",
           "expedited_shipping": "gratis spoedlevering",
           "callback": "een telefoontje op een moment dat u uitkomt, om het samen op te lossen",
           "discount": "een korting van {amount} op uw volgende aankoop",
           "repair": "een reparatie op een moment dat u uitkomt",
           "cancel": "opzegging per de gevraagde datum, schriftelijk bevestigd",
           "exchange": "een omruiling",
           "rebooking": ("kosteloos omboeken naar het eerstvolgende vertrek,"
                         " of naar een andere datum naar keuze"),
           "expenses": "vergoeding van uw kosten voor maaltijden, hotel en vervoer tot {amount}",
           "voucher": "maaltijd- of hotelvouchers tot {amount}",
           "fee_reversal": "het terugdraaien van de kosten",
           "dispute": "het openen van een formeel bezwaar tegen de betaling",
           "written_confirmation": "een schriftelijke bevestiging",
           "service_credit": "een servicetegoed van {amount}",
           "incident_report": "een schriftelijk verslag van wat er is gebeurd",
           "named_contact": "een vaste contactpersoon voor uw dossier",
           "technician_visit": "een monteur op een moment dat u uitkomt",
           "bill_correction": ("een controle van uw rekening en een gecorrigeerde rekening als die "
                               "niet klopt; het betwiste bedrag wordt tot dan niet geïncasseerd")},
}

#: Options that pay back what the customer paid, worded without an amount (it is unknown,
#: in another currency or above the cap), and the limit added after them.
PAID_BACK_OFFERS: dict[str, dict[str, str]] = {
    "en": {"refund": "a refund of what you paid", "fee_reversal": "the reversal of the charge",
           "expenses": "reimbursement of your reasonable expenses, with receipts"},
    "es": {"refund": "un reembolso de lo que pagó", "fee_reversal": "la anulación del cargo",
           "expenses": "el reembolso de sus gastos razonables, con justificantes"},
    "de": {"refund": "eine Erstattung des gezahlten Betrags",
           "fee_reversal": "die Rücknahme der Gebühr",
           "expenses": "die Erstattung Ihrer angemessenen Auslagen gegen Beleg"},
    "fr": {"refund": "un remboursement de la somme payée", "fee_reversal": "l'annulation des frais",
           "expenses": "le remboursement de vos frais raisonnables, sur justificatifs"},
    "pt": {"refund": "um reembolso do valor pago", "fee_reversal": "o estorno da cobrança",
           "expenses": "o reembolso das despesas razoáveis, com comprovativos"},
    "it": {"refund": "un rimborso di quanto pagato", "fee_reversal": "lo storno dell'addebito",
           "expenses": "il rimborso delle spese ragionevoli, con ricevute"},
    "nl": {"refund": "een terugbetaling van het betaalde bedrag",
           "fee_reversal": "het terugdraaien van de kosten",
           "expenses": "vergoeding van uw redelijke onkosten, met bonnetjes"},
}
PAID_BACK_LIMIT = {"en": ", up to {}", "es": ", hasta {}", "de": " bis zu {}",
                   "fr": ", dans la limite de {}", "pt": ", até {}", "it": ", fino a {}",
                   "nl": ", tot {}"}
#: A refund the customer asked for above the policy's cap, partly granted: the cap now, the
#: rest for the team to review ({cap}: written the local way; the customer's own amount is
#: not repeated beside it, where it would read as the refund offered). Rubric round
#: six: "a refund of what you paid, up to 100" against a claim of thousands read as a brush-off.
PARTIAL_REFUND: dict[str, str] = {
    "en": "a refund of {cap} straight away, and the rest of what you paid reviewed by our team",
    "es": "un reembolso inmediato de {cap}, y que nuestro equipo revise el resto de lo que pagó",
    "de": "eine sofortige Erstattung von {cap}, und unser Team prüft den Rest Ihres Betrags",
    "fr": "un remboursement immédiat de {cap}, et l'examen du reste de votre montant par notre "
          "équipe",
    "pt": "um reembolso imediato de {cap}, e a análise do restante valor pela nossa equipa",
    "it": "un rimborso immediato di {cap}, e la verifica del resto dell'importo da parte del "
          "nostro team",
    "nl": "een directe terugbetaling van {cap}, en een beoordeling van de rest van uw bedrag "
          "door ons team",
}
#: "the full amount", for an offer with ``{amount}`` and no cap, written to follow the
#: offer's "of".
FULL_AMOUNT: dict[str, str] = {
    "en": "the full amount", "es": "todo el importe", "de": "dem vollen Betrag",
    "fr": "la totalité du montant", "pt": "todo o valor", "it": "tutto l'importo",
    "nl": "het volledige bedrag",
}


def reply_language(language: str) -> str:
    """The language the offline reply is written in: the customer's when a template exists
    for it, else English."""
    return language if language in REPLY_LANGUAGES else "en"


#: European Portuguese words of the tables above and their Brazilian forms: the pt-BR
#: template is written in Brazilian Portuguese, and what it fills in from the shared pt
#: tables (options, references, what the customer asked for) is put into it word by word.
_BRAZILIAN_FORMS: tuple[tuple[str, str], ...] = (
    ("a encomenda", "o pedido"), ("da encomenda", "do pedido"), ("na encomenda", "no pedido"),
    ("sua encomenda", "seu pedido"), ("encomenda", "pedido"),
    ("uma reparação", "um conserto"), ("a reparação", "o conserto"), ("reparação", "conserto"),
    ("equipa", "equipe"), ("contacto", "contato"), ("o processo", "o chamado"),
    ("sem custos para si", "sem custo para você"), ("para si", "para você"),
    ("à hora que lhe for mais conveniente", "no horário que for melhor para você"),
    ("na data que lhe for mais conveniente", "na data que for melhor para você"),
    ("no momento que lhe for mais conveniente", "quando for melhor para você"),
    ("para resolvermos isto juntos", "para resolvermos isso juntos"),
    ("da comissão", "da tarifa"), ("comissão", "tarifa"), ("registo", "registro"),
    ("facto", "fato"), ("telemóvel", "celular"), ("na data que pediu", "na data que você pediu"),
)
_BRAZILIAN_RES = [(re.compile(rf"\b{re.escape(a)}\b", re.IGNORECASE), b)
                  for a, b in _BRAZILIAN_FORMS]


def brazilian(text: str) -> str:
    """``text`` (from the pt tables) in Brazilian Portuguese's words."""
    for rx, form in _BRAZILIAN_RES:
        text = rx.sub(lambda m, f=form: f[:1].upper() + f[1:] if m.group()[:1].isupper()
                      else f, text)
    return text
