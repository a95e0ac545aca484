"""The words the sample corpus is made of: sentence templates and subjects per language.

Templates put the subject (``{s}``) where no article contraction is needed, so every
language reads correctly. The English sentences carry clear sentiment words, so a
lexicon model such as VADER scores them as intended.
"""

from __future__ import annotations

__all__ = [
    "HASHTAGS",
    "LANGUAGES",
    "NAMES",
    "PUBLISHERS",
    "SENTIMENTS",
    "SUBJECTS",
    "SUBREDDITS",
    "TEMPLATES",
    "TITLE_LABELS",
    "TOPICS",
    "TOPIC_WORDS",
]

LANGUAGES = ("en", "de", "fr", "es", "it", "pt")
SENTIMENTS = ("negative", "neutral", "positive")
TOPICS = ("ai", "climate", "football", "elections", "crypto", "food")

# words that find a topic even when the text does not contain them
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "ai": ("ai", "ki", "ia", "artificial", "intelligence", "machine", "learning"),
    "climate": ("climate", "klima", "climat", "clima", "environment", "weather"),
    "football": (
        "football",
        "soccer",
        "fussball",
        "fußball",
        "futbol",
        "fútbol",
        "calcio",
        "futebol",
    ),
    "elections": (
        "elections",
        "election",
        "vote",
        "wahl",
        "wahlen",
        "élections",
        "elecciones",
        "elezioni",
        "eleições",
    ),
    "crypto": ("crypto", "cryptocurrency", "bitcoin", "blockchain", "krypto"),
    "food": ("food", "cooking", "recipe", "essen", "cuisine", "comida", "cibo"),
}

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "negative": (
            "Honestly {s} is a disaster. Terrible decisions, awful results, and nobody takes responsibility.",
            "I hate how {s} keeps getting worse. So frustrating and disappointing.",
            "{s} is broken and the people in charge are useless. What a mess.",
            "Worst week ever for {s}. Angry, tired and sad about all of it.",
            "Another scandal around {s}. This is shameful and depressing.",
            "Stop pretending {s} is fine. It is failing badly and it hurts real people.",
        ),
        "neutral": (
            "New report on {s} published today, with figures for the last quarter.",
            "Meeting this afternoon to discuss {s}. Notes will be posted tomorrow.",
            "{s}: the committee will publish its schedule next Monday.",
            "Reading a long article about {s} on the train.",
            "There is a panel on {s} at 3 pm in room B.",
            "Updated the spreadsheet with the latest numbers on {s}.",
        ),
        "positive": (
            "I love what is happening with {s}! Amazing progress, great work everyone.",
            "{s} is honestly brilliant. So happy and grateful to see this.",
            "Great news about {s} today, really excellent and inspiring.",
            "Best thing this year: {s}. Wonderful, fun and full of hope!",
            "Huge congratulations to the team behind {s}, fantastic job!",
            "Feeling optimistic about {s}. Beautiful results, well done.",
        ),
    },
    "de": {
        "negative": (
            "{s} ist eine Katastrophe. Schlechte Entscheidungen, und niemand übernimmt Verantwortung.",
            "{s} enttäuscht mich total. Es wird jeden Tag schlimmer.",
            "{s} ist kaputt und die Verantwortlichen sind nutzlos. Was für ein Chaos.",
            "Wieder ein Skandal. Thema: {s}. Einfach traurig und ärgerlich.",
        ),
        "neutral": (
            "Neuer Bericht veröffentlicht. Thema: {s}.",
            "Heute Nachmittag gibt es ein Treffen. Thema: {s}.",
            "Die Zahlen werden nächste Woche aktualisiert. Thema: {s}.",
            "{s} steht morgen auf der Tagesordnung.",
        ),
        "positive": (
            "{s} ist großartig! Ich liebe diese Entwicklung.",
            "{s} ist wirklich toll. Ich bin so glücklich darüber.",
            "Super Nachrichten heute. Thema: {s}. Einfach wunderbar.",
            "{s} begeistert mich. Herzlichen Glückwunsch an das Team, fantastisch!",
        ),
    },
    "fr": {
        "negative": (
            "Franchement, {s} est une catastrophe. De mauvaises décisions et personne n'assume.",
            "Je suis tellement déçu. Sujet : {s}. Ça empire chaque jour.",
            "{s} ne marche pas et les responsables sont inutiles. Quel désastre.",
            "Encore un scandale. Sujet : {s}. C'est triste et révoltant.",
        ),
        "neutral": (
            "Un nouveau rapport sur {s} a été publié aujourd'hui.",
            "Réunion cet après-midi. Sujet : {s}.",
            "Les chiffres seront mis à jour la semaine prochaine. Sujet : {s}.",
            "Je lis un long article sur {s} dans le train.",
        ),
        "positive": (
            "J'adore ce qui se passe avec {s} ! Un travail formidable.",
            "{s}, c'est vraiment génial. Je suis tellement content.",
            "Excellente nouvelle aujourd'hui. Sujet : {s}. C'est magnifique.",
            "Bravo à toute l'équipe ! {s}, c'est fantastique.",
        ),
    },
    "es": {
        "negative": (
            "Sinceramente, {s} es un desastre. Malas decisiones y nadie asume la responsabilidad.",
            "Estoy muy decepcionado con {s}. Cada día va peor.",
            "{s} no funciona y los responsables son unos inútiles. Qué caos.",
            "Otro escándalo. Tema: {s}. Es triste y vergonzoso.",
        ),
        "neutral": (
            "Hoy se publicó un nuevo informe sobre {s}.",
            "Reunión esta tarde. Tema: {s}.",
            "Las cifras se actualizarán la próxima semana. Tema: {s}.",
            "Leyendo un artículo largo sobre {s} en el tren.",
        ),
        "positive": (
            "¡Me encanta lo que está pasando con {s}! Un trabajo increíble.",
            "{s} es realmente genial. Estoy muy feliz.",
            "Excelentes noticias hoy. Tema: {s}. Maravilloso.",
            "¡Enhorabuena a todo el equipo! {s} es fantástico.",
        ),
    },
    "it": {
        "negative": (
            "Sinceramente {s} è un disastro. Decisioni sbagliate e nessuno si assume la responsabilità.",
            "Sono molto deluso. Tema: {s}. Peggiora ogni giorno.",
            "{s} non funziona e i responsabili sono inutili. Che caos.",
            "Un altro scandalo. Tema: {s}. Triste e vergognoso.",
        ),
        "neutral": (
            "Oggi è stato pubblicato un nuovo rapporto. Tema: {s}.",
            "Riunione oggi pomeriggio. Tema: {s}.",
            "I dati saranno aggiornati la prossima settimana. Tema: {s}.",
            "Sto leggendo un lungo articolo in treno. Tema: {s}.",
        ),
        "positive": (
            "Adoro quello che sta succedendo! {s} è un lavoro straordinario.",
            "{s} è davvero fantastico. Sono così felice.",
            "Ottime notizie oggi. Tema: {s}. Meraviglioso.",
            "Complimenti a tutta la squadra! {s} è bellissimo.",
        ),
    },
    "pt": {
        "negative": (
            "Sinceramente, {s} é um desastre. Más decisões e ninguém assume a responsabilidade.",
            "Estou muito decepcionado com {s}. Piora a cada dia.",
            "{s} não funciona e os responsáveis são inúteis. Que caos.",
            "Mais um escândalo. Tema: {s}. Triste e vergonhoso.",
        ),
        "neutral": (
            "Hoje foi publicado um novo relatório sobre {s}.",
            "Reunião hoje à tarde. Tema: {s}.",
            "Os números serão atualizados na próxima semana. Tema: {s}.",
            "Lendo um artigo longo sobre {s} no trem.",
        ),
        "positive": (
            "Adoro o que está acontecendo com {s}! Um trabalho incrível.",
            "{s} é realmente ótimo. Estou muito feliz.",
            "Excelentes notícias hoje. Tema: {s}. Maravilhoso.",
            "Parabéns a toda a equipe! {s} é fantástico.",
        ),
    },
}

