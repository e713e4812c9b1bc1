"""Spotting the emails that must go to a person: violence, crisis, legal threats.

MAMA is a method for service recovery, not for a threat or a person in crisis, so these
stop the automatic draft. Two detectors run side by side on every sentence (the one
segmentation, :mod:`drafter.understand.segment`):

* the **escalation model** (``drafter/understand/models/escalation.*``), a linear model over
  hashed word and character n-grams trained on the team's corpus in seven languages
  (``corpus/escalation/``, ``bench/train_escalation.py``). It supplies recall on phrasings no
  rule foresaw: harm stated as a consequence, a weapon "in the glovebox", despair without
  the word suicide, "my solicitor will be in touch". Its thresholds are tuned for
  asymmetric cost: a missed threat or crisis is far worse than a needless review, so a
  sentence above the threshold stops the draft, and one in the band below it sends the
  draft to a person to read first;
* the **rules** below, for precision and exact spans on the phrasings they know. A violent
  verb only counts with a person as its object, a weapon only with someone having or
  bringing it, a death word only about the writer's own life; legal rules only fire on a
  threat of action ("I will sue", "see you in court"), never on a law or an agency named.

Either one flagging a sentence flags the email. Text in a language the model was not
trained on is sent to review with a note: the detector cannot vouch for it.
Measured on blind sets: ``bench/escalation_bench.py``.
"""

from __future__ import annotations

import re

from drafter.models import Escalation, Trigger
from drafter.text import sentences, squash
from drafter.understand.features import fold
from drafter.understand.segment import clauses

# --- building blocks -------------------------------------------------------------------------

#: "I will", "I'm going to", "we're gonna", "I swear I'll" … (never "I won't", "I'm not going to").
_I_WILL = (r"\b(?:i|we)(?:'ll| will| shall| am going to|'m going to| are going to|'re going to|"
           r"'m gonna| am gonna| gonna|'d| would)\s+")
#: Up to six words between the intent and the verb ("I will come to your store and hurt
#: someone"), none of them a negation ("I would never hurt anyone").
_FILLER = r"(?:(?!never\b|not\b|n't\b)[\w']+\s+){0,6}"
#: People the business is made of: a violent verb with one of these as its object is a threat.
_PERSON = (r"(?:you|u|him|her|them|y'?all|you all|you people|you guys|every\w*|some(?:one|body)|"
           r"any(?:one|body)|whoever|people|staff|"
           r"(?:the|that|this|your|their|his|her|every|the next|one of your) (?:\w+ )?"
           r"(?:manager|managers|staff|driver|drivers|owner|clerk|employee|employees|person|"
           r"guy|rep|reps|agent|agents|ceo|boss|representative|worker|workers|courier|"
           r"technician|team|people|cashier|supervisor|idiot|idiots|family|kids|children))\b")
_HARM_VERBS = (r"(?:kill|shoot|stab|hurt|beat|strangle|choke|murder|attack|punch|slap|kick|"
               r"smash|bash|batter|assault|maim|torture|run over)")
_BODY = (r"(?:legs?|arms?|neck|necks|face|faces|head|heads|skull|teeth|jaw|nose|bones|"
         r"fingers|kneecaps|throat)")
_PLACE = (r"(?:store|stores|office|offices|shop|building|warehouse|place|headquarters|hq|"
          r"branch|factory|depot|house|home|car|van|truck|premises)")
_GUNS = r"gun|guns|rifle|pistol|shotgun|firearm|handgun"
_GUN = rf"(?:{_GUNS})"
_WEAPON = rf"(?:{_GUNS}|knife|knives|weapon|machete|axe|bat|bomb)"
#: What follows a weapon word when it is a product: "a knife set", "the gun safe", "it back".
_PRODUCT = (r"(?!\s*(?:set|sets|block|sharpener|safe|case|cabinet|holster|rack|lock|cleaning|"
            r"back|in\b|to (?:the|your) (?:store|shop)|for (?:a )?(?:refund|return|exchange|"
            r"repair)))")

