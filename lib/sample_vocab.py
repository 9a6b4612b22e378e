"""Word lists for the sample crawl generator (:mod:`crawlforge.lib.sample_crawl`).

Why a vocabulary and not lorem ipsum: the sample feeds language identification (fastText lid.176),
quality heuristics and dedup. They only behave as on real crawls if pages are made of real words of
the language, with its function words and word order. Each language gets a few sentence templates
whose slots (subject, verb, object, adverbial, connector, year) are filled from short lists, which is
enough for encyclopedic-sounding prose that a language identifier recognises with high confidence.

Noun phrases carry their article and case so that no agreement logic is needed: ``subjects`` are in the
nominative, ``objects`` in the case the verbs take (accusative in German, Russian and Polish). Verbs are
third person singular. Templates of verb-second languages (German, Dutch) put the verb before the subject
after an adverbial. Chinese and Japanese are written without spaces (``spaced=False``).

Everything here is data; keep it compact (a few hundred words per language).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LangVocab:
    """Everything the generator needs to write pages in one language.

    Template slots: ``{S}`` capitalised subject, ``{s}`` subject, ``{V}`` verb, ``{O}`` object,
    ``{A}`` adverbial, ``{AC}`` capitalised adverbial, ``{C}`` connector, ``{Y}`` year, ``{P}`` place.
    """

    code: str
    tld: str
    spaced: bool
    subjects: tuple[str, ...]
    verbs: tuple[str, ...]
    objects: tuple[str, ...]
    adverbials: tuple[str, ...]
    connectors: tuple[str, ...]
    templates: tuple[str, ...]
    places: tuple[str, ...]
    titles: tuple[str, ...]  # article titles, with {P}
    sections: tuple[str, ...]  # <h2> headings
    site_words: tuple[str, ...]  # used to name hosts and sites
    nav: tuple[str, ...]  # home, news, topics, about, contact, privacy
    cookie: str
    accept: str
    footer: str  # with {site} and {year}
    read_more: str
    list_title: str  # with {P}
    short_texts: tuple[str, ...]
    contact: dict[str, str] = field(default_factory=dict)  # labels of the contact (PII) page


# The word lists are kept compact by hand (several items per line); ruff format would put every item
# on its own line.
# fmt: off
EN = LangVocab(
    code="en",
    tld="com",
    spaced=True,
    subjects=(
        "the city", "the old harbour", "the regional council", "the university", "the local museum",
        "the railway company", "the cathedral chapter", "the village", "the new government",
        "the historical society", "the trading company", "the national library", "the small community",
        "the royal family", "the parish", "the agricultural college", "the district hospital", "the first settlers",
        "the local newspaper", "the mining company", "the city council", "the textile industry",
        "the provincial authority", "the independent school", "the monastery",
    ),
    verbs=(
        "built", "restored", "described", "expanded", "supported", "documented", "acquired", "opened",
        "transformed", "replaced", "financed", "renovated", "protected", "studied", "established", "organised",
        "developed", "recorded", "celebrated", "controlled", "influenced", "connected", "managed", "published",
    ),
    objects=(
        "a new bridge", "the western wing", "several public buildings", "a large collection of manuscripts",
        "the northern road", "an annual market", "the surrounding farmland", "a modern water supply",
        "the first printing press", "a small chapel", "the local economy", "a network of canals",
        "the trade routes", "a public library", "the old town walls", "a series of reforms", "the railway station",
        "a school for girls", "the fishing fleet", "a collection of paintings", "the parish records",
        "the harbour district", "an important archive", "the town hall",
    ),
    adverbials=(
        "in the early nineteenth century", "during the following decades", "after the great fire",
        "with the help of local merchants", "before the end of the war", "over the next fifty years",
        "under the new constitution", "for the first time", "at the beginning of the industrial era",
        "in the late medieval period", "despite considerable opposition", "with support from the crown",
        "throughout the twentieth century", "after a long period of decline",
    ),
    connectors=(
        "However,", "In addition,", "According to contemporary sources,", "As a result,", "At the same time,",
        "Later,", "For this reason,", "Meanwhile,", "In contrast,", "Historians agree that", "It is known that",
    ),
    templates=(
        "{S} {V} {O} {A}.", "{C} {s} {V} {O}.", "{AC}, {s} {V} {O}.",
        "{S} {V} {O} in {Y}, and {s} {V} {O} soon after.", "{S} {V} {O} and later {V} {O} {A}.",
        "Today {s} is known for {O}, which {s} {V} {A}.", "In {Y} {s} {V} {O} of {P}.",
    ),
    places=(
        "Ashford", "Bramley", "Carlisle", "Dunmore", "Eastwick", "Fairhaven", "Glenbrook", "Hollowell", "Kingsport",
        "Larkfield", "Millbrook", "Northam", "Oakridge", "Pembury", "Redcliffe", "Stanmore", "Thornbury",
        "Westfield",
    ),
    titles=(
        "History of {P}", "{P} in the nineteenth century", "Architecture of {P}", "The economy of {P}",
        "Culture and traditions of {P}", "Geography of {P}", "The harbour of {P}", "Education in {P}",
    ),
    sections=(
        "History", "Geography", "Economy", "Culture", "Architecture", "Transport", "Education", "Notable people",
    ),
    site_words=("history", "heritage", "atlas", "chronicle", "encyclopedia", "journal", "archive", "review"),
    nav=("Home", "News", "Topics", "About us", "Contact", "Privacy policy"),
    cookie=(
        "We use cookies to improve your experience on our website. By continuing to browse you agree to our use of "
        "cookies."
    ),
    accept="Accept all cookies",
    footer="© {year} {site}. All rights reserved. Content is available for personal and educational use.",
    read_more="Read more",
    list_title="Archive: articles about {P}",
    short_texts=(
        "Thank you! Your message has been sent.", "This page is under construction. Please check back soon.",
        "You have been logged out.", "The requested article has been moved to the archive.",
    ),
    contact={
        "title": "Contact and legal notice",
        "intro": "If you have questions about our articles, please contact the editorial office.",
        "email": "Email",
        "phone": "Phone",
        "bank": "Bank account (IBAN)",
        "card": "Card on file",
        "server": "Server address",
        "version": "Software version",
        "updated": "Last updated",
        "price": "Annual subscription",
        "hash": "Checksum",
    },
)

DE = LangVocab(
    code="de",
    tld="de",
    spaced=True,
    subjects=(
        "die Stadt", "der alte Hafen", "der Stadtrat", "die Universität", "das örtliche Museum",
        "die Eisenbahngesellschaft", "das Domkapitel", "das Dorf", "die neue Regierung", "der Geschichtsverein",
        "die Handelsgesellschaft", "die Landesbibliothek", "die kleine Gemeinde", "die Familie des Herzogs",
        "die Pfarrei", "die Landwirtschaftsschule", "das Kreiskrankenhaus", "die örtliche Zeitung",
        "die Bergbaugesellschaft", "die Textilindustrie", "die Landesregierung", "das Kloster", "der Bürgermeister",
        "die Kirchengemeinde",
    ),
    verbs=(
        "baute", "restaurierte", "beschrieb", "erweiterte", "unterstützte", "dokumentierte", "erwarb", "eröffnete",
        "veränderte", "ersetzte", "finanzierte", "renovierte", "schützte", "untersuchte", "gründete",
        "organisierte", "entwickelte", "verwaltete", "feierte", "kontrollierte", "beeinflusste", "verband",
        "veröffentlichte", "förderte",
    ),
    objects=(
        "eine neue Brücke", "den westlichen Flügel", "mehrere öffentliche Gebäude",
        "eine große Sammlung von Handschriften", "die nördliche Straße", "einen jährlichen Markt",
        "das umliegende Ackerland", "eine moderne Wasserversorgung", "die erste Druckerei", "eine kleine Kapelle",
        "die örtliche Wirtschaft", "ein Netz von Kanälen", "die Handelswege", "eine öffentliche Bibliothek",
        "die alte Stadtmauer", "eine Reihe von Reformen", "den Bahnhof", "eine Schule für Mädchen",
        "die Fischereiflotte", "eine Sammlung von Gemälden", "die Kirchenbücher", "das Hafenviertel",
        "ein wichtiges Archiv", "das Rathaus",
    ),
    adverbials=(
        "im frühen neunzehnten Jahrhundert", "in den folgenden Jahrzehnten", "nach dem großen Brand",
        "mit der Hilfe örtlicher Kaufleute", "vor dem Ende des Krieges", "in den nächsten fünfzig Jahren",
        "unter der neuen Verfassung", "zum ersten Mal", "zu Beginn der Industrialisierung", "im späten Mittelalter",
        "trotz erheblicher Widerstände", "mit Unterstützung des Königs", "während des zwanzigsten Jahrhunderts",
        "nach einer langen Zeit des Niedergangs",
    ),
    connectors=(
        "Außerdem", "Später", "Danach", "Deshalb", "Gleichzeitig", "Laut zeitgenössischen Quellen", "Dennoch",
        "Infolgedessen", "Zudem", "Bald darauf",
    ),
    templates=(
        "{S} {V} {O} {A}.", "{C} {V} {s} {O}.", "{AC} {V} {s} {O}.",
        "Im Jahr {Y} {V} {s} {O}, und kurz darauf {V} {s} {O}.", "{S} {V} {O} und {V} später {O}.",
        "Heute ist {s} vor allem für {O} bekannt, die {s} {A} {V}.", "Im Jahr {Y} {V} {s} {O} in {P}.",
    ),
    places=(
        "Altenburg", "Bergheim", "Dornstadt", "Eichenau", "Falkenberg", "Grünwald", "Hochdorf", "Lindau",
        "Marienthal", "Neustadt", "Rosenheim", "Schönau", "Steinbach", "Waldkirch", "Weißenfels", "Ziegelhausen",
    ),
    titles=(
        "Geschichte von {P}", "{P} im neunzehnten Jahrhundert", "Architektur in {P}", "Die Wirtschaft von {P}",
        "Kultur und Bräuche in {P}", "Geographie von {P}", "Der Hafen von {P}", "Schulen und Bildung in {P}",
    ),
    sections=(
        "Geschichte", "Geographie", "Wirtschaft", "Kultur", "Architektur", "Verkehr", "Bildung", "Persönlichkeiten",
    ),
    site_words=("geschichte", "heimat", "chronik", "lexikon", "archiv", "magazin", "wissen", "rundschau"),
    nav=("Startseite", "Aktuelles", "Themen", "Über uns", "Kontakt", "Datenschutz"),
    cookie=(
        "Wir verwenden Cookies, um Ihnen die bestmögliche Nutzung unserer Webseite zu ermöglichen. Wenn Sie weiter "
        "surfen, stimmen Sie der Verwendung von Cookies zu."
    ),
    accept="Alle Cookies akzeptieren",
    footer=(
        "© {year} {site}. Alle Rechte vorbehalten. Impressum und Datenschutzerklärung finden Sie auf der "
        "Kontaktseite."
    ),
    read_more="Weiterlesen",
    list_title="Archiv: Artikel über {P}",
    short_texts=(
        "Vielen Dank! Ihre Nachricht wurde gesendet.",
        "Diese Seite befindet sich im Aufbau. Bitte besuchen Sie uns bald wieder.",
        "Sie wurden erfolgreich abgemeldet.", "Der gesuchte Artikel wurde in das Archiv verschoben.",
    ),
    contact={
        "title": "Kontakt und Impressum",
        "intro": "Bei Fragen zu unseren Artikeln wenden Sie sich bitte an die Redaktion.",
        "email": "E-Mail",
        "phone": "Telefon",
        "bank": "Bankverbindung (IBAN)",
        "card": "Hinterlegte Karte",
        "server": "Serveradresse",
        "version": "Softwareversion",
        "updated": "Stand",
        "price": "Jahresabonnement",
        "hash": "Prüfsumme",
    },
)

FR = LangVocab(
    code="fr",
    tld="fr",
    spaced=True,
    subjects=(
        "la ville", "le vieux port", "le conseil régional", "l'université", "le musée local",
        "la compagnie des chemins de fer", "le chapitre de la cathédrale", "le village", "le nouveau gouvernement",
        "la société historique", "la compagnie commerciale", "la bibliothèque nationale", "la petite communauté",
        "la famille royale", "la paroisse", "le collège agricole", "l'hôpital du district", "le journal local",
        "la compagnie minière", "le conseil municipal", "l'industrie textile", "l'administration provinciale",
        "l'école indépendante", "le monastère", "le maire",
    ),
    verbs=(
        "a construit", "a restauré", "a décrit", "a agrandi", "a soutenu", "a documenté", "a acquis", "a ouvert",
        "a transformé", "a remplacé", "a financé", "a rénové", "a protégé", "a étudié", "a fondé", "a organisé",
        "a développé", "a enregistré", "a célébré", "a contrôlé", "a influencé", "a relié", "a géré", "a publié",
    ),
    objects=(
        "un nouveau pont", "l'aile ouest", "plusieurs bâtiments publics", "une grande collection de manuscrits",
        "la route du nord", "un marché annuel", "les terres agricoles environnantes",
        "un réseau moderne d'eau potable", "la première imprimerie", "une petite chapelle", "l'économie locale",
        "un réseau de canaux", "les routes commerciales", "une bibliothèque publique", "les anciens remparts",
        "une série de réformes", "la gare", "une école pour les filles", "la flotte de pêche",
        "une collection de tableaux", "les registres paroissiaux", "le quartier du port",
        "des archives importantes", "l'hôtel de ville",
    ),
    adverbials=(
        "au début du dix-neuvième siècle", "pendant les décennies suivantes", "après le grand incendie",
        "avec l'aide des marchands locaux", "avant la fin de la guerre", "au cours des cinquante années suivantes",
        "sous la nouvelle constitution", "pour la première fois", "au début de l'ère industrielle",
        "à la fin du Moyen Âge", "malgré une forte opposition", "avec le soutien de la couronne",
        "tout au long du vingtième siècle", "après une longue période de déclin",
    ),
    connectors=(
        "Cependant,", "En outre,", "Selon les sources de l'époque,", "Par conséquent,", "En même temps,",
        "Plus tard,", "Pour cette raison,", "Pendant ce temps,", "En revanche,", "Les historiens estiment que",
        "On sait que",
    ),
    templates=(
        "{S} {V} {O} {A}.", "{C} {s} {V} {O}.", "{AC}, {s} {V} {O}.",
        "En {Y}, {s} {V} {O}, et peu après {s} {V} {O}.", "{S} {V} {O} et, plus tard, {O} {A}.",
        "Aujourd'hui, on connaît surtout {s} pour {O}, que {s} {V} {A}.", "En {Y}, {s} {V} {O} à {P}.",
    ),
    places=(
        "Beaumont", "Châteauneuf", "Fontaine", "Montclair", "Rochefort", "Saint-Aubin", "Valmont", "Villeneuve",
        "Belleville", "Clairval", "Lormont", "Montreuil", "Pontarlier", "Sauveterre", "Verneuil", "Mirande",
    ),
    titles=(
        "Histoire de {P}", "{P} au dix-neuvième siècle", "Architecture de {P}", "L'économie de {P}",
        "Culture et traditions de {P}", "Géographie de {P}", "Le port de {P}", "L'enseignement à {P}",
    ),
    sections=(
        "Histoire", "Géographie", "Économie", "Culture", "Architecture", "Transports", "Éducation", "Personnalités",
    ),
    site_words=("histoire", "patrimoine", "chronique", "encyclopedie", "archives", "revue", "savoir", "gazette"),
    nav=("Accueil", "Actualités", "Thèmes", "Qui sommes-nous", "Contact", "Politique de confidentialité"),
    cookie=(
        "Nous utilisons des cookies pour améliorer votre expérience sur notre site. En poursuivant votre "
        "navigation, vous acceptez l'utilisation des cookies."
    ),
    accept="Tout accepter",
    footer="© {year} {site}. Tous droits réservés. Reproduction interdite sans autorisation écrite.",
    read_more="Lire la suite",
    list_title="Archives : articles sur {P}",
    short_texts=(
        "Merci ! Votre message a bien été envoyé.", "Cette page est en cours de construction. Revenez bientôt.",
        "Vous avez été déconnecté.", "L'article demandé a été déplacé dans les archives.",
    ),
    contact={
        "title": "Contact et mentions légales",
        "intro": "Pour toute question sur nos articles, veuillez contacter la rédaction.",
        "email": "Courriel",
        "phone": "Téléphone",
        "bank": "Coordonnées bancaires (IBAN)",
        "card": "Carte enregistrée",
        "server": "Adresse du serveur",
        "version": "Version du logiciel",
        "updated": "Mise à jour",
        "price": "Abonnement annuel",
        "hash": "Somme de contrôle",
    },
)

ES = LangVocab(
    code="es",
    tld="es",
    spaced=True,
    subjects=(
        "la ciudad", "el antiguo puerto", "el consejo regional", "la universidad", "el museo local",
        "la compañía ferroviaria", "el cabildo de la catedral", "el pueblo", "el nuevo gobierno",
        "la sociedad histórica", "la compañía comercial", "la biblioteca nacional", "la pequeña comunidad",
        "la familia real", "la parroquia", "la escuela agrícola", "el hospital del distrito", "el periódico local",
        "la compañía minera", "el ayuntamiento", "la industria textil", "la administración provincial",
        "el colegio independiente", "el monasterio", "el alcalde",
    ),
    verbs=(
        "construyó", "restauró", "describió", "amplió", "apoyó", "documentó", "adquirió", "abrió", "transformó",
        "sustituyó", "financió", "renovó", "protegió", "estudió", "fundó", "organizó", "desarrolló", "registró",
        "celebró", "controló", "conectó", "administró", "publicó", "mejoró",
    ),
    objects=(
        "un nuevo puente", "el ala oeste", "varios edificios públicos", "una gran colección de manuscritos",
        "el camino del norte", "un mercado anual", "las tierras de cultivo cercanas",
        "un moderno sistema de agua potable", "la primera imprenta", "una pequeña capilla", "la economía local",
        "una red de canales", "las rutas comerciales", "una biblioteca pública", "las antiguas murallas",
        "una serie de reformas", "la estación de ferrocarril", "una escuela para niñas", "la flota pesquera",
        "una colección de pinturas", "los registros parroquiales", "el barrio del puerto", "un archivo importante",
        "la casa consistorial",
    ),
    adverbials=(
        "a principios del siglo diecinueve", "durante las décadas siguientes", "después del gran incendio",
        "con la ayuda de los comerciantes locales", "antes del final de la guerra",
        "a lo largo de los cincuenta años siguientes", "bajo la nueva constitución", "por primera vez",
        "al comienzo de la era industrial", "a finales de la Edad Media", "a pesar de una fuerte oposición",
        "con el apoyo de la corona", "durante todo el siglo veinte", "tras un largo período de decadencia",
    ),
    connectors=(
        "Sin embargo,", "Además,", "Según las fuentes de la época,", "Como resultado,", "Al mismo tiempo,",
        "Más tarde,", "Por esta razón,", "Mientras tanto,", "En cambio,", "Los historiadores coinciden en que",
        "Se sabe que",
    ),
    templates=(
        "{S} {V} {O} {A}.", "{C} {s} {V} {O}.", "{AC}, {s} {V} {O}.",
        "En {Y}, {s} {V} {O}, y poco después {s} {V} {O}.", "{S} {V} {O} y más tarde {V} {O} {A}.",
        "Hoy en día, {s} es conocido sobre todo por {O}, que {s} {V} {A}.", "En {Y}, {s} {V} {O} en {P}.",
    ),
    places=(
        "Villanueva", "Alcalá", "Torrejón", "Valdemoro", "Montoro", "Santa Olalla", "Peñaflor", "Castrojeriz",
        "Almadén", "Fuentesaúco", "Miraflores", "Benavente", "Aguilar", "Lucena", "Tordesillas", "Zafra",
    ),
    titles=(
        "Historia de {P}", "{P} en el siglo diecinueve", "Arquitectura de {P}", "La economía de {P}",
        "Cultura y tradiciones de {P}", "Geografía de {P}", "El puerto de {P}", "La educación en {P}",
    ),
    sections=(
        "Historia", "Geografía", "Economía", "Cultura", "Arquitectura", "Transporte", "Educación",
        "Personajes ilustres",
    ),
    site_words=("historia", "patrimonio", "cronica", "enciclopedia", "archivo", "revista", "saber", "diario"),
    nav=("Inicio", "Noticias", "Temas", "Quiénes somos", "Contacto", "Política de privacidad"),
    cookie=(
        "Utilizamos cookies para mejorar su experiencia en nuestro sitio web. Si continúa navegando, consideramos "
        "que acepta su uso."
    ),
    accept="Aceptar todas",
    footer="© {year} {site}. Todos los derechos reservados. Prohibida la reproducción total o parcial sin permiso.",
    read_more="Leer más",
    list_title="Archivo: artículos sobre {P}",
    short_texts=(
        "¡Gracias! Su mensaje ha sido enviado.", "Esta página está en construcción. Vuelva pronto.",
        "Ha cerrado la sesión correctamente.", "El artículo solicitado se ha trasladado al archivo.",
    ),
    contact={
        "title": "Contacto y aviso legal",
        "intro": "Si tiene preguntas sobre nuestros artículos, póngase en contacto con la redacción.",
        "email": "Correo electrónico",
        "phone": "Teléfono",
        "bank": "Cuenta bancaria (IBAN)",
        "card": "Tarjeta registrada",
        "server": "Dirección del servidor",
        "version": "Versión del software",
        "updated": "Última actualización",
        "price": "Suscripción anual",
        "hash": "Suma de comprobación",
    },
)

IT = LangVocab(
    code="it",
    tld="it",
    spaced=True,
    subjects=(
        "la città", "il vecchio porto", "il consiglio regionale", "l'università", "il museo locale",
        "la compagnia ferroviaria", "il capitolo della cattedrale", "il villaggio", "il nuovo governo",
        "la società storica", "la compagnia commerciale", "la biblioteca nazionale", "la piccola comunità",
        "la famiglia reale", "la parrocchia", "la scuola agraria", "l'ospedale del distretto", "il giornale locale",
        "la compagnia mineraria", "il consiglio comunale", "l'industria tessile", "l'amministrazione provinciale",
        "la scuola privata", "il monastero", "il sindaco",
    ),
    verbs=(
        "costruì", "restaurò", "descrisse", "ampliò", "sostenne", "documentò", "acquistò", "aprì", "trasformò",
        "sostituì", "finanziò", "rinnovò", "protesse", "studiò", "fondò", "organizzò", "sviluppò", "registrò",
        "celebrò", "controllò", "influenzò", "collegò", "amministrò", "pubblicò",
    ),
    objects=(
        "un nuovo ponte", "l'ala occidentale", "diversi edifici pubblici", "una grande collezione di manoscritti",
        "la strada del nord", "un mercato annuale", "i terreni agricoli circostanti", "un moderno acquedotto",
        "la prima tipografia", "una piccola cappella", "l'economia locale", "una rete di canali",
        "le rotte commerciali", "una biblioteca pubblica", "le antiche mura", "una serie di riforme",
        "la stazione ferroviaria", "una scuola per ragazze", "la flotta peschereccia", "una collezione di dipinti",
        "i registri parrocchiali", "il quartiere del porto", "un archivio importante", "il municipio",
    ),
    adverbials=(
        "all'inizio del diciannovesimo secolo", "nei decenni successivi", "dopo il grande incendio",
        "con l'aiuto dei mercanti locali", "prima della fine della guerra", "nei cinquant'anni successivi",
        "sotto la nuova costituzione", "per la prima volta", "all'inizio dell'era industriale",
        "nel tardo Medioevo", "nonostante una forte opposizione", "con il sostegno della corona",
        "per tutto il ventesimo secolo", "dopo un lungo periodo di declino",
    ),
    connectors=(
        "Tuttavia,", "Inoltre,", "Secondo le fonti dell'epoca,", "Di conseguenza,", "Allo stesso tempo,",
        "Più tardi,", "Per questo motivo,", "Nel frattempo,", "Al contrario,", "Gli storici concordano che",
        "È noto che",
    ),
    templates=(
        "{S} {V} {O} {A}.", "{C} {s} {V} {O}.", "{AC}, {s} {V} {O}.",
        "Nel {Y} {s} {V} {O}, e poco dopo {s} {V} {O}.", "{S} {V} {O} e più tardi {V} {O} {A}.",
        "Oggi {s} è conosciuto soprattutto per {O}, che {s} {V} {A}.", "Nel {Y} {s} {V} {O} a {P}.",
    ),
    places=(
        "Castelnuovo", "Montalto", "Roccabianca", "San Vito", "Pietrasanta", "Valdobbiadene", "Borgonovo",
        "Villafranca", "Fontanella", "Monteleone", "Casalmaggiore", "Serravalle", "Torrebruna", "Belvedere",
        "Lucignano", "Pontremoli",
    ),
    titles=(
        "Storia di {P}", "{P} nel diciannovesimo secolo", "Architettura di {P}", "L'economia di {P}",
        "Cultura e tradizioni di {P}", "Geografia di {P}", "Il porto di {P}", "L'istruzione a {P}",
    ),
    sections=(
        "Storia", "Geografia", "Economia", "Cultura", "Architettura", "Trasporti", "Istruzione",
        "Personaggi illustri",
    ),
    site_words=("storia", "patrimonio", "cronaca", "enciclopedia", "archivio", "rivista", "sapere", "giornale"),
    nav=("Home", "Notizie", "Argomenti", "Chi siamo", "Contatti", "Informativa sulla privacy"),
    cookie=(
        "Questo sito utilizza i cookie per migliorare la tua esperienza di navigazione. Continuando a navigare "
        "accetti il loro utilizzo."
    ),
    accept="Accetta tutti",
    footer="© {year} {site}. Tutti i diritti riservati. È vietata la riproduzione anche parziale dei contenuti.",
    read_more="Continua a leggere",
    list_title="Archivio: articoli su {P}",
    short_texts=(
        "Grazie! Il tuo messaggio è stato inviato.", "Questa pagina è in costruzione. Torna a trovarci presto.",
        "Sei uscito correttamente.", "L'articolo richiesto è stato spostato nell'archivio.",
    ),
    contact={
        "title": "Contatti e note legali",
        "intro": "Per domande sui nostri articoli, contatta la redazione.",
        "email": "Email",
        "phone": "Telefono",
        "bank": "Coordinate bancarie (IBAN)",
        "card": "Carta registrata",
        "server": "Indirizzo del server",
        "version": "Versione del software",
        "updated": "Ultimo aggiornamento",
        "price": "Abbonamento annuale",
        "hash": "Codice di controllo",
    },
)

PT = LangVocab(
    code="pt",
    tld="pt",
    spaced=True,
    subjects=(
        "a cidade", "o antigo porto", "o conselho regional", "a universidade", "o museu local",
        "a companhia ferroviária", "o cabido da catedral", "a aldeia", "o novo governo", "a sociedade histórica",
        "a companhia comercial", "a biblioteca nacional", "a pequena comunidade", "a família real", "a paróquia",
        "a escola agrícola", "o hospital do distrito", "o jornal local", "a companhia mineira",
        "a câmara municipal", "a indústria têxtil", "a administração provincial", "o colégio independente",
        "o mosteiro", "o presidente da câmara",
    ),
    verbs=(
        "construiu", "restaurou", "descreveu", "ampliou", "apoiou", "documentou", "adquiriu", "abriu",
        "transformou", "substituiu", "financiou", "renovou", "protegeu", "estudou", "fundou", "organizou",
        "desenvolveu", "registou", "celebrou", "controlou", "influenciou", "ligou", "administrou", "publicou",
    ),
    objects=(
        "uma nova ponte", "a ala oeste", "vários edifícios públicos", "uma grande coleção de manuscritos",
        "a estrada do norte", "uma feira anual", "as terras agrícolas vizinhas",
        "um moderno sistema de abastecimento de água", "a primeira tipografia", "uma pequena capela",
        "a economia local", "uma rede de canais", "as rotas comerciais", "uma biblioteca pública",
        "as antigas muralhas", "uma série de reformas", "a estação ferroviária", "uma escola para raparigas",
        "a frota pesqueira", "uma coleção de pinturas", "os registos paroquiais", "o bairro do porto",
        "um arquivo importante", "os paços do concelho",
    ),
    adverbials=(
        "no início do século dezanove", "durante as décadas seguintes", "depois do grande incêndio",
        "com a ajuda dos comerciantes locais", "antes do fim da guerra", "ao longo dos cinquenta anos seguintes",
        "sob a nova constituição", "pela primeira vez", "no início da era industrial", "no final da Idade Média",
        "apesar de uma forte oposição", "com o apoio da coroa", "ao longo do século vinte",
        "depois de um longo período de declínio",
    ),
    connectors=(
        "No entanto,", "Além disso,", "Segundo as fontes da época,", "Como resultado,", "Ao mesmo tempo,",
        "Mais tarde,", "Por esta razão,", "Entretanto,", "Pelo contrário,", "Os historiadores concordam que",
        "Sabe-se que",
    ),
    templates=(
        "{S} {V} {O} {A}.", "{C} {s} {V} {O}.", "{AC}, {s} {V} {O}.",
        "Em {Y}, {s} {V} {O}, e pouco depois {s} {V} {O}.", "{S} {V} {O} e mais tarde {V} {O} {A}.",
        "Hoje, {s} é conhecido sobretudo por {O}, que {s} {V} {A}.", "Em {Y}, {s} {V} {O} em {P}.",
    ),
    places=(
        "Vila Nova", "Castelo Branco", "Monsaraz", "Santa Marta", "Alvorada", "Ponte da Barca", "Miranda",
        "Torre de Moncorvo", "Vilarinho", "Serpa", "Óbidos", "Marvão", "Almeida", "Trancoso", "Sabugal", "Mértola",
    ),
    titles=(
        "História de {P}", "{P} no século dezanove", "Arquitetura de {P}", "A economia de {P}",
        "Cultura e tradições de {P}", "Geografia de {P}", "O porto de {P}", "A educação em {P}",
    ),
    sections=(
        "História", "Geografia", "Economia", "Cultura", "Arquitetura", "Transportes", "Educação", "Personalidades",
    ),
    site_words=("historia", "patrimonio", "cronica", "enciclopedia", "arquivo", "revista", "saber", "jornal"),
    nav=("Início", "Notícias", "Temas", "Quem somos", "Contactos", "Política de privacidade"),
    cookie=(
        "Utilizamos cookies para melhorar a sua experiência no nosso site. Ao continuar a navegar, está a concordar "
        "com a sua utilização."
    ),
    accept="Aceitar todos",
    footer="© {year} {site}. Todos os direitos reservados. Proibida a reprodução sem autorização prévia.",
    read_more="Ler mais",
    list_title="Arquivo: artigos sobre {P}",
    short_texts=(
        "Obrigado! A sua mensagem foi enviada.", "Esta página está em construção. Volte em breve.",
        "A sua sessão foi terminada.", "O artigo pedido foi movido para o arquivo.",
    ),
    contact={
        "title": "Contactos e informação legal",
        "intro": "Se tiver dúvidas sobre os nossos artigos, contacte a redação.",
        "email": "Correio eletrónico",
        "phone": "Telefone",
        "bank": "Conta bancária (IBAN)",
        "card": "Cartão registado",
        "server": "Endereço do servidor",
        "version": "Versão do software",
        "updated": "Última atualização",
        "price": "Assinatura anual",
        "hash": "Soma de verificação",
    },
)

NL = LangVocab(
    code="nl",
    tld="nl",
    spaced=True,
    subjects=(
        "de stad", "de oude haven", "de provinciale raad", "de universiteit", "het plaatselijke museum",
        "de spoorwegmaatschappij", "het domkapittel", "het dorp", "de nieuwe regering", "de historische vereniging",
        "de handelscompagnie", "de nationale bibliotheek", "de kleine gemeenschap", "de koninklijke familie",
        "de parochie", "de landbouwschool", "het streekziekenhuis", "de plaatselijke krant",
        "de mijnbouwmaatschappij", "de gemeenteraad", "de textielindustrie", "het provinciebestuur",
        "de particuliere school", "het klooster", "de burgemeester",
    ),
    verbs=(
        "bouwde", "restaureerde", "beschreef", "vergrootte", "steunde", "documenteerde", "verwierf", "opende",
        "veranderde", "verving", "financierde", "renoveerde", "beschermde", "onderzocht", "stichtte",
        "organiseerde", "ontwikkelde", "beheerde", "vierde", "controleerde", "beïnvloedde", "verbond",
        "publiceerde", "verkocht",
    ),
    objects=(
        "een nieuwe brug", "de westelijke vleugel", "verschillende openbare gebouwen",
        "een grote verzameling handschriften", "de noordelijke weg", "een jaarlijkse markt",
        "het omliggende landbouwgebied", "een moderne watervoorziening", "de eerste drukkerij", "een kleine kapel",
        "de plaatselijke economie", "een netwerk van kanalen", "de handelsroutes", "een openbare bibliotheek",
        "de oude stadsmuren", "een reeks hervormingen", "het station", "een school voor meisjes", "de vissersvloot",
        "een verzameling schilderijen", "de parochieregisters", "de havenwijk", "een belangrijk archief",
        "het stadhuis",
    ),
    adverbials=(
        "in het begin van de negentiende eeuw", "in de daaropvolgende decennia", "na de grote brand",
        "met de hulp van plaatselijke kooplieden", "voor het einde van de oorlog", "in de volgende vijftig jaar",
        "onder de nieuwe grondwet", "voor het eerst", "aan het begin van het industriële tijdperk",
        "in de late middeleeuwen", "ondanks aanzienlijke tegenstand", "met steun van de kroon",
        "gedurende de hele twintigste eeuw", "na een lange periode van verval",
    ),
    connectors=(
        "Daarnaast", "Later", "Daarom", "Tegelijkertijd", "Vervolgens", "Volgens historische bronnen",
        "Ondertussen", "Bovendien", "Toch", "Kort daarna",
    ),
    templates=(
        "{S} {V} {O} {A}.", "{C} {V} {s} {O}.", "{AC} {V} {s} {O}.",
        "In {Y} {V} {s} {O}, en kort daarna {V} {s} {O}.", "{S} {V} {O} en {V} later ook {O}.",
        "Tegenwoordig is {s} vooral bekend om {O}, die {s} {A} {V}.", "In {Y} {V} {s} {O} in {P}.",
    ),
    places=(
        "Oosterwijk", "Zandvoorde", "Bergen", "Hoogeveen", "Leerdam", "Middelburg", "Nieuwkerk", "Rijnsburg",
        "Schoonhoven", "Veenendaal", "Waalwijk", "Zevenhuizen", "Harderwijk", "Kampen", "Doesburg", "Elburg",
    ),
    titles=(
        "Geschiedenis van {P}", "{P} in de negentiende eeuw", "Architectuur van {P}", "De economie van {P}",
        "Cultuur en tradities van {P}", "Geografie van {P}", "De haven van {P}", "Onderwijs in {P}",
    ),
    sections=(
        "Geschiedenis", "Geografie", "Economie", "Cultuur", "Architectuur", "Vervoer", "Onderwijs",
        "Bekende inwoners",
    ),
    site_words=("geschiedenis", "erfgoed", "kroniek", "encyclopedie", "archief", "tijdschrift", "kennis", "courant"),
    nav=("Home", "Nieuws", "Onderwerpen", "Over ons", "Contact", "Privacybeleid"),
    cookie=(
        "Wij gebruiken cookies om uw ervaring op onze website te verbeteren. Door verder te surfen gaat u akkoord "
        "met het gebruik van cookies."
    ),
    accept="Alle cookies accepteren",
    footer=(
        "© {year} {site}. Alle rechten voorbehouden. Niets uit deze website mag worden overgenomen zonder "
        "toestemming."
    ),
    read_more="Lees verder",
    list_title="Archief: artikelen over {P}",
    short_texts=(
        "Bedankt! Uw bericht is verzonden.", "Deze pagina is nog in aanbouw. Kom binnenkort terug.",
        "U bent succesvol uitgelogd.", "Het gevraagde artikel is naar het archief verplaatst.",
    ),
    contact={
        "title": "Contact en colofon",
        "intro": "Heeft u vragen over onze artikelen, neem dan contact op met de redactie.",
        "email": "E-mail",
        "phone": "Telefoon",
        "bank": "Bankrekening (IBAN)",
        "card": "Opgeslagen kaart",
        "server": "Serveradres",
        "version": "Softwareversie",
        "updated": "Laatst bijgewerkt",
        "price": "Jaarabonnement",
        "hash": "Controlegetal",
    },
)

RU = LangVocab(
    code="ru",
    tld="ru",
    spaced=True,
    subjects=(
        "город", "старый порт", "областной совет", "университет", "местный музей", "железнодорожная компания",
        "соборный капитул", "деревня", "новое правительство", "историческое общество", "торговая компания",
        "национальная библиотека", "небольшая община", "царская семья", "приход", "сельскохозяйственное училище",
        "районная больница", "местная газета", "горнодобывающая компания", "городской совет",
        "текстильная промышленность", "губернская администрация", "частная школа", "монастырь", "городской голова",
    ),
    verbs=(
        "строит", "восстанавливает", "описывает", "расширяет", "поддерживает", "документирует", "приобретает",
        "открывает", "преобразует", "заменяет", "финансирует", "обновляет", "охраняет", "изучает", "основывает",
        "организует", "развивает", "записывает", "отмечает", "контролирует", "содержит", "соединяет", "сохраняет",
        "издаёт",
    ),
    objects=(
        "новый мост", "западное крыло", "несколько общественных зданий", "большую коллекцию рукописей",
        "северную дорогу", "ежегодную ярмарку", "окрестные поля", "современный водопровод", "первую типографию",
        "небольшую часовню", "местную экономику", "сеть каналов", "торговые пути", "публичную библиотеку",
        "старые городские стены", "ряд реформ", "железнодорожный вокзал", "школу для девочек", "рыболовный флот",
        "собрание картин", "приходские книги", "портовый район", "важный архив", "здание ратуши",
    ),
    adverbials=(
        "в начале девятнадцатого века", "в течение следующих десятилетий", "после большого пожара",
        "с помощью местных купцов", "до окончания войны", "в следующие пятьдесят лет", "по новой конституции",
        "впервые", "в начале промышленной эпохи", "в позднее Средневековье", "несмотря на сильное сопротивление",
        "при поддержке короны", "на протяжении двадцатого века", "после долгого периода упадка",
    ),
    connectors=(
        "Однако", "Кроме того,", "По данным современников,", "В результате", "В то же время", "Позднее",
        "По этой причине", "Тем временем", "Напротив,", "Историки считают, что", "Известно, что",
    ),
    templates=(
        "{S} {V} {O} {A}.", "{C} {s} {V} {O}.", "{AC} {s} {V} {O}.",
        "В {Y} году {s} {V} {O}, а вскоре после этого {s} {V} {O}.", "{S} {V} {O} и позднее {V} {O} {A}.",
        "Сегодня {s} {V} {O}, а также {O}.", "В {Y} году {s} {V} {O} в городе {P}.",
    ),
    places=(
        "Каменск", "Белозерск", "Новоград", "Старица", "Заречье", "Красногорск", "Ольховка", "Соснов", "Лесной",
        "Речица", "Березники", "Светлогорск", "Кострово", "Мирный", "Озерск", "Торжок",
    ),
    titles=(
        "История города {P}", "{P} в девятнадцатом веке", "Архитектура города {P}", "Экономика города {P}",
        "Культура и традиции города {P}", "География города {P}", "Порт города {P}", "Образование в городе {P}",
    ),
    sections=(
        "История", "География", "Экономика", "Культура", "Архитектура", "Транспорт", "Образование",
        "Известные люди",
    ),
    site_words=("istoriya", "nasledie", "letopis", "enciklopediya", "arhiv", "zhurnal", "znanie", "vestnik"),
    nav=("Главная", "Новости", "Темы", "О нас", "Контакты", "Политика конфиденциальности"),
    cookie=(
        "Мы используем файлы cookie, чтобы улучшить работу сайта. Продолжая просмотр, вы соглашаетесь с их "
        "использованием."
    ),
    accept="Принять все",
    footer="© {year} {site}. Все права защищены. Перепечатка материалов без разрешения редакции запрещена.",
    read_more="Читать далее",
    list_title="Архив: статьи о городе {P}",
    short_texts=(
        "Спасибо! Ваше сообщение отправлено.", "Страница находится в разработке. Загляните позже.",
        "Вы успешно вышли из системы.", "Запрошенная статья перемещена в архив.",
    ),
    contact={
        "title": "Контакты и правовая информация",
        "intro": "Если у вас есть вопросы о наших статьях, свяжитесь с редакцией.",
        "email": "Электронная почта",
        "phone": "Телефон",
        "bank": "Банковский счёт (IBAN)",
        "card": "Сохранённая карта",
        "server": "Адрес сервера",
        "version": "Версия программы",
        "updated": "Обновлено",
        "price": "Годовая подписка",
        "hash": "Контрольная сумма",
    },
)

PL = LangVocab(
    code="pl",
    tld="pl",
    spaced=True,
    subjects=(
        "miasto", "stary port", "rada regionu", "uniwersytet", "miejscowe muzeum", "spółka kolejowa",
        "kapituła katedralna", "wieś", "nowy rząd", "towarzystwo historyczne", "kompania handlowa",
        "biblioteka narodowa", "niewielka społeczność", "rodzina królewska", "parafia", "szkoła rolnicza",
        "szpital powiatowy", "lokalna gazeta", "spółka górnicza", "rada miejska", "przemysł włókienniczy",
        "administracja wojewódzka", "prywatna szkoła", "klasztor", "burmistrz",
    ),
    verbs=(
        "buduje", "odnawia", "opisuje", "rozbudowuje", "wspiera", "dokumentuje", "nabywa", "otwiera",
        "przekształca", "zastępuje", "finansuje", "remontuje", "chroni", "bada", "zakłada", "organizuje", "rozwija",
        "zapisuje", "obchodzi", "kontroluje", "utrzymuje", "łączy", "prowadzi", "wydaje",
    ),
    objects=(
        "nowy most", "zachodnie skrzydło", "kilka budynków publicznych", "dużą kolekcję rękopisów",
        "północną drogę", "coroczny jarmark", "okoliczne pola uprawne", "nowoczesny wodociąg", "pierwszą drukarnię",
        "małą kaplicę", "lokalną gospodarkę", "sieć kanałów", "szlaki handlowe", "bibliotekę publiczną",
        "stare mury miejskie", "szereg reform", "dworzec kolejowy", "szkołę dla dziewcząt", "flotę rybacką",
        "zbiór obrazów", "księgi parafialne", "dzielnicę portową", "ważne archiwum", "ratusz",
    ),
    adverbials=(
        "na początku dziewiętnastego wieku", "w następnych dziesięcioleciach", "po wielkim pożarze",
        "z pomocą miejscowych kupców", "przed końcem wojny", "w ciągu następnych pięćdziesięciu lat",
        "zgodnie z nową konstytucją", "po raz pierwszy", "na początku epoki przemysłowej", "w późnym średniowieczu",
        "mimo silnego sprzeciwu", "przy wsparciu korony", "przez cały dwudziesty wiek", "po długim okresie upadku",
    ),
    connectors=(
        "Jednak", "Ponadto", "Według ówczesnych źródeł", "W rezultacie", "Jednocześnie", "Później", "Z tego powodu",
        "Tymczasem", "Natomiast", "Historycy zgadzają się, że", "Wiadomo, że",
    ),
    templates=(
        "{S} {V} {O} {A}.", "{C} {s} {V} {O}.", "{AC} {s} {V} {O}.",
        "W roku {Y} {s} {V} {O}, a wkrótce potem {s} {V} {O}.", "{S} {V} {O} i później {V} {O} {A}.",
        "Dziś {s} {V} także {O} oraz {O}.", "W roku {Y} {s} {V} {O} w miejscowości {P}.",
    ),
    places=(
        "Borowiec", "Dąbrowa", "Górki", "Jabłonna", "Kamienica", "Lipowo", "Nowa Wieś", "Olszyna", "Piaseczno",
        "Radomyśl", "Wierzbica", "Zalesie", "Brzozów", "Czarnków", "Łomianki", "Sokołów",
    ),
    titles=(
        "Historia miejscowości {P}", "{P} w dziewiętnastym wieku", "Architektura miejscowości {P}",
        "Gospodarka miejscowości {P}", "Kultura i tradycje miejscowości {P}", "Geografia miejscowości {P}",
        "Port w miejscowości {P}", "Szkolnictwo w miejscowości {P}",
    ),
    sections=(
        "Historia", "Geografia", "Gospodarka", "Kultura", "Architektura", "Transport", "Edukacja", "Znane osoby",
    ),
    site_words=("historia", "dziedzictwo", "kronika", "encyklopedia", "archiwum", "przeglad", "wiedza", "gazeta"),
    nav=("Strona główna", "Aktualności", "Tematy", "O nas", "Kontakt", "Polityka prywatności"),
    cookie=(
        "Używamy plików cookie, aby zapewnić najlepsze działanie naszej strony. Dalsze korzystanie z serwisu "
        "oznacza zgodę na ich użycie."
    ),
    accept="Akceptuję wszystkie",
    footer="© {year} {site}. Wszelkie prawa zastrzeżone. Kopiowanie treści bez zgody redakcji jest zabronione.",
    read_more="Czytaj dalej",
    list_title="Archiwum: artykuły o miejscowości {P}",
    short_texts=(
        "Dziękujemy! Twoja wiadomość została wysłana.", "Ta strona jest w budowie. Zapraszamy wkrótce.",
        "Zostałeś pomyślnie wylogowany.", "Żądany artykuł został przeniesiony do archiwum.",
    ),
    contact={
        "title": "Kontakt i informacje prawne",
        "intro": "W razie pytań dotyczących naszych artykułów prosimy o kontakt z redakcją.",
        "email": "Adres e-mail",
        "phone": "Telefon",
        "bank": "Rachunek bankowy (IBAN)",
        "card": "Zapisana karta",
        "server": "Adres serwera",
        "version": "Wersja oprogramowania",
        "updated": "Ostatnia aktualizacja",
        "price": "Prenumerata roczna",
        "hash": "Suma kontrolna",
    },
)

ZH = LangVocab(
    code="zh",
    tld="cn",
    spaced=False,
    subjects=(
        "这座城市", "旧港口", "地区委员会", "这所大学", "当地博物馆", "铁路公司", "大教堂理事会", "这个村庄",
        "新政府", "历史学会", "贸易公司", "国家图书馆", "这个小社区", "王室", "教区", "农业学院", "区医院",
        "当地报社", "矿业公司", "市议会", "纺织工业", "省政府", "私立学校", "这座寺院", "市长",
    ),
    verbs=(
        "修建了", "修复了", "记录了", "扩建了", "支持了", "整理了", "购买了", "开放了", "改造了", "取代了",
        "资助了", "翻新了", "保护了", "研究了", "建立了", "组织了", "发展了", "出版了", "庆祝了", "管理了",
        "影响了", "连接了", "保存了", "发表了",
    ),
    objects=(
        "一座新桥", "西侧的建筑", "多座公共建筑", "大量古代手稿", "北方的道路", "一年一度的集市", "周围的农田",
        "现代化的供水系统", "第一家印刷厂", "一座小教堂", "当地经济", "运河网络", "贸易路线", "一座公共图书馆",
        "古老的城墙", "一系列改革", "火车站", "一所女子学校", "渔船队", "一批绘画作品", "教区档案", "港口区",
        "重要的档案馆", "市政厅",
    ),
    adverbials=(
        "在十九世纪初", "在随后的几十年里", "在那场大火之后", "在当地商人的帮助下", "在战争结束之前",
        "在接下来的五十年里", "根据新的宪法", "第一次", "在工业时代初期", "在中世纪晚期", "尽管遭到强烈反对",
        "在政府的支持下", "在整个二十世纪", "经过长期的衰落之后",
    ),
    connectors=(
        "然而，", "此外，", "根据当时的资料，", "因此，", "与此同时，", "后来，", "由于这个原因，",
        "历史学家认为，", "众所周知，",
    ),
    templates=(
        "{S}{A}{V}{O}。", "{C}{s}{V}{O}。", "{A}，{s}{V}{O}。", "{Y}年，{s}{V}{O}，不久之后又{V}{O}。",
        "{S}{V}{O}，并且{A}{V}{O}。", "今天，{s}以{O}而闻名。", "{Y}年，{s}在{P}{V}{O}。",
    ),
    places=(
        "青山", "白河", "南港", "东湖", "石桥", "长宁", "西林", "安平", "新城", "金沙", "平江", "云溪", "丰泽",
        "明水", "临川", "北岭",
    ),
    titles=(
        "{P}的历史", "十九世纪的{P}", "{P}的建筑", "{P}的经济", "{P}的文化与传统", "{P}的地理", "{P}港",
        "{P}的教育",
    ),
    sections=("历史", "地理", "经济", "文化", "建筑", "交通", "教育", "著名人物"),
    site_words=("lishi", "wenhua", "baike", "zhishi", "dangan", "zazhi", "yuedu", "shiji"),
    nav=("首页", "新闻", "专题", "关于我们", "联系我们", "隐私政策"),
    cookie="我们使用Cookie来改善您在本网站的浏览体验。继续浏览即表示您同意我们使用Cookie。",
    accept="全部接受",
    footer="© {year} {site} 版权所有。未经许可，不得转载本网站的任何内容。",
    read_more="阅读全文",
    list_title="归档：关于{P}的文章",
    short_texts=(
        "谢谢！您的留言已经发送。", "本页面正在建设中，请稍后再来。", "您已成功退出登录。",
        "您要找的文章已移至归档。",
    ),
    contact={
        "title": "联系方式与法律声明",
        "intro": "如果您对我们的文章有任何问题，请联系编辑部。",
        "email": "电子邮件",
        "phone": "电话",
        "bank": "银行账户（IBAN）",
        "card": "已保存的银行卡",
        "server": "服务器地址",
        "version": "软件版本",
        "updated": "最后更新",
        "price": "年度订阅",
        "hash": "校验和",
    },
)

# Japanese pages are also written in Shift_JIS, so every string here must be encodable in it
# (no ©, no wave dash); the tests check this.
JA = LangVocab(
    code="ja",
    tld="jp",
    spaced=False,
    subjects=(
        "この町", "古い港", "地方議会", "大学", "地元の博物館", "鉄道会社", "大聖堂の参事会", "この村",
        "新しい政府", "歴史協会", "貿易会社", "国立図書館", "小さな共同体", "王家", "教区", "農業学校", "地区病院",
        "地元の新聞社", "鉱山会社", "市議会", "織物産業", "県庁", "私立学校", "修道院", "町長",
    ),
    verbs=(
        "建設した", "修復した", "記録した", "拡張した", "支援した", "整理した", "購入した", "開設した", "改造した",
        "置き換えた", "援助した", "改装した", "保護した", "研究した", "設立した", "組織した", "発展させた",
        "出版した", "祝った", "管理した", "変えた", "結んだ", "保存した", "公開した",
    ),
    objects=(
        "新しい橋", "西側の建物", "いくつかの公共施設", "多くの古い写本", "北の街道", "毎年の市場", "周辺の農地",
        "近代的な水道", "最初の印刷所", "小さな礼拝堂", "地元の経済", "運河の網", "交易路", "公共図書館",
        "古い城壁", "一連の改革", "鉄道の駅", "女子のための学校", "漁船団", "絵画のコレクション", "教区の記録",
        "港の地区", "重要な文書館", "市役所",
    ),
    adverbials=(
        "十九世紀の初めに", "その後の数十年間に", "大火の後で", "地元の商人の助けを借りて", "戦争が終わる前に",
        "その後の五十年間に", "新しい憲法の下で", "初めて", "産業時代の初めに", "中世の後期に",
        "強い反対にもかかわらず", "王の支援を受けて", "二十世紀を通じて", "長い衰退の時期の後で",
    ),
    connectors=(
        "しかし、", "さらに、", "当時の資料によると、", "その結果、", "同時に、", "その後、", "このため、",
        "一方、", "歴史家によれば、",
    ),
    templates=(
        "{S}は{A}{O}を{V}。", "{C}{s}は{O}を{V}。", "{A}、{s}は{O}を{V}。",
        "{Y}年に{s}は{O}を{V}。その後まもなく{O}も{V}。", "{S}は{O}を{V}が、{A}{O}も{V}。",
        "現在、{s}は{O}で知られている。", "{Y}年、{s}は{P}で{O}を{V}。",
    ),
    places=(
        "青山", "白浜", "南町", "東野", "石橋", "長浜", "西川", "安田", "新田", "平井", "松原", "桜井", "宮下",
        "北山", "大川", "小松",
    ),
    titles=(
        "{P}の歴史", "十九世紀の{P}", "{P}の建築", "{P}の経済", "{P}の文化と伝統", "{P}の地理", "{P}港",
        "{P}の教育",
    ),
    sections=("歴史", "地理", "経済", "文化", "建築", "交通", "教育", "主な人物"),
    site_words=("rekishi", "bunka", "hyakka", "chishiki", "kiroku", "zasshi", "dayori", "shimbun"),
    nav=("ホーム", "ニュース", "特集", "私たちについて", "お問い合わせ", "プライバシーポリシー"),
    cookie=(
        "当サイトでは、より良いサービスを提供するためにクッキーを使用しています。このまま閲覧を続けると、クッキーの"
        "使用に同意したものとみなされます。"
    ),
    accept="すべて許可する",
    footer="Copyright (C) {year} {site} 無断転載を禁じます。",
    read_more="続きを読む",
    list_title="アーカイブ：{P}に関する記事",
    short_texts=(
        "ありがとうございます。メッセージは送信されました。",
        "このページは現在準備中です。しばらくお待ちください。", "ログアウトしました。",
        "お探しの記事はアーカイブに移動しました。",
    ),
    contact={
        "title": "お問い合わせと会社情報",
        "intro": "記事に関するご質問は、編集部までお問い合わせください。",
        "email": "メール",
        "phone": "電話",
        "bank": "銀行口座（IBAN）",
        "card": "登録済みのカード",
        "server": "サーバーのアドレス",
        "version": "ソフトウェアのバージョン",
        "updated": "最終更新日",
        "price": "年間購読料",
        "hash": "チェックサム",
    },
)

#: Language code -> vocabulary, in the order the generator cycles through them (English first).
LANGUAGES: dict[str, LangVocab] = {v.code: v for v in (EN, DE, FR, ES, IT, PT, NL, RU, PL, ZH, JA)}

#: Words of keyword-stuffed spam pages (English, as most web spam is).
SPAM_WORDS: tuple[str, ...] = (
    "casino", "online casino", "free spins", "jackpot", "bonus", "poker", "slots", "roulette", "betting",
    "cheap viagra", "cialis", "pills", "no prescription", "best price", "buy now", "discount", "free", "win",
    "guaranteed", "weight loss", "crypto", "bitcoin", "loans", "payday loans", "click here", "limited offer",
    "100% free", "no deposit", "instant payout", "VIP",
)

#: Given and family names for the e-mail addresses of contact pages.
FIRST_NAMES: tuple[str, ...] = (
    "anna", "ben", "clara", "david", "elena", "felix", "greta", "hugo", "ines", "jan", "karin", "lukas", "marta",
    "niko", "olga", "paul", "rosa", "sven", "tara", "yuki",
)
LAST_NAMES: tuple[str, ...] = (
    "berger", "costa", "dubois", "fischer", "garcia", "hansen", "ivanova", "jansen", "kowalski", "lopez", "moreau",
    "novak", "rossi", "schmidt", "tanaka", "weber", "wright", "zhang",
)
# fmt: on