SUBJECTS: dict[str, dict[str, tuple[str, ...]]] = {
    "ai": {
        "en": ("the new AI model", "ChatGPT", "AI regulation in Europe", "the AI chatbot at work"),
        "de": ("das neue KI-Modell", "ChatGPT", "die KI-Regulierung", "der KI-Assistent im Büro"),
        "fr": (
            "le nouveau modèle d'IA",
            "ChatGPT",
            "la régulation de l'IA",
            "l'assistant IA au bureau",
        ),
        "es": ("el nuevo modelo de IA", "ChatGPT", "la regulación de la IA", "el asistente de IA"),
        "it": (
            "il nuovo modello di IA",
            "ChatGPT",
            "la regolamentazione dell'IA",
            "l'assistente IA",
        ),
        "pt": ("o novo modelo de IA", "ChatGPT", "a regulação da IA", "o assistente de IA"),
    },
    "climate": {
        "en": (
            "the climate summit",
            "the new carbon tax",
            "the heatwave response",
            "climate policy",
        ),
        "de": ("der Klimagipfel", "die neue CO2-Steuer", "der Hitzeschutzplan", "die Klimapolitik"),
        "fr": (
            "le sommet sur le climat",
            "la nouvelle taxe carbone",
            "le plan canicule",
            "la politique climatique",
        ),
        "es": (
            "la cumbre del clima",
            "el nuevo impuesto al carbono",
            "el plan contra el calor",
            "la política climática",
        ),
        "it": (
            "il vertice sul clima",
            "la nuova tassa sul carbonio",
            "il piano contro il caldo",
            "la politica climatica",
        ),
        "pt": (
            "a cúpula do clima",
            "o novo imposto sobre carbono",
            "o plano contra o calor",
            "a política climática",
        ),
    },
    "football": {
        "en": ("the cup final", "our new striker", "the referee", "the football season"),
        "de": (
            "das Champions-League-Finale",
            "unser neuer Stürmer",
            "der Schiedsrichter",
            "die Fußballsaison",
        ),
        "fr": (
            "la finale de la Ligue des champions",
            "notre nouvel attaquant",
            "l'arbitre",
            "la saison de football",
        ),
        "es": (
            "la final de la Champions",
            "nuestro nuevo delantero",
            "el árbitro",
            "la temporada de fútbol",
        ),
        "it": (
            "la finale di Champions",
            "il nostro nuovo attaccante",
            "l'arbitro",
            "la stagione di calcio",
        ),
        "pt": (
            "a final da Champions",
            "o nosso novo atacante",
            "o árbitro",
            "a temporada de futebol",
        ),
    },
    "elections": {
        "en": ("the election campaign", "the TV debate", "the vote count", "the new government"),
        "de": ("der Wahlkampf", "das TV-Duell", "die Stimmenauszählung", "die neue Regierung"),
        "fr": (
            "la campagne électorale",
            "le débat télévisé",
            "le dépouillement",
            "le nouveau gouvernement",
        ),
        "es": (
            "la campaña electoral",
            "el debate televisado",
            "el recuento de votos",
            "el nuevo gobierno",
        ),
        "it": (
            "la campagna elettorale",
            "il dibattito televisivo",
            "lo spoglio dei voti",
            "il nuovo governo",
        ),
        "pt": ("a campanha eleitoral", "o debate na TV", "a contagem dos votos", "o novo governo"),
    },
    "crypto": {
        "en": ("Bitcoin", "the crypto exchange", "the new stablecoin", "the crypto market"),
        "de": ("Bitcoin", "die Krypto-Börse", "der neue Stablecoin", "der Kryptomarkt"),
        "fr": (
            "le Bitcoin",
            "la plateforme crypto",
            "le nouveau stablecoin",
            "le marché des cryptos",
        ),
        "es": (
            "el Bitcoin",
            "el exchange de criptomonedas",
            "la nueva stablecoin",
            "el mercado cripto",
        ),
        "it": (
            "il Bitcoin",
            "l'exchange di criptovalute",
            "la nuova stablecoin",
            "il mercato cripto",
        ),
        "pt": ("o Bitcoin", "a corretora de criptomoedas", "a nova stablecoin", "o mercado cripto"),
    },
    "food": {
        "en": ("the new ramen place", "this pasta recipe", "the farmers market", "the new bakery"),
        "de": (
            "das neue Ramen-Restaurant",
            "dieses Nudelrezept",
            "der Bauernmarkt",
            "das Food-Festival",
        ),
        "fr": (
            "le nouveau restaurant de ramen",
            "cette recette de pâtes",
            "le marché fermier",
            "le festival gastronomique",
        ),
        "es": (
            "el nuevo restaurante de ramen",
            "esta receta de pasta",
            "el mercado de agricultores",
            "el festival gastronómico",
        ),
        "it": (
            "il nuovo ristorante di ramen",
            "questa ricetta di pasta",
            "il mercato contadino",
            "il festival gastronomico",
        ),
        "pt": (
            "o novo restaurante de ramen",
            "esta receita de massa",
            "a feira de produtores",
            "o festival gastronômico",
        ),
    },
}