_VIOLENCE = [
    # "I'll hurt somebody", "I'm going to find the manager and beat him senseless"
    _I_WILL + _FILLER + _HARM_VERBS + r"\s+" + _PERSON + r"(?!\s+(?:an?|the|my|your|our)\s+"
    r"(?:e-?mail|message|text|note|line|dm|call|reply|quick))(?!\s+(?:to it|to the punch)\b)",
    # "I'll break his legs", "smash your staff's faces in"
    r"\b(?:break|smash|bash|kick|punch|cave|snap|rip|tear)\s+(?:in\s+)?(?:his|her|your|their|"
    r"that \w+'s|your \w+'s|\w+'s)\s+(?:\w+\s+)?" + _BODY + r"\b",
    # "burn down your store", "burn your store to the ground", "blow up the office"
    r"\b(?:burn|blow|torch)(?:ing)?\s+(?:down\s+|up\s+)?(?:your|the|that|this)\s+(?:\w+\s+){0,2}"
    + _PLACE + r"\b(?:\s+(?:down|to the ground))?",
    r"\b(?:torch|firebomb|bomb|shoot up|set fire to|burn down|blow up)\s+(?:your|the|that)\s+"
    r"(?:\w+\s+)?" + _PLACE + r"\b",
    r"\bi know where (?:you|your \w+|he|she|they|the \w+) (?:live|lives|work|works|sleep|sleeps)\b",
    # "I have a gun", "next time I'm bringing a knife" (not "I bought a knife set")
    r"\b(?:i|we)(?:'ve| have)?\s*(?:got|have|own|keep)\s+(?:a|my|some)\s+(?:\w+\s+)?"
    + _GUN + r"\b" + _PRODUCT,
    r"\b(?:i|we)(?:'m| am|'ll| will|'re| are)?\s*(?:bring|bringing|carry|carrying|load|"
    r"loading|loaded|pack|packing)\s+(?:a|my|some)\s+(?:\w+\s+)?" + _WEAPON + r"\b" + _PRODUCT,
    r"\b(?:watch|mind) your back\b",
    r"\b(?:you|someone|somebody|people|one of you) (?:is|are|will|'s|'re)\s*(?:going to |gonna )?"
    r"(?:get|be) (?:hurt|killed|shot|stabbed)\b",
    # "your driver is a dead man", "you're dead meat"
    r"\b(?:is|are|you're|he's|she's|they're)\s+(?:a\s+)?dead\s+(?:man|woman|men|people|meat)\b",
    r"\bdeserves?\s+to\s+(?:die|get (?:shot|hurt|killed|stabbed|beaten)|be (?:shot|killed|hurt|"
    r"stabbed|beaten))\b",
    r"\bhunt\s+(?:you|him|her|them|y'?all|every \w+|your \w+)\s+down\b",
    r"\bmake\s+(?:you|him|her|them)\s+(?:all\s+)?(?:suffer|bleed)\b",
    r"\bhope\s+(?:you|your \w+|they|he|she)\b[^.!?]{0,40}\b(?:die|dies|burns?(?: down)?|gets? "
    r"(?:shot|killed|hurt))\b[^.!?]{0,30}\b(?:in it|inside)\b",
]

_CRISIS = [
    # "kill myself", not "killing myself trying to get through to you"
    r"\b(?:kill|killing|end|ending)\s+myself\b(?!\s+(?:trying|to\b|working|laughing|over))",
    # intent or habit, not "I cut myself on the broken glass"
    r"\b(?:want|wanna|going|gonna|might|may|could|will|'ll|thinking (?:of|about)|urge|"
    r"feel like|tempted)\s+(?:to\s+)?(?:hurt|harm|cut|injure)(?:ing)?\s+myself\b",
    r"\b(?:started|start|been|keep|kept|back to|stop)\s+(?:\w+\s+)?(?:cutting|harming|"
    r"hurting|burning)\s+myself\b",
    r"\bend(?:ing)?\s+(?:my life|it all)\b",
    r"\bself[- ]?harm(?:ing|ed)?\b",
    r"\b(?:i'm|i am|i feel|feeling|i've been|i have been|been|i was)\s+(?:\w+\s+){0,2}suicidal\b",
    r"\bsuicidal\s+(?:thoughts|feelings|ideation)\b",
    r"\b(?:commit|committing|attempt|attempted|thinking about|thought about|considering|"
    r"contemplating)\s+suicide\b",
    r"\bsuicide\s+(?:note|attempt|plan)\b",
    r"\b(?:want|wanna|wish i could)\s+to\s+die\b(?!\s+(?:of|laughing|from))",
    r"\bwish i (?:was|were) dead\b|\bwish i(?:'d| had) never been born\b",
    r"\bdon'?t want to (?:live|be alive|be here|wake up) any ?more\b",
    r"\b(?:no|nothing|don'?t see (?:the|any)|do not see (?:the|any)|can'?t see (?:the|any)|"
    r"not see (?:the|any)|what'?s the)\s+(?:reason|point)\s+(?:in\s+|to\s+)?(?:living|live|"
    r"going on|go on|carrying on|carry on|being alive|staying alive)\b",
    r"\bbetter off dead\b|\b(?:better off|be better) without me\b",
    r"\bcan'?t go on (?:like this|anymore|any more|living)\b",
    r"\bwant (?:everything|it all|my life) to (?:end|stop)\b",
    r"\bnobody would (?:even )?(?:notice|care|miss me) if i (?:was|were) gone\b",
    r"\b(?:pills|tablets) (?:saved|stockpiled|hoarded)|(?:saved|stockpiled|hoarding|hoarded) "
    r"(?:up\s+)?(?:\w+\s+)?(?:pills|tablets)\b|\boverdose\b",
    r"\bnot (?:be|being) (?:alive|around|here) (?:much longer|anymore|any more)\b",
    r"\b(?:started|start|been|am|i'm|keep|back to)\s+(?:\w+\s+)?cutting\s+(?:again|myself)\b",
]
#: Crisis cues that mean nothing alone ("I won't be here tomorrow" is usually a delivery
#: problem) and escalate only in pairs.
_CRISIS_WEAK = [
    r"\b(?:this is|it's) my (?:last|final) (?:email|message|letter|note)\b",
    r"\bwon'?t be (?:here|around|alive) (?:tomorrow|next week|much longer|anymore|any more|"
    r"to read)\b",
    r"\bgoodbye (?:forever|everyone|world)\b",
    r"\b(?:giving|given|give) away (?:all )?(?:of )?my (?:things|stuff|belongings)\b",
    r"\b(?:putting|put|get|getting) my affairs in order\b",
    r"\bnobody will miss me\b",
]
#: Regulators, ombudsmen and consumer bodies in the seven languages' countries, written as
#: customers write them (folded: lower case, no accents).
_AGENCY = (
    r"(?:\w+\s+)?(?:ombudsm[ae]n|regulators?|trading standards|consumer (?:protection|affairs|"
    r"rights|council|office|bureau|authority)|attorney general|cfpb|ftc|fcc|fca|ofcom|ofgem|"
    r"ofwat|ico|dot|better business bureau|bbb|state (?:regulator|insurance commissioner)|"
    r"financial ombudsman|information commissioner|ombudsman services|citizens advice|"
    # tenants' and dispute bodies: a letter to one is about the company, not to it
    r"tenants'? (?:association|union)|residents'? association|dispute resolution "
    r"(?:service|body|scheme)|(?:deposit )?dispute service|civil aviation (?:authority|"
    r"complaints?)|complaints? (?:desk|commission|board|panel) of)\b"
)
_AGENCY_FOLDED = (
    r"(?:omic|(?:oficina|servicios?|direccion general|instituto|agencia) (?:municipal )?de "
    r"consumo|facua|ocu|aesa|cnmc|banco de espana|defensa del consumidor|profeco|"
    r"sernac|procon|anatel|anac|aneel|reclame aqui|bacen|banco central|consumidor\.gov|"
    r"banco de portugal|cmvm|asf|informacion al consumidor|autoridade? de supervis\w+|"
    r"autorita di regolazione|autorita garante|office des transports|klachteninstituut|"
    r"autoriteit|"
    r"deco|asae|anacom|erse|livro de reclamacoes|dgccrf|mediateur|mediation de l.\w+|arcep|"
    r"cnil|acpr|"
    r"60 millions|ufc[- ]que choisir|bafin|verbraucherzentrale|schlichtungsstelle|"
    r"bundesnetzagentur|schlichter|ombudsmann|agcom|arera|ivass|codacons|altroconsumo|"
    r"garante|antitrust|agcm|acm|consumentenbond|geschillencommissie|kifid|"
    r"autoriteit consument|ombudsman|regulador|regulateur|regolatore|toezichthouder|"
    r"huurcommissie|huurteam|woonbond|mietervereins?|mieterbund\w*|sindicato de inquilinos|"
    r"asociacion de inquilinos|associacao de inquilinos|unione inquilini|sunia|"
    r"association de locataires|adil)"
)
#: A threat of action by the writer, never a law, an agency or a lawyer merely named (the
#: corpus showed "I'm not a lawyer, but…", "the CFPB website says…", "your debt agency
#: threatened legal action" all fire on bare nouns).
_LEGAL = [
    r"\b(?:i|we)(?:'ll| will| am going to|'m going to|'re going to| are going to|'m gonna| shall)"
    r"\s+(?:\w+\s+){0,2}(?:sue|take (?:you|this|them|it|your \w+) to court|file (?:a )?(?:lawsuit|"
    r"claim|complaint with)|report you to|take legal action|start legal proceedings)\b",
    r"\b(?:sue|suing)\s+(?:you|your|the company|this company)\b",
    r"\bsee you in (?:small claims )?court\b",
    r"\b(?:my|our) (?:lawyer|lawyers|attorney|attorneys|solicitor|solicitors|legal team|"
    r"legal counsel|barrister)s? (?:will|is going to|'ll|are going to|has been instructed|"
    r"have been instructed|is drafting|will be in touch|is in touch|is preparing)\b",
    r"\b(?:i|we)(?:'ve| have) (?:instructed|hired|retained|contacted|engaged) (?:a|my|our) "
    r"(?:lawyer|attorney|solicitor|legal team)\b",
    r"\bhear(?:ing)? from (?:my|our) (?:lawyer|attorney|solicitor|legal team)s?\b",
    # A complaint the writer has made or will make to a regulator or ombudsman: regulatory
    # action against the company (naming one without acting is no threat).
    rf"\b(?:i|we)(?:'ve| have| had|'ll| will| am going to|'m going to)?\s+(?:now\s+|already\s+|"
    rf"just\s+|also\s+|officially\s+)?(?:filed|lodged|opened|submitted|made|raised|sent|"
    rf"passed|reported|escalated|referred|taken|file|lodge|open|submit|make|raise|send|pass|"
    rf"report|escalate|refer|take)\s+(?:\w+\s+){{0,4}}(?:to|with)\s+(?:the\s+)?{_AGENCY}",
    rf"\b(?:reported|referred|passed)\s+(?:you|this|it|the (?:\w+ )?(?:matter|case|issue|"
    rf"thing))\s+(?:\w+\s+){{0,2}}to\s+(?:the\s+)?{_AGENCY}",
]
#: Direct threats and crisis statements in the six other languages, matched on folded text
#: (lower case, no accents: :func:`drafter.understand.features.fold`). Only first-person
#: intent with a person or a place as its object; the work idioms ("me mato a trabajar",
#: "mi ammazzo di lavoro", "je me tue au travail") are excluded. The model covers the rest.
#: Wishing bodily harm on someone, in the seven languages (folded): "I hope Karen ends up
#: under a baggage trolley", "ik hoop dat die Sandra van de trap valt en haar nek breekt",
#: "espero que esse senhor caia à linha". A hope with a negation after it ("I hope nobody
#: was hurt", "espero que no se rompa otra vez") is concern, not a wish.
_HOPE = (r"\b(?:i (?:really |sincerely |truly |just )?(?:hope|wish)|hopefully|espero "
         r"(?:sinceramente |de verdad |de verdade )?que|ojala|ich (?:hoffe|wunsche)|"
         r"j'espere|je souhaite|spero (?:proprio |davvero )?che|mi auguro che|"
         r"ik hoop|ik wens|tomara que|oxala)\b")