HASHTAGS: dict[str, tuple[str, ...]] = {
    "ai": ("#AI", "#KI", "#IA", "#MachineLearning", "#LLM"),
    "climate": ("#climate", "#ClimateAction", "#Klima", "#climat", "#COP"),
    "football": ("#football", "#UCL", "#Fussball", "#futbol", "#calcio"),
    "elections": ("#elections", "#vote", "#Wahl", "#elecciones", "#debate"),
    "crypto": ("#crypto", "#Bitcoin", "#BTC", "#blockchain", "#DeFi"),
    "food": ("#food", "#foodie", "#recipe", "#streetfood", "#cooking"),
}

SUBREDDITS: dict[str, dict[str, str]] = {
    "ai": {
        "en": "artificial",
        "de": "de_EDV",
        "fr": "france",
        "es": "es",
        "it": "italy",
        "pt": "portugal",
    },
    "climate": {
        "en": "climate",
        "de": "klima",
        "fr": "france",
        "es": "spain",
        "it": "italy",
        "pt": "brasil",
    },
    "football": {
        "en": "soccer",
        "de": "Bundesliga",
        "fr": "Ligue1",
        "es": "LaLiga",
        "it": "SerieA",
        "pt": "futebol",
    },
    "elections": {
        "en": "politics",
        "de": "de",
        "fr": "france",
        "es": "spain",
        "it": "italy",
        "pt": "brasil",
    },
    "crypto": {
        "en": "CryptoCurrency",
        "de": "Finanzen",
        "fr": "vosfinances",
        "es": "SpainFIRE",
        "it": "ItaliaPersonalFinance",
        "pt": "investimentos",
    },
    "food": {
        "en": "Cooking",
        "de": "Kochen",
        "fr": "cuisine",
        "es": "recetas",
        "it": "cucina",
        "pt": "culinaria",
    },
}