#: No negation between the hope and the harm ("I hope the courier didn't fall", "espero
#: que no se rompa"); a sentence is one unit here, so a full stop inside is an abbreviation.
_NEGATION = (r"\b(?:not|no one|nobody|never|no|nadie|nunca|ninguem|nao|nicht|niemand|kein\w*|"
             r"nie|ne|personne|jamais|non|nessuno|mai|geen|niet|nooit)\b|n't\b")
_HOPE_TO_HARM = rf"(?:(?!{_NEGATION})[^!?]){{0,90}}?"
_BODILY_HARM = (
    r"\b(?:breaks? (?:his|her|their|both|a) \w*\s?(?:neck|legs?|arms?|back|bones)|"
    r"(?:ends? up|lands?) (?:under|in (?:hospital|a wheelchair|intensive care))|"
    r"(?:gets?|is) (?:hit|run over|knocked down) by|falls? (?:down|off|under|in front)|drops dead|"
    r"(?:nek|nuca|cuello|cou|collo|genick|pescoco)\b|"
    r"(?:van de trap valt|onder een (?:bus|trein|auto)|overreden)|"
    r"(?:atropell\w+|se (?:caiga|mate|muera)|le (?:pille|atropelle))|"
    r"(?:caia (?:a|na|da|de)|seja atropelad\w+|morra\b)|"
    r"(?:se (?:fasse|fera) (?:renverser|ecraser)|tombe (?:dans|sous|de)|creve\b)|"
    r"(?:cada (?:dalle|sotto|giu)|venga investit\w+|(?:si )?rompa l\w*)|"
    r"(?:uberfahren|die treppe (?:hinunter|runter)f[a]llt|stirbt\b|verreckt))")
_WISHED_HARM = _HOPE + _HOPE_TO_HARM + _BODILY_HARM + r"(?!\s+(?:nicht|niet|pas)\b)"

_OTHER_VIOLENCE = [
    _WISHED_HARM,
    # es
    r"\b(?:te|le|les|os|lo|la|los) (?:voy|vamos) a (?:matar|partir la cara|romper la cara|"
    r"reventar|pegar un tiro|apunalar|dar una paliza)\b",
    r"\bvoy a (?:matarte|matarle|matarlos|matarla|matarlas|mataros|quemar (?:la|su|tu|vuestra|"
    r"esa) (?:tienda|oficina|local|sucursal|casa))\b",
    # pt
    r"\bvou (?:te|lhe|os|vos) (?:matar|dar um tiro|esfaquear|partir a cara)\b",
    r"\bvou (?:matar|esfaquear) (?:voce|voces|o gerente|esse|essa|o senhor|a senhora)\b",
    r"\bvou (?:quebrar|partir|arrebentar) a cara (?:de|d[aoe]|dele|dela|do)\b",
    r"\bvou (?:por|meter|tocar|atear) fogo (?:na|no|nessa|nesse|em) (?:loja|escritorio|agencia|"
    r"sede|predio|casa|vossa|sua)\b",
    # de
    r"\bich (?:bring|bringe|werde|will|mach|mache) (?:dich|sie|euch|ihn) (?:um|umbringen|kalt|"
    r"abstechen|erschiessen|abknallen)\b",
    r"\b(?:schlage|schlag|hau|haue|trete|tret) (?:ich )?(?:dir|ihm|ihnen|euch) (?:die|in die) "
    r"(?:fresse|zahne|schnauze|visage)\b",
    r"\bich (?:zunde|fackel|facke) (?:euren|ihren|deinen|den|die|das) \w+ (?:an|ab)\b",
    # fr
    r"\bje (?:vais|veux|vais aller) (?:te|vous|lui) (?:tuer|buter|crever|planter|"
    r"descendre|defoncer|egorger)\b",
    r"\bje (?:vais )?(?:te|vous|lui|leur) (?:casse|casser|casserai|pete|peter|peterai|defonce|"
    r"defoncer) (?:la gueule|la figure|la tete|les dents)\b",
    r"\bje (?:vais|veux) (?:mettre le feu|foutre le feu|bruler|cramer) (?:a|au|a la|a votre|"
    r"votre|ton|ta)\b",
    # it
    r"\b(?:ti|vi|lo|la|li|le) (?:ammazzo|uccido|ammazzero|uccidero|accoltello)\b(?! di )",
    r"\b(?:ti|vi|gli) (?:sparo|sparero) (?:in|un colpo|addosso)\b",
    r"\b(?:ti|gli|vi|le) (?:spacco|rompo|spacchero|rompero) (?:la faccia|la testa|il muso|"
    r"le gambe|le ossa)\b",
    r"\b(?:do|daro|diamo) fuoco (?:al|alla|ai|alle|a quel|a quella|al vostro|alla vostra)\b",
    # nl
    r"\bik (?:maak|sla|steek|schiet) (?:je|jou|jullie|hem|haar|u) (?:af|dood|neer|lek)\b",
    r"\bik (?:ga|zal) (?:je|jou|jullie|hem|haar|u) (?:vermoorden|afmaken|neersteken|"
    r"neerschieten|in elkaar slaan|iets aandoen)\b",
    r"\bik (?:sla|trap|schop) (?:je|jouw|zijn|haar|jullie) (?:tanden|kop|smoel|bek|hoofd)\b",
    r"\bik (?:steek|zet) (?:jullie|uw|je|die|de|dat) (?:\w+ )?(?:winkel|kantoor|zaak|pand|"
    r"filiaal) in (?:de fik|brand)\b",
]
#: Asking whether a policy pays out on the writer's own death by suicide, in the seven
#: languages (folded): "does the policy still pay out if the death is self-inflicted",
#: "si el seguro cubre el entierro cuando la muerte es por decisión propia".
_SUICIDE_CLAUSE = (
    r"\b(?:(?:death|die|dies|dying|kill\w*)\b[^!?]{0,40}\bself-inflicted|self-inflicted "
    r"(?:death|injur\w*|harm)|by (?:my|his|her|their) own hand|suicid\w*|por decision propia|"
    r"por mano propia|muerte voluntaria|selbstmord|suizid|freitod|selbst gewahlt\w*|"
    r"zelfdoding|zelfmoord|eigen keuze|escolher o dia|por vontade propria|de ma propre main|"
    r"volontaire|di mia (?:mano|volonta)|togliersi la vita|morte volontaria)\b")
_PAYOUT = (r"\b(?:polic(?:y|ies)|pays? out|cover\w*|insur\w*|seguro|poliza|apolice|paga|cubre|"
           r"cobre|versicherung|zahlt|police|assurance|polizza|copre|polis|verzekering|"
           r"uitkeert|keert)\b")
_OTHER_CRISIS_CLAUSE = [rf"{_SUICIDE_CLAUSE}[^!?]{{0,120}}{_PAYOUT}",
                        rf"{_PAYOUT}[^!?]{{0,120}}{_SUICIDE_CLAUSE}"]