TITLE_LABELS: dict[str, dict[str, str]] = {
    "negative": {
        "en": "growing criticism",
        "de": "wachsende Kritik",
        "fr": "critiques croissantes",
        "es": "críticas crecientes",
        "it": "critiche crescenti",
        "pt": "críticas crescentes",
    },
    "neutral": {
        "en": "what we know",
        "de": "was wir wissen",
        "fr": "ce que l'on sait",
        "es": "lo que sabemos",
        "it": "cosa sappiamo",
        "pt": "o que sabemos",
    },
    "positive": {
        "en": "a remarkable success",
        "de": "ein großer Erfolg",
        "fr": "un franc succès",
        "es": "un gran éxito",
        "it": "un grande successo",
        "pt": "um grande sucesso",
    },
}

PUBLISHERS: dict[str, tuple[str, ...]] = {
    "en": ("The Daily Ledger", "Morning Courier", "The Open Record"),
    "de": ("Der Tagesbote", "Abendpost Online"),
    "fr": ("Le Quotidien Ouvert", "La Gazette du Matin"),
    "es": ("El Diario Abierto", "La Crónica"),
    "it": ("Il Corriere Aperto", "La Gazzetta del Mattino"),
    "pt": ("Jornal Aberto", "Diário da Manhã"),
}

NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        ("alex", "sam", "jordan", "taylor", "casey", "morgan", "riley", "jamie"),
        ("smith", "jones", "brown", "lee", "walker", "hall", "young", "king"),
    ),
    "de": (
        ("lena", "jonas", "mia", "felix", "hannah", "lukas"),
        ("mueller", "schmidt", "weber", "fischer", "wagner", "becker"),
    ),
    "fr": (
        ("camille", "lucas", "chloe", "hugo", "lea", "louis"),
        ("martin", "bernard", "dubois", "durand", "moreau", "laurent"),
    ),
    "es": (
        ("lucia", "mateo", "sofia", "diego", "elena", "pablo"),
        ("garcia", "lopez", "martinez", "sanchez", "perez", "gomez"),
    ),
    "it": (
        ("giulia", "marco", "chiara", "luca", "sara", "matteo"),
        ("rossi", "russo", "ferrari", "esposito", "bianchi", "romano"),
    ),
    "pt": (
        ("ana", "joao", "beatriz", "pedro", "mariana", "tiago"),
        ("silva", "santos", "ferreira", "pereira", "oliveira", "costa"),
    ),
}