_OTHER_CRISIS = [
    *_OTHER_CRISIS_CLAUSE,
    # es
    r"\b(?:quiero|voy a|pienso|pensando en|he pensado en) (?:matarme|suicidarme|quitarme la vida|"
    r"acabar con mi vida)\b(?! (?:a|de) trabaj)",
    r"\bno quiero (?:seguir )?vivir\b|\b(?:me quiero morir|quiero morirme)\b(?! de )",
    # pt
    r"\b(?:quero|vou|penso em|pensando em|pensei em) (?:me matar|me suicidar|tirar a minha vida|"
    r"tirar minha vida|acabar com a minha vida|acabar com minha vida)\b(?! de trabalh)",
    r"\bnao quero mais viver\b|\bquero morrer\b(?! de rir)",
    # de
    r"\bich (?:will|werde|mochte|denke daran,?) mich (?:umbringen|umzubringen|toten)\b",
    r"\bmir das leben (?:zu )?nehmen\b|\bich will nicht mehr leben\b|\bich will sterben\b",
    r"\b(?:selbstmord|suizid) (?:begehen|zu begehen|machen)\b",
    # fr
    r"\b(?:me suicider|mettre fin a mes jours|en finir avec la vie)\b",
    r"\bje (?:ne )?veux plus vivre\b|\bje veux mourir\b(?! de rire)|"
    r"\bj'ai envie de mourir\b(?! de rire)",
    # it
    r"\b(?:uccidermi|suicidarmi|togliermi la vita|farla finita con la vita)\b|"
    r"\bvoglio ammazzarmi\b(?! di)",
    r"\bnon voglio piu vivere\b|\bvoglio morire\b(?! dal ridere| dalle risate)",
    # nl
    r"\bzelfmoord (?:plegen|te plegen)\b|\bmezelf (?:van kant maken|iets aandoen|ombrengen)\b",
    r"\bik wil (?:niet meer leven|dood)\b|\been einde aan mijn leven maken\b",
]
#: Self-harm and legal action in the six other languages (folded text). Self-harm needs a
#: sign it is deliberate or recurring ("de novo", "wieder", "da sola"): "me corte con el
#: cristal roto" is an injury from the product, not a crisis.
_OTHER_SELF_HARM = [
    r"\bme (?:volvi a |vuelvo a |he vuelto a )?(?:hacer|hago|hice|estoy haciendo) dano\b"
    r"(?=.*\b(?:otra vez|de nuevo|volvi|vuelto|brazos|munecas|a proposito|sola|solo)\b)",
    r"\bme (?:volvi a|he vuelto a|vuelvo a) (?:cortar|autolesionar)\b|\bautolesion\w*",
    r"\b(?:ritze|ritzen|ritzte) (?:ich )?mich\b|\bmich (?:\w+ )?(?:wieder )?geritzt\b|"
    r"\bselbstverletz\w*",
    r"\bje me (?:suis )?(?:scarifie\w*|mutile\w*|recommence a me (?:couper|faire du mal))|"
    r"\bautomutil\w*|\bje me (?:suis )?(?:refait|fais|fait) du mal\b(?=.*\b(?:encore|nouveau|"
    r"expres|bras|poignets)\b)",
    r"\b(?:me machucando|me machuquei|me cortando|me cortei|me fiz mal)\b"
    r"(?=.*\b(?:de novo|outra vez|bracos|pulsos|marca|de proposito|sozinh[ao])\b)|"
    r"\bautomutila\w*|\bautolesa\w*",
    r"\bmi sono (?:fatt[ao]|fatt[ao] di nuovo|di nuovo fatt[ao]) (?:di nuovo )?male da sol[ao]\b|"
    r"\bautolesion\w*|\bmi taglio di nuovo\b|\bho ricominciato a tagliarmi\b",
    r"\bmezelf (?:weer )?(?:gesneden|snijden|pijn (?:gedaan|doen)|beschadig\w*)\b|"
    r"\bzelfbeschadig\w*|\bik snij mezelf\b",
]
_OTHER_LEGAL = [
    # a complaint made, or about to be, with a regulator or consumer body
    rf"\b(?:(?:he|hemos|ya he|voy a|vamos a) (?:puesto|presentado|poner|presentar|abierto|abrir|"
    rf"interpuesto|interponer)|(?:ja )?(?:abri|fiz|registrei|vou abrir|vou fazer|vou registrar)|"
    rf"(?:j'ai|nous avons|je vais|nous allons) (?:depose|deposer|saisi|saisir|fait|faire|"
    rf"signale|signaler)|(?:ho|abbiamo|faro|faremo) (?:presentato|fatto|sporto|segnalato|"
    rf"presentare|fare|sporgere|segnalare)|(?:ik heb|wij hebben|we hebben) (?:een )?"
    rf"(?:klacht|melding)|(?:ik ga|ik zal) (?:een )?(?:klacht|melding))\s+"
    rf"(?:\w+\W+){{0,6}}?{_AGENCY_FOLDED}\b",
    r"\b(?:gemeldet|eingereicht|angezeigt|eingeschaltet)\b.{0,40}\b(?:bafin|"
    r"verbraucherzentrale|schlichtungsstelle|bundesnetzagentur)\b|\b(?:bafin|"
    r"verbraucherzentrale|schlichtungsstelle|bundesnetzagentur|schlichter)\b.{0,40}\b(?:gemeldet|"
    r"eingereicht|eingeschaltet)\b",
    # court procedure the writer starts: payment orders, writs, criminal complaints
    r"\b(?:os|les|le|te) (?:meto|pongo|interpongo|voy a meter|voy a poner) (?:un |una )?"
    r"(?:monitorio|demanda|denuncia|querella)\b",
    r"\b(?:(?:bekommen|erhalten|kriegen) sie|sie (?:bekommen|erhalten|kriegen))\b.{0,40}"
    r"\b(?:mahnbescheid|klage|anzeige)\b|"
    r"\b(?:beantrage|erstatte|reiche) ich\b.{0,30}\b(?:mahnbescheid|anzeige|klage)\b|"
    r"\bsammelklage\b.{0,60}\banwalt\b|\banwalt\b.{0,60}\bsammelklage\b",
    r"\b(?:ho sporto|sporgero|presentero|ho presentato) (?:una )?(?:denuncia|querela|"
    r"denuncia-querela|esposto)\b",
    r"\b(?:vous recevrez|vous allez recevoir)\b.{0,40}\b(?:mise en demeure|injonction de payer|"
    r"assignation|citation)\b|\bje (?:porte|vais porter|ai porte) plainte contre vous\b",
    r"\b(?:vou|irei|ja) (?:entrar com|abrir|mover) (?:uma )?(?:acao|processo|queixa)\b",
    r"\bik (?:ga|zal|stap) (?:naar de rechter|een (?:rechtszaak|procedure) (?:beginnen|starten)|"
    r"aangifte doen tegen (?:jullie|u))\b",
]
_I = re.IGNORECASE
_FOLDED = {
    "violence": re.compile("|".join(f"(?:{p})" for p in _OTHER_VIOLENCE)),
    "crisis": re.compile("|".join(f"(?:{p})" for p in _OTHER_CRISIS + _OTHER_SELF_HARM)),
    "legal": re.compile("|".join(f"(?:{p})" for p in _OTHER_LEGAL)),
}
_PATTERNS = {
    "violence": re.compile("|".join(f"(?:{p})" for p in _VIOLENCE), _I),
    "crisis": re.compile("|".join(f"(?:{p})" for p in _CRISIS), _I),
    "legal": re.compile("|".join(f"(?:{p})" for p in _LEGAL), _I),
}
_WEAK_CRISIS = re.compile("|".join(f"(?:{p})" for p in _CRISIS_WEAK), _I)
#: Curly apostrophes (phones type them) read as straight ones.
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})

REASON_TEXT = {
    "violence": "threat of violence",
    "crisis": "crisis or self-harm signal",
    "legal": "legal threat",
}
#: Reasons for review, not refusal: the model's "possible" band and uncovered languages.
POSSIBLE_TEXT = {
    "violence": "possible threat of violence",
    "crisis": "possible crisis signal",
}
UNCOVERED_LANGUAGE = "a language the escalation check does not cover"
#: Why a letter written to a regulator gets no machine reply.
REGULATOR_TEXT = "complaint addressed to a regulator or ombudsman"

#: What the agent should do next: short, neutral, for the person taking over (never sent).
GUIDANCE = {
    "crisis": ("Do not send an automated reply. A person should answer today, personally and "
               "briefly: acknowledge what they wrote, leave the complaint aside for now, and "
               "share your team's crisis-support information (a crisis line for their country); "
               "if there is a risk to life now, follow your welfare procedure and contact "
               "emergency services."),
    "violence": ("Do not send an automated reply. Pass this email to a team lead and follow "
                 "your threat procedure (security; the police if the threat is specific or "
                 "imminent). Keep the email as it is."),
    "regulator": ("Do not send an automated reply: the email is addressed to a regulator, an "
                  "ombudsman or a consumer body. Pass it to whoever handles regulatory "
                  "complaints, and do not admit liability."),
    "review": ("A person should read the draft before it is sent; for a legal threat, follow "
               "your legal-review procedure and do not admit liability."),
}


def assess_escalation(text: str, language: str | None = None) -> Escalation:
    """Flag violence and crisis (no draft) and legal threats or doubt (a person reviews).

    Each trigger keeps the sentence that set it off, its offsets, who found it and, for the
    model, its probability and the n-grams that weighed most, so the person taking over
    sees why.
    """
    from drafter.language import detect_language, language_name
    from drafter.understand.linear import load_model

    model = load_model("escalation")
    triggers: list[Trigger] = []
    weak: list[Trigger] = []
    for start, end, raw in sentences(text):
        sentence = squash(raw)
        probe = sentence.translate(_APOSTROPHES)
        ruled = set()
        folded = fold(probe)
        for reason, rx in _PATTERNS.items():
            if rx.search(probe) or (reason in _FOLDED and _FOLDED[reason].search(folded)):
                ruled.add(reason)
                triggers.append(Trigger(reason, sentence, "rule", action_for(reason),
                                        start=start, end=end))
        is_weak = bool(_WEAK_CRISIS.search(probe))
        if is_weak:
            weak.append(Trigger("crisis", sentence, "rule", "required", start=start, end=end))
        if not ruled:
            found = _model_trigger(model, sentence, start, end)
            if found and is_weak and found.reason == "crisis" and found.action == "required":
                # A weak cue alone ("I won't be here tomorrow, so deliver on Friday") never
                # stops the draft, whatever the model makes of it: a person reads it first;
                # two weak cues together (below) do stop it.
                found.action = "review"
            if found:
                triggers.append(found)
    if len(weak) >= 2 and not any(x.reason == "crisis" and x.action == "required"
                                  for x in triggers):
        paired = {x.start for x in weak}
        triggers = [x for x in triggers if x.start not in paired] + weak
    addressed = _to_a_regulator(text)
    if addressed:  # it replaces a finding on the same line: this one says why, and no draft
        triggers = [x for x in triggers if x.start != addressed.start] + [addressed]
    notes: list[str] = []
    lang = language or detect_language(text, unknown="und")
    if text.strip() and lang not in model.meta.get("languages", ()):
        named = ("does not recognise this email's language" if lang == "und" else
                 f"was not trained on {language_name(lang)} ({lang})")
        notes.append(f"the escalation check {named}: a person should read the email "
                     "before any reply")
    return summarize(triggers, notes)


#: A letter that opens by addressing a regulator, an ombudsman or a consumer body ("Dear
#: Financial Ombudsman", "Estimados señores de la OMIC", "Geachte Geschillencommissie"):
#: a regulatory complaint the company was sent or copied, for a person to answer.
_SALUTATION = re.compile(r"^\W*(?:dear|to|attn|attention|estimad[oa]s?|senores|sehr geehrte\w*|"
                         r"an die|an den|madame|monsieur|mesdames|prezad[oa]s?|exm[oa]s?|"
                         r"caros|gentil[ei]|spettabile|spett\.?le|egregi|geachte|beste|aan de|"
                         # "À Anatel.", "Ao Banco de Portugal", "Liebe … des Mietervereins"
                         r"a(?! quien)|ao|al|alla|all'|aan het|liebe|lieber)\b")


_REGULATOR = re.compile(rf"\b{_AGENCY}|\b{_AGENCY_FOLDED}\b")


def _to_a_regulator(text: str) -> Trigger | None:
    head = text.lstrip()[:160]
    first = head.split("\n", 1)[0]
    folded = fold(first)
    if not _SALUTATION.search(folded) or not _REGULATOR.search(folded):
        return None
    start = text.find(first)
    # Written to the regulator, not to us: a reply from the company as if it were our own
    # case would be addressed wrongly, so a person answers it (no draft).
    return Trigger("legal", first.strip(), "rule", "required", start=start,
                   end=start + len(first))


def _model_trigger(model, sentence: str, start: int, end: int) -> Trigger | None:
    """The model's one finding for a sentence the rules passed over, or None.

    Violence and crisis are judged together: both stop the draft, and the model often
    splits a menacing sentence between them ("the office is full of paper and it wouldn't
    take much of a spark"), so their summed probability meets one threshold and the larger
    names the reason. Below it, a "possible" band sends the email to a person to read
    first (when unsure, a person decides). Legal has its own threshold (review).
    """
    t = model.thresholds
    p = alarm_scores(model, sentence, t["alarm_possible"])
    alarm = p["alarm"]
    reason = "violence" if p["violence"] >= p["crisis"] else "crisis"
    if alarm >= t["alarm"]:
        action = "required"
    elif alarm >= t["alarm_possible"]:
        action = "review"
    elif p["legal"] >= t["legal"]:
        reason, action = "legal", "review"
    else:
        return None
    if action == "review" and reason != "legal" and p["legal"] >= t["legal"] \
            and p["legal"] > alarm:
        reason = "legal"
    features = [e.feature for e in model.explain(sentence, reason, 5)]
    score = p["legal"] if reason == "legal" else alarm
    return Trigger(reason, sentence, "model", action, round(score, 3), features, start, end)


def alarm_scores(model, sentence: str, floor: float = 0.0) -> dict[str, float]:
    """The model's probabilities for a sentence, and ``alarm``: violence and crisis summed.

    A signal in a long sentence can be one clause diluted by the rest, so each clause is
    scored too; but a clause alone can sound worse than the sentence means ("I won't be
    here tomorrow, so please deliver on Friday"), so a clause counts as the mean of its
    score and the whole sentence's. Legal stays the whole sentence's: on dev data clauses
    only added false reviews. A clause can raise the score at most to ``(whole + 1) / 2``,
    so when that stays under ``floor`` (the lowest threshold that matters) the clauses are
    not read at all: the same verdicts, a fraction of the work in a big batch.
    """
    p = model.proba(sentence)
    best = {**p, "alarm": p["violence"] + p["crisis"]}
    whole = best["alarm"]
    if (whole + 1) / 2 < floor:
        return best
    for _, _, clause in clauses(sentence):
        q = model.proba(clause)
        alarm = (whole + q["violence"] + q["crisis"]) / 2
        if alarm > best["alarm"]:
            best.update(violence=q["violence"], crisis=q["crisis"], alarm=alarm)
    return best


def action_for(reason: str) -> str:
    """Violence and crisis stop the draft; a legal threat sends it to a person to read."""
    return "required" if reason in ("violence", "crisis") else "review"


def summarize(triggers: list[Trigger], notes: list[str] | None = None) -> Escalation:
    """The email's verdict from its triggers (and notes, which always mean review)."""
    notes = list(notes or [])
    required = {x.reason for x in triggers if x.action == "required"}
    possible = {x.reason for x in triggers if x.action != "required"}
    reasons = [REGULATOR_TEXT if k == "legal" else REASON_TEXT[k]
               for k in REASON_TEXT if k in required]
    reasons += [REASON_TEXT["legal"]] if "legal" in possible - required else []
    reasons += [POSSIBLE_TEXT[k] for k in POSSIBLE_TEXT if k in possible - required]
    if notes:
        reasons.append(UNCOVERED_LANGUAGE)
    guidance = ""
    if "crisis" in required:
        guidance = GUIDANCE["crisis"]
    elif "violence" in required:
        guidance = GUIDANCE["violence"]
    elif "legal" in required:
        guidance = GUIDANCE["regulator"]
    elif reasons:
        guidance = GUIDANCE["review"]
    return Escalation(required=bool(required), review=bool(reasons), reasons=reasons,
                      triggers=triggers, guidance=guidance, notes=notes)
