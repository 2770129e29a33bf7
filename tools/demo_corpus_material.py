"""Hand-written sentence material for the demo corpus generator.

Everything in this module was written for the aidb project; nothing is copied
from third-party text.  ``make_demo_corpus`` combines these templates and slot
vocabularies into documents.

Templates use ``{slot}`` placeholders whose values come from ``VOCAB`` and
``[one|two|three]`` alternations, one of which is chosen at random.  Within one
sentence, repeated placeholders of the same slot draw distinct values.
Code documents bind each slot once per document so the prose and the snippet
agree on table, column and function names.
"""

# ---------------------------------------------------------------------------
# Slot vocabularies
# ---------------------------------------------------------------------------

VOCAB: dict[str, list[str]] = {
    # -- shared --
    "name": [
        "Alice", "Bruno", "Chen", "Dana", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas",
        "Keiko", "Liam", "Maya", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tara",
        "Umar", "Vera", "Wim", "Xenia", "Yusuf", "Zoe", "Amara", "Bjorn", "Carmen", "Dmitri",
        "Esther", "Felix", "Gita", "Hana", "Ivan", "Jade", "Kofi", "Lena", "Marco", "Noor",
    ],
    "city": [
        "Lisbon", "Kyoto", "Oslo", "Valparaiso", "Tbilisi", "Hanoi", "Krakow", "Montreal",
        "Nairobi", "Porto", "Seville", "Ljubljana", "Hobart", "Cusco", "Tallinn", "Marrakesh",
        "Bergen", "Trieste", "Osaka", "Quito", "Dundee", "Ghent", "Tartu", "Izmir",
    ],
    "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "month": [
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ],
    "season": ["early spring", "late spring", "midsummer", "late summer", "autumn", "the depths of winter"],
    "year": [str(y) for y in range(1979, 2023, 2)],
    "num_small": ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve"],
    "num_small2": ["two", "three", "four", "five", "six", "eight", "eleven"],
    "pct": ["ten", "fifteen", "twenty", "thirty", "forty", "sixty", "seventy"],
    "minutes": ["ten", "fifteen", "twenty", "twenty-five", "thirty", "forty", "forty-five"],
    "num_big": [
        "forty million", "three billion", "two hundred thousand", "nine hundred million",
        "sixty million", "half a billion", "eighty thousand", "twelve million",
    ],
    # -- data engineering --
    "de_artifact": [
        "the raw event logs", "the customer table", "the clickstream export", "the sensor readings",
        "the billing records", "the product catalogue", "the shipment history", "the support tickets",
        "the survey responses", "the web crawl", "the payment ledger", "the app telemetry",
    ],
    "de_step": [
        "deduplication", "schema validation", "type casting", "timestamp normalisation", "null handling",
        "partition pruning", "incremental loading", "backfilling", "data profiling",
        "late data handling", "language detection", "text cleaning",
    ],
    "de_format": ["Parquet", "CSV", "JSON lines", "Avro", "ORC", "Arrow IPC"],
    "de_problem": [
        "silently dropped rows", "duplicated keys", "mismatched time zones", "truncated strings",
        "exploding joins", "schema drift", "stale partitions", "skewed partitions",
        "broken character encodings", "half-written files",
    ],
    "de_metric": [
        "row counts", "null ratios", "freshness lag", "distinct key counts", "file sizes",
        "job durations", "duplicate rates", "rejected record counts",
    ],
    "de_store": [
        "object storage", "the warehouse", "a lakehouse table", "the staging area",
        "a local DuckDB file", "the feature store", "a shared network drive",
    ],
    "team": [
        "the analytics team", "the platform group", "a two-person data team", "the finance analysts",
        "the machine learning engineers", "the research group", "the operations crew",
    ],
    "n_mb": ["64", "100", "128", "200"],
    "n_mb2": ["512", "768", "1024"],
    # -- databases --
    "db_feature": [
        "a covering index", "a materialised view", "a hash join", "a partial index",
        "a columnar storage engine", "a B-tree index", "a bloom filter", "vectorised execution",
        "zone maps", "a result cache",
    ],
    "db_query": [
        "a three-way join", "a window function over daily sales", "a correlated subquery",
        "an aggregate grouped by region", "a range scan on timestamps", "a full-text search",
        "a recursive common table expression", "a top-ten report per customer",
        "a distinct count over the whole year",
    ],
    "db_engine": [
        "an embedded analytical database", "a classic row store", "a distributed key-value store",
        "a single-file database", "a columnar warehouse", "an in-memory cache", "a document store",
    ],
    "db_concept": [
        "isolation levels", "normal forms", "cardinality estimates", "transaction logs",
        "foreign keys", "query plans", "table statistics", "join orders",
    ],
    "workload": [
        "reporting", "online checkout", "ad hoc analysis", "event logging", "inventory tracking",
        "fraud detection", "ticket booking", "sensor monitoring",
    ],
    "period": ["month", "day", "region", "customer segment", "week", "store"],
    # -- cooking --
    "dish": [
        "a lemon risotto", "a slow-cooked bean stew", "a tomato and fennel soup", "a mushroom pie",
        "a spiced lentil dal", "a tray of roast carrots", "a rye sourdough loaf", "a plum tart",
        "a green curry", "a pot of potato dumplings", "a chickpea salad", "a fish stew",
        "an onion tart", "a barley soup", "a vegetable lasagne", "a pan of paella",
    ],
    "ingredient": [
        "garlic", "brown butter", "smoked paprika", "miso paste", "fresh ginger", "preserved lemon",
        "toasted sesame", "anchovy paste", "muscovado sugar", "chilli oil", "sour cream",
        "olive oil", "ground cumin", "tamarind", "grated parmesan", "black pepper",
    ],
    "herb": ["thyme", "basil", "coriander", "dill", "rosemary", "tarragon", "mint", "parsley", "sage", "chives"],
    "technique": [
        "blanching the greens", "braising", "deglazing the pan", "proving the dough",
        "toasting the spices", "resting the meat", "reducing the sauce", "folding in the egg whites",
        "salting the vegetables in advance", "browning the onions slowly",
    ],
    "utensil": [
        "a cast-iron skillet", "a heavy casserole dish", "a wooden spoon", "a sharp paring knife",
        "a digital scale", "a fine sieve", "a mortar and pestle", "a baking stone",
    ],
    "temp": ["160", "180", "190", "200", "220", "240"],
    # -- gardening --
    "plant": [
        "tomatoes", "runner beans", "courgettes", "sweet peas", "leeks", "pumpkins", "lettuces",
        "chillies", "sunflowers", "broad beans", "cucumbers", "carrots", "parsnips", "radishes",
    ],
    "shrub": [
        "the roses", "the apple trees", "the lavender", "the blackcurrants", "the wisteria",
        "the gooseberry bushes", "the raspberry canes",
    ],
    "pest": [
        "slugs", "aphids", "vine weevils", "caterpillars", "blackfly", "pigeons", "snails",
        "earwigs", "sawfly larvae",
    ],
    "soil": [
        "heavy clay", "sandy soil", "chalky ground", "rich loam", "raised beds filled with compost",
        "a north-facing border", "stony hillside soil",
    ],
    "gtask": [
        "mulching", "pruning", "deadheading", "thinning seedlings", "turning the compost heap",
        "sowing green manure", "hardening off young plants", "dividing perennials", "weeding by hand",
    ],
    # -- travel --
    "transport": [
        "a night train", "a slow ferry", "a rented bicycle", "a rattling regional bus",
        "a cheap domestic flight", "a shared taxi", "an old tram line", "a borrowed camper van",
    ],
    "place": [
        "the old harbour", "the covered market", "a hilltop monastery", "the botanical garden",
        "a tiny jazz bar", "the river promenade", "a bookshop with a café upstairs",
        "the cathedral square", "a fishing village down the coast", "the mountain hut",
        "the railway museum", "the lighthouse",
    ],
    "viewpoint": [
        "the lighthouse", "the mountain hut", "a hilltop monastery", "the old castle walls",
        "the cathedral tower", "the ridge above the town", "the top of the funicular",
    ],
    "tfood": [
        "grilled sardines", "steamed buns", "street tacos", "fresh pastries", "noodle soup",
        "spiced flatbreads", "roasted chestnuts", "dumplings", "fried fish sandwiches", "sweet pancakes",
    ],
    "hour": ["eight", "nine", "ten"],
    # -- history of computing --
    "machine": [
        "the early valve computers", "the first minicomputers", "home computers of the eighties",
        "time-sharing mainframes", "early workstations", "magnetic drum machines",
        "the first pocket calculators", "punched card tabulators",
    ],
    "hinv": [
        "the transistor", "the integrated circuit", "magnetic core memory", "the compiler",
        "the graphical user interface", "packet switching", "the relational model",
        "the microprocessor", "the floppy disk", "the spreadsheet",
    ],
    "decade_early": ["1940s", "1950s", "1960s"],
    "hrole": ["programmers", "operators", "engineers", "researchers", "students", "hobbyists"],
    # -- astronomy --
    "planet": ["Jupiter", "Saturn", "Mars", "Venus"],
    "deep": [
        "the Orion Nebula", "the Andromeda Galaxy", "the Pleiades", "the Ring Nebula",
        "the Whirlpool Galaxy", "the globular cluster in Hercules", "the Double Cluster",
    ],
    "scope": [
        "a small refractor", "a pair of binoculars", "a ten-inch reflector",
        "a second-hand Dobsonian", "a borrowed telescope", "an old brass spyglass",
    ],
    "aphen": [
        "a meteor shower", "a lunar eclipse", "a total solar eclipse", "the northern lights",
        "a planetary conjunction", "a bright comet", "a partial solar eclipse",
    ],
    # -- music --
    "instr": [
        "cello", "upright bass", "piano", "trumpet", "acoustic guitar", "violin", "drum kit",
        "clarinet", "accordion", "harmonica", "saxophone", "mandolin",
    ],
    "genre": ["jazz", "folk", "blues", "bluegrass", "klezmer", "bossa nova", "gospel", "swing", "tango", "reggae"],
    "mpiece": [
        "a slow waltz", "a twelve-bar blues", "a short minuet", "an old sea shanty",
        "a simple bossa nova tune", "a Scottish reel", "a lullaby", "a marching tune",
    ],
    "mskill": [
        "sight-reading", "playing in time", "improvising over chord changes", "tuning by ear",
        "practising with a metronome", "transcribing solos", "playing scales slowly",
    ],
    # -- sports --
    "sport": [
        "cycling", "rowing", "trail running", "basketball", "table tennis", "rock climbing",
        "cross-country skiing", "football", "swimming", "volleyball", "handball",
    ],
    "team_name": [
        "the Harbour Herons", "the Northside Foxes", "the Valley Comets", "the Riverside Otters",
        "the Granite Bears", "the Coastal Gulls", "the Mill Lane Rovers",
    ],
    "training": [
        "interval sessions", "long easy runs", "strength sessions", "mobility drills",
        "hill repeats", "video reviews", "rest days", "technique drills",
    ],
    "score_line": ["three to one", "two to nil", "four to two", "one to nil", "five to three", "two to one"],
    "age": ["twenty-five", "thirty", "thirty-eight", "forty", "forty-two", "fifty", "fifty-five", "sixty"],
    # -- code documents (bound once per document) --
    "table": [
        "orders", "events", "customers", "page_views", "sensor_readings", "invoices",
        "shipments", "tickets", "sessions", "products", "reviews", "signups",
    ],
    "table2": ["accounts", "stores", "devices", "campaigns", "suppliers", "users"],
    "col": ["region", "country", "status", "category", "device_type", "channel", "plan", "warehouse"],
    "numcol": ["amount", "duration_ms", "quantity", "price", "latency_ms", "score", "weight_kg"],
    "tscol": ["created_at", "event_time", "updated_at", "shipped_at", "opened_at", "ingested_at"],
    "var": ["rows", "records", "items", "batch", "docs", "entries"],
    "keycol": ["id", "user_id", "order_id", "email", "sku", "url"],
    "limit": ["5", "10", "20", "25", "50"],
    "date": ["2024-01-01", "2023-06-30", "2024-03-15", "2022-11-01", "2025-02-01"],
    "path": ["exports/daily", "landing/events", "raw/2024", "warehouse/snapshots", "data/incoming"],
    "size": ["100", "250", "500", "1000"],
    "minw": ["20", "30", "50", "100"],
    "ngram": ["3", "4", "5"],
    "fh": ["fh", "f", "handle", "src"],
    "row": ["row", "rec", "r", "item"],
    "keyvar": ["key", "k", "ident"],
    "counter": ["counts", "freq", "tally"],
    "txt": ["text", "doc", "s"],
    "start": ["start", "i", "offset"],
    "ln": ["line", "raw", "ln"],
    "inner": ["grams", "shingles", "ngrams"],
    "groups": ["groups", "buckets", "by_key"],
    "sum_alias": ["total", "total_value", "sum_value", "grand_total"],
    "cnt_alias": ["n", "n_rows", "row_count", "cnt"],
    "rank_alias": ["rn", "row_rank", "pos", "recency"],
    "sub_alias": ["ranked", "numbered", "latest", "t"],
    "suffix": ["latest", "current", "dedup", "clean"],
    "day_alias": ["day", "d", "event_day", "load_date"],
    "total_alias": ["total", "n_total", "all_rows"],
    "missing_alias": ["missing", "n_null", "nulls"],
    "pct_alias": ["pct_missing", "null_pct", "missing_share"],
    "avg_alias": ["avg_value", "mean_value", "average"],
    "a1": ["t", "f", "o"],
    "a2": ["u", "d", "s"],
    "acc": ["out", "result", "kept", "unique"],
    "seen": ["seen", "keys_seen", "known"],
    # -- German --
    "stadt": ["Leipzig", "Freiburg", "Bremen", "Dresden", "Köln", "Hamburg", "Kassel", "Rostock", "Passau", "Trier"],
    "wochentag": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
    "monat_de": ["April", "Mai", "Juni", "Juli", "August", "September"],
    "pflanze": ["Tomaten", "Bohnen", "Kartoffeln", "Erdbeeren", "Zucchini", "Radieschen", "Gurken"],
    "gericht": ["Linsensuppe", "Apfelkuchen", "Kartoffelsalat", "Gulasch", "Käsespätzle", "Zwiebelkuchen", "Eintopf"],
    "instrument_de": ["Klavier", "Gitarre", "Geige", "Trompete", "Cello", "Akkordeon"],
    "musik_de": ["Jazz", "alte Schallplatten", "klassische Musik", "Volksmusik", "Radio"],
    "kraut": ["Basilikum", "Petersilie", "Schnittlauch", "Thymian", "Minze"],
    "zahl": ["drei", "fünf", "zehn", "zwölf", "zwanzig"],
    "uhr": ["sechs", "sieben", "acht"],
    # -- French --
    "ville": ["Lyon", "Nantes", "Bordeaux", "Lille", "Toulouse", "Rennes", "Grenoble", "Strasbourg", "Dijon", "Marseille"],
    "jour": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "mois": ["avril", "mai", "juin", "juillet", "août", "septembre"],
    "plante": ["tomates", "haricots", "courgettes", "fraises", "pommes de terre", "radis", "concombres"],
    "plat": [
        "un pot-au-feu", "une soupe à l'oignon", "une tarte aux pommes", "un gratin de pommes de terre",
        "une ratatouille", "des crêpes", "une quiche aux poireaux",
    ],
    "instrument_fr": ["le piano", "la guitare", "le violon", "la trompette", "le violoncelle", "l'accordéon"],
    "musique_fr": ["du jazz", "de vieux disques", "de la musique classique", "la radio", "de la chanson"],
    "herbe": ["le basilic", "le persil", "la ciboulette", "le thym", "la menthe"],
    "nombre": ["trois", "cinq", "dix", "douze", "vingt"],
    "heure": ["six", "sept", "huit"],
    # -- junk --
    "site": [
        "ExampleNews", "Example Shop", "DailyExample", "Example Recipes", "ExampleTravel",
        "Example Forums", "ExampleTech", "Example Garden Centre",
    ],
}

# ---------------------------------------------------------------------------
# Topic sentences (English prose).  Keys are topic slugs used in URLs.
# ---------------------------------------------------------------------------

TOPIC_SENTENCES: dict[str, list[str]] = {
    "data-engineering": [
        "A [reliable|trustworthy|boring, in the best sense,] pipeline starts with {de_step}, because every later stage [assumes|takes it for granted] that the input is already [clean|trustworthy|in good shape].",
        "When {team} first moved {de_artifact} into {de_store}, they [discovered|ran into|stumbled on] {de_problem} within [a week|the first few days|a fortnight].",
        "Storing {de_artifact} as {de_format} cut the [scan time|query time|nightly runtime] by roughly {pct} percent.",
        "Most teams underestimate how much [effort|time|patience] {de_step} takes until they inherit {num_big} rows of [messy|undocumented|inconsistent] history.",
        "Monitoring {de_metric} after every run is the [cheapest|simplest|most dependable] way to catch {de_problem} before anyone builds a dashboard on top of them.",
        "The nightly job reads {de_artifact}, applies {de_step}, and writes the result back to {de_store} in [daily|hourly|weekly] partitions.",
        "A [good|sensible|common] rule of thumb is to keep each {de_format} file between {n_mb} and {n_mb2} megabytes so that [readers can split the work|the scan parallelises well|listings stay fast].",
        "If {de_metric} suddenly move by more than {pct} percent, the pipeline should [stop and page whoever is on call|halt and raise an alert|refuse to publish anything].",
        "{name} wrote a small validation layer that rejects any batch with {de_problem}, and [complaints about broken reports dropped sharply|the weekly firefighting mostly stopped|trust in the numbers slowly returned].",
        "Idempotent writes mean that rerunning the job for {weekday} [produces the same output|leaves the table unchanged] instead of doubling {de_artifact}.",
        "Separating raw, cleaned and curated layers makes it [easy|painless|cheap] to replay {de_step} when the [business rules|requirements|definitions] change.",
        "Column-oriented formats such as {de_format} [shine|pay off|do best] when a query touches only a handful of columns from {de_artifact}.",
        "Nobody enjoys debugging {de_problem} at [two in the morning|the end of a long week|the start of a holiday], so {team} runs its checks before anything is published.",
        "Lineage metadata records which upstream tables fed each output, [turning a vague complaint into a precise search|which shortens every incident review|so an odd number can be traced in minutes].",
        "{team} keeps a changelog of every schema change to {de_artifact}, along with [the reason it was made|who asked for it|the date it reached production].",
        "Sampling {pct} percent of {de_artifact} is often enough to estimate {de_metric} without paying for a full scan.",
        "The hardest part of {de_step} is [agreeing on|writing down] what the correct answer looks like, not [writing the code|choosing the tools].",
        "Backfilling {num_small} years of {de_artifact} took {num_small2} days, mostly because of {de_problem}.",
        "A written contract between [producers and consumers|the teams that write and read data] spells out which fields in {de_artifact} may be null and which may [never change type|stay stable for a year].",
        "Small files are the [silent tax|hidden cost] of {de_store}, since [thousands|tens of thousands] of tiny objects slow down every [listing|metadata call] and every query.",
        "After switching to incremental loads, {team} only processes the rows that changed since the last [watermark|successful run|checkpoint].",
        "Treat {de_metric} as a product feature, because the people downstream will [notice a problem|spot trouble] long before you do.",
        "{name} still [remembers|talks about] the week when {de_problem} in {de_artifact} quietly [skewed|distorted] every report for a month.",
        "Profiling {de_artifact} before writing any transformation [saves days of guesswork|reveals surprises early|sets honest expectations].",
    ],
    "databases": [
        "Adding {db_feature} turned {db_query} from a [ten-second wait|coffee-break query|slow crawl] into something that felt instant.",
        "Understanding {db_concept} is the difference between [guessing at|hand-waving about] performance and actually explaining it.",
        "{db_engine} is a [good|natural|sensible] fit for {workload}, but it [struggles|slows down] when many writers [compete for|fight over] the same rows.",
        "Reading the query plan [before and after|on both sides of] the change showed that {db_query} no longer spilled to disk.",
        "The optimiser relies on {db_concept} to decide whether {db_feature} is worth using at all.",
        "Durability means that a change reaches the [log on disk|durable log] before the [client|application] is told that the commit [succeeded|went through].",
        "{name} likes to say that the [fastest|cheapest] query is the one you never run, which is why the results of {db_query} are [cached|kept in memory] for {num_small} minutes.",
        "Columnar engines compress each column separately, so a table of {num_big} rows can sit [comfortably|easily|without complaint] on a laptop.",
        "Choosing the wrong isolation level for {workload} can produce anomalies that only [appear|show up] under [heavy load|real traffic].",
        "A primary key is a promise that no two rows describe the same [thing|entity], and the database will [hold you to it|enforce it on every insert].",
        "When {db_query} ran slowly, the culprit turned out to be outdated {db_concept} that [misled the planner|sent the optimiser down the wrong path].",
        "Normalising the schema removed redundant copies of [customer addresses|product names|store details], although {workload} now needs one extra join.",
        "{db_engine} keeps the working set close to the processor, which makes {db_query} [surprisingly|remarkably] cheap.",
        "Vacuuming old row versions keeps storage from growing without bound after {num_small} months of [updates|heavy churn].",
        "The team benchmarked {db_query} on {db_engine} and on {db_engine} before committing to either one.",
        "Foreign keys catch mistakes at write time that would otherwise surface [weeks later|much later] in a {workload} report.",
        "Partitioning the [fact|sales|events] table by {period} means that most queries read a [thin|small] slice instead of the whole history.",
        "Some engines process {db_query} a whole [vector|batch] of values at a time, which keeps the [processor caches|CPU caches] warm.",
        "Backups only count once somebody has restored one on a quiet {weekday} and [compared the row counts|checked the totals against production].",
        "For {workload}, a plain table with a [sensible|well-chosen] index often beats an elaborate design with [five caches|several layers of caching] in front of it.",
        "Declarative query languages have lasted because describing what you want is [easier|less error-prone] than describing how to compute it.",
        "Joining on columns with mismatched types forces {db_engine} to cast every value, and the cost [adds up quickly|grows with every row].",
        "{name} rewrote {db_query} as two simpler steps, and the planner [finally picked a sensible join order|stopped guessing].",
        "Testing {workload} against a copy of production data revealed that {db_feature} [helped less than promised|mattered more than expected].",
    ],
    "cooking": [
        "The secret to {dish} is patience, so let the onions soften for at least {minutes} minutes before anything else [goes in|joins them].",
        "{technique} sounds [fussy|like a chore|old-fashioned], yet it is exactly what gives {dish} its depth.",
        "A little {ingredient} stirred in at the end [lifts|brightens|rounds out] the whole pot without making it taste heavy.",
        "Chop the {herb} just before serving, because the leaves [bruise and darken|wilt and lose their scent] if they sit around.",
        "{name} learned to cook {dish} from a [neighbour|grandmother|market trader] in {city}, who never measured anything.",
        "Heat the oven to {temp} degrees and give the tray a full {minutes} minutes before [checking on it|opening the door].",
        "If you only own one pan, make it {utensil}, since it [moves happily|goes straight] from the hob to the oven.",
        "Season {dish} in layers, tasting after [each addition|every step], rather than adding all the salt [at the start|in one go].",
        "Like many slow dishes, {dish} often tastes better the next day, once the flavours have [settled|had time to mingle].",
        "Swapping {ingredient} for {ingredient} changes the character of the dish more than you might expect.",
        "A squeeze of lemon and a handful of {herb} can rescue almost any [soup|stew|sauce] that tastes flat.",
        "Weighing flour with {utensil} instead of using cups makes baking far more [predictable|consistent].",
        "Many home cooks skip {technique}, but the difference on the plate is [obvious|easy to taste].",
        "In {city} almost every market stall sells {ingredient}, and cooks build whole [meals|menus] around it.",
        "The first time I made {dish}, I forgot the {ingredient} and nobody noticed, which taught me something about [recipes|perfectionism].",
        "Keep some {ingredient} within reach of the stove for [evenings|busy evenings] when there is no time to [shop|think].",
        "Cooking for {num_small} people is mostly a matter of [deciding|working out] which dishes can wait and which must be [served at once|eaten hot].",
        "Let the dough rest for {minutes} minutes so the gluten [relaxes|settles] and the sheets roll out without [shrinking|springing back].",
        "A sharp knife is safer than a dull one when preparing {dish}, because it goes where you aim it.",
        "{herb} and {ingredient} are an old pairing that shows up in [farmhouse|village|home] cooking across the region.",
        "Reading the whole recipe before [starting|you begin] saves you from discovering halfway through that [something|the beans] needed to soak overnight.",
        "Serve {dish} with [crusty bread|boiled potatoes|plain rice] and a sharp green salad to balance the richness.",
        "{name} makes {dish} every [Sunday|Friday|holiday], and the kitchen smells of {herb} for hours afterwards.",
        "Buying {ingredient} in small amounts keeps it fresh, since [flavour fades|the aroma disappears] faster than most people think.",
    ],
    "gardening": [
        "{plant} thrive in {soil} as long as they get at least [six|seven] hours of [sun|direct sunlight].",
        "{gtask} in {season} saves a [great deal of|surprising amount of] work later in the year.",
        "Our [allotment|community garden|back garden] in {city} lost half its {plant} to {pest} before we started checking the leaves every [evening|morning].",
        "A thick layer of mulch around the {plant} keeps moisture in the ground and [smothers weeds before they get going|keeps the weeds down].",
        "{name} swears by companion planting, setting [marigolds|nasturtiums|rows of onions] between the {plant} to confuse the {pest}.",
        "Sow {plant} in modules [indoors|on a sunny windowsill|in the greenhouse] in {season}, then plant them out once the nights stay [mild|frost-free].",
        "Water the {plant} deeply [once or twice a week|every few days] rather than sprinkling a little every [day|evening], so the roots grow [down|deep].",
        "Compost is [slow cooking for the soil|the gardener's savings account], and a good heap turns kitchen scraps into dark [crumbly|sweet-smelling] humus within {num_small} months.",
        "If {pest} are a problem, [a ring of grit|a shallow beer trap|a fine mesh cover] works better than you might expect.",
        "Gardening on {soil} means choosing plants that like those conditions instead of [fighting them|trying to change them].",
        "By {season} the {plant} had grown far faster than expected and [needed more space|were crowding the path].",
        "Saving seed from your best {plant} slowly produces a strain adapted to your own [garden|soil and weather].",
        "{gtask} is the kind of job that feels [pointless|endless] until you see the results the following season.",
        "A simple rain barrel under the [shed|greenhouse] gutter collected enough water to get the {plant} through a dry {month}.",
        "Frost pockets form at the bottom of slopes, so tender {plant} belong [higher up the garden|near the warm wall of the house].",
        "The first harvest of {plant} always feels like a small [miracle|celebration], no matter how many years you have grown them.",
        "Crop rotation stops soil [diseases|pests and diseases] from building up, which is why the {plant} move to a new bed [each year|every spring].",
        "Leave a corner of the garden a little wild, and [hedgehogs and ground beetles|frogs and birds] will deal with many of the {pest}.",
        "Pruning {shrub} in {season} encourages strong new growth and better [flowering|fruiting].",
        "Test the soil before adding lime, since {soil} can already be more alkaline than it [looks|seems].",
        "{name} keeps a notebook of sowing dates, and after {num_small} years it has become the most useful book on the [shelf|potting bench].",
        "Netting kept the {pest} away from {shrub}, although [a blackbird|a determined squirrel] still found a way in.",
        "Growing {plant} in {soil} taught {name} to [wait for the right weather|sow a little later than the seed packet suggests].",
    ],
    "travel": [
        "We reached {city} on {transport} just as the streetlights came on, [tired but happy|hungry and a little lost|soaked but cheerful].",
        "The best meal of the whole trip was {tfood} eaten [standing up|on a bench|out of paper] near {place}.",
        "Visiting {city} in {season} meant [emptier trains|quieter streets], cheaper rooms and locals who had time to talk.",
        "{name} recommends spending at least {num_small} days in {city}, since the first day always [disappears in logistics|goes on finding your feet].",
        "A paper map still beats a phone when the battery [dies|runs flat] on the way to {place}.",
        "Taking {transport} instead of flying turned a dull transfer into one of the [highlights|best memories] of the journey.",
        "Learn a few words of the local language, because even a clumsy [greeting|thank you] opens doors that money cannot.",
        "In {city}, {place} is worth an early start, before the [tour groups|crowds|coaches] arrive.",
        "Packing light is mostly a matter of [accepting|remembering] that you can buy whatever you forgot once you [land|arrive].",
        "The guesthouse owner drew us a map to {place} on a [napkin|beer mat|receipt] and insisted we try the {tfood} on the way.",
        "Trains in the region run [on time|like clockwork], but the last connection leaves at {hour} in the evening, so [plan around it|do not linger over dinner].",
        "Slow travel means staying long enough in {city} to have a favourite [bakery|café] and a nod from the shopkeeper.",
        "We spent a rainy {weekday} at {place}, and it turned out to be the most memorable [afternoon|day] of the week.",
        "Budget travellers should know that {tfood} from a market stall cost a fraction of a restaurant meal.",
        "Walking tours led by residents of {city} reveal stories that no [guidebook|brochure] mentions.",
        "Always keep a [photocopy|photo] of your passport separate from the original, just in case your [bag|wallet] goes missing.",
        "Crossing the border on {transport} took {num_small} hours, most of them spent waiting for a single stamp.",
        "The view from {viewpoint} at sunset made the steep climb [entirely|more than] worth it.",
        "Travel insurance feels like wasted money right up until the day you [need it|twist an ankle].",
        "{name} kept a journal for every day in {city}, and rereading it years later brought back the [smells and sounds|small details].",
        "Booking the first [night|two nights] in advance and leaving the rest open gave us the freedom to follow [local advice|our noses].",
        "From {viewpoint} you can see the whole of {city}, and on clear days the [hills|coast] beyond it.",
        "Our host in {city} lent us bicycles and a hand-drawn list of places that sell the best {tfood}.",
    ],
    "computing-history": [
        "In the {decade_early}, computers filled entire rooms and needed a team of {hrole} to keep them [running|fed with cards].",
        "{hinv} changed computing more than any single machine, because it made everything after it [cheaper|smaller and cheaper].",
        "Many early programmers were women whose [contributions|achievements] were left out of the official histories for [decades|far too long].",
        "Programs for {machine} were often written on paper first and checked [by hand|line by line] before any machine time was [booked|requested].",
        "The arrival of {hinv} moved computing another step out of the [laboratory|research institute] and into ordinary [offices|homes].",
        "Memory was so scarce on {machine} that {hrole} counted individual bytes and reused them wherever they could.",
        "Batch processing meant handing over a deck of cards and waiting [hours|half a day], sometimes [a full day|longer], for the [printout|results].",
        "{hinv} was dismissed by some [experts|managers] at first, which is a recurring pattern in the history of the [field|industry].",
        "Clubs of {hrole} traded programs on [cassette tapes|floppy disks] and printed listings in magazines for others to type in.",
        "The museum in {city} still keeps one of {machine} in working order, and volunteers demonstrate it on [weekends|the first Sunday of each month].",
        "Agreeing on standard character encodings took [years|decades] of committee meetings, yet today almost nobody [thinks about it|notices].",
        "Before stored programs became common, changing what a machine did often meant physically [rewiring it|moving cables around].",
        "Time-sharing let dozens of {hrole} use one expensive computer at once, each believing they had it [alone|to themselves].",
        "The story of {hinv} is also a story about manufacturing, since clever designs mattered [little|not at all] until they could be built [cheaply|in large numbers].",
        "Computing in the {decade_early} was shaped as much by military budgets as by [scientific curiosity|academic ambition].",
        "Early networks connected only a handful of [universities|research sites], and a message sometimes arrived later than a [postcard|letter] would have.",
        "{name}, a retired [engineer|operator|technician], still remembers the smell of warm dust inside {machine}.",
        "For much of the 1950s and 1960s, software was [given away|bundled] with the hardware because nobody yet thought of it as a [product|thing to sell].",
        "Each generation of {hrole} tends to believe that the machines of its youth were the last truly [understandable|comprehensible] ones.",
        "Archivists now struggle to read data from old [tapes|disks], because the drives and the documentation have both disappeared.",
        "Manuals for {machine} were thick binders that {hrole} annotated by hand and guarded [jealously|like treasure].",
        "{name} once spent a whole night hunting a single faulty connection in {machine}, armed only with a torch and a circuit diagram.",
    ],
    "astronomy": [
        "Through {scope}, {planet} looked small but unmistakable, a moment that hooked {name} for life.",
        "Light pollution around {city} now hides most stars, so the local club drives [an hour|forty minutes] out of town.",
        "{aphen} is best enjoyed lying on a blanket, with [no equipment at all|nothing but a flask of tea].",
        "Let your eyes adapt for at least {minutes} minutes, because a single glance at a phone screen [resets the clock|undoes the effort].",
        "{deep} climbs higher each evening during {month}, which makes it an easy target [after dinner|before bedtime].",
        "Astronomers measure distances to nearby stars by watching how they [shift|appear to move] as the Earth [moves|travels] around the Sun.",
        "The light we see from {deep} left it long before any of us were born, which never stops feeling [strange|humbling].",
        "Spectroscopy splits starlight into [colours|a rainbow of lines], revealing which elements are present in the [atmosphere|outer layers] of a star.",
        "{name} photographed {aphen} from a field near {city}, using nothing more than a tripod and [patience|a cheap camera].",
        "The rings of Saturn are so thin compared with their width that they almost [vanish|disappear] when seen edge-on.",
        "Amateur observers still contribute real science by [timing variable stars|tracking asteroids] and reporting new comets.",
        "A star chart and {scope} are enough to find dozens of galaxies on a clear {month} night.",
        "Cold nights give the steadiest views, but they also fog the eyepiece if you [breathe on it|lean in too close].",
        "The craters on the Moon look sharpest near the line between [day and night|light and dark], where the shadows are [longest|deepest].",
        "Radio astronomy revealed a [noisy|restless] universe that optical telescopes had never seen.",
        "Watching Jupiter over several nights through {scope} shows its moons changing position like a slow clock.",
        "Predicting {aphen} once required pages of hand calculation, and now a phone app does it [instantly|in a second].",
        "Our club in {city} opens the observatory on the first {weekday} of each month for anyone who wants to look.",
        "Every atom of iron in your blood was forged inside a star that exploded long before the Sun [formed|was born].",
        "Observing {deep} under truly dark skies reveals far more detail than any photograph [suggests|prepares you for].",
        "{planet} was low in the west after sunset, bright enough that {name} first mistook it for an aircraft.",
        "A red torch preserves night vision, which is why the members in {city} tape red film over their lamps.",
    ],
    "music": [
        "Learning the {instr} as an adult is slower than as a child, but [adults|grown-ups] tend to practise with more [purpose|focus].",
        "{mskill} feels [tedious|dull] at first, yet it is what separates players who improve from those who [plateau|stall].",
        "{name} plays the {instr} in a small {genre} group that meets every {weekday} above a [bakery|bookshop|bicycle repair shop] in {city}.",
        "The first piece many students learn is {mpiece}, because its melody is forgiving and easy to [remember|hum].",
        "Recording yourself is [humbling|uncomfortable at first], but it reveals timing problems that you cannot hear while playing.",
        "{genre} is kept alive by communities of players who meet simply to make music together.",
        "Practise {mpiece} at half speed until every note is [clean|even], then raise the tempo a little each [day|week].",
        "Good ensemble playing is mostly [listening|about listening], since the goal is to sound like one instrument rather than [several|a crowd].",
        "A cheap {instr} with a proper setup often plays better than an expensive one that was [neglected|left in a cold attic].",
        "Concerts of {genre} in {city} tend to sell out [quickly|within hours], so locals buy tickets the day they are announced.",
        "Scales are the vocabulary of music, and {mskill} turns that vocabulary into sentences.",
        "{num_small} minutes of [focused|careful] practice every day beats a single long session on the weekend.",
        "The warmth of the {instr} comes from the [body of the instrument|wood and the setup] as much as from the player.",
        "Players of {genre} often borrow ideas from older popular songs and make them their own.",
        "Playing with people slightly better than you is the fastest way to grow as a [musician|player].",
        "{name} still keeps the worn copy of {mpiece} that a first teacher marked with pencil notes.",
        "Stage fright fades with repetition, so the best cure is to play for [friends|family|anyone who will listen] as often as possible.",
        "An orchestra tunes to the oboe because its [clear, steady|penetrating] tone cuts through the noise of the hall.",
        "Ear training helps you recognise intervals, which makes {mskill} far less [intimidating|mysterious].",
        "Composers of {genre} often wrote for the specific musicians they knew, shaping pieces around their strengths.",
        "Switching from the {instr} to the {instr} taught {name} more about rhythm than years of lessons had.",
        "The {genre} session in {city} welcomes beginners, as long as they bring their own {instr} and a sense of humour.",
    ],
    "sports": [
        "{name} took up {sport} at {age} and [joined a club team|entered a first local competition] within a year.",
        "{training} are unglamorous, but they are where most of the progress [actually happens|is made].",
        "{team_name} won {score_line} on {weekday}, thanks to a late rally in the final minutes.",
        "Recovery matters as much as effort, since muscles [adapt|get stronger] during rest rather than during the [workout|session] itself.",
        "Good coaches in {sport} watch body language as closely as they watch the [scoreboard|clock].",
        "The club in {city} offers free {sport} sessions for beginners every {weekday} [morning|evening].",
        "A proper warm-up of {minutes} minutes reduces the risk of injury far more than stretching afterwards.",
        "Amateur {sport} has grown quickly because it needs little equipment and welcomes all ages.",
        "The season for {team_name} turned around after the coach switched to shorter, sharper {training}.",
        "Hydration and sleep are the cheapest performance boosts available to any [athlete|competitor].",
        "Watching {sport} live, you notice how much the players [talk to|shout at] each other when the action is elsewhere.",
        "{name} keeps a training log with every session, and patterns appear that memory alone would [miss|never reveal].",
        "Team sports teach people how to lose [gracefully|with dignity], which may be the most useful lesson of all.",
        "The final stretch of the race climbed {num_small} hundred metres and split the field within minutes.",
        "In {sport}, technique beats strength for [beginners|newcomers], and power only helps once the movement is efficient.",
        "Fans of {team_name} travelled by the busload to the away match in {city}.",
        "Overtraining shows up as poor sleep and a rising [resting heart rate|morning pulse] long before results decline.",
        "Local leagues depend on volunteers who mark the pitch, run the [kiosk|tea stall] and drive players to [matches|away games].",
        "Adding {training} twice a week made a visible difference to the times {name} was posting within a month.",
        "The rules of {sport} have changed many times, usually to make the [sport|competition] [faster|quicker] and easier to watch.",
        "Nobody on {team_name} was a star, yet they finished the season unbeaten at home.",
        "{name} coaches the junior {sport} squad in {city} and insists that every session ends with a game.",
    ],
}

TOPIC_PHRASES: dict[str, list[str]] = {
    "data-engineering": ["data pipelines", "cleaning messy datasets", "moving data between systems", "keeping nightly jobs reliable"],
    "databases": ["database performance", "query tuning", "schema design", "choosing a database"],
    "cooking": ["home cooking", "weeknight dinners", "baking at home", "cooking for friends"],
    "gardening": ["vegetable gardening", "growing food on an allotment", "looking after a small garden", "organic pest control"],
    "travel": ["slow travel", "travelling by train", "budget trips", "exploring a new city"],
    "computing-history": ["the history of computing", "early computers", "how software became an industry", "vintage machines"],
    "astronomy": ["amateur astronomy", "stargazing", "observing the planets", "the night sky"],
    "music": ["learning an instrument", "playing in a band", "music practice", "ensemble playing"],
    "sports": ["amateur sport", "training for a race", "local football", "staying fit"],
}

TOPIC_TITLES: dict[str, str] = {
    "data-engineering": "Data engineering",
    "databases": "Database systems",
    "cooking": "Home cooking",
    "gardening": "Kitchen gardening",
    "travel": "Independent travel",
    "computing-history": "The history of computing",
    "astronomy": "Amateur astronomy",
    "music": "Amateur music making",
    "sports": "Amateur sport",
}

# Domain framing sentences; {topic_phrase} and {topic_title} are filled per document.
OPENERS: dict[str, list[str]] = {
    "forum": [
        "Hi [everyone|all|folks], I have been reading this board for [a while|years] and finally have something to add about {topic_phrase}.",
        "Quick question for the group, although it [turned into|became] a longer post about {topic_phrase}.",
        "Posting this here because the [last|previous] thread on {topic_phrase} was really helpful to me.",
        "Not sure if this is the right [subforum|place], but here are my notes on {topic_phrase}.",
        "After lurking for [months|ages] I want to share what I learned about {topic_phrase} this [year|season].",
        "Long post ahead, mostly a brain dump about {topic_phrase} from the last {num_small} weeks.",
        "{name} from the {weekday} meetup asked me to write up my experience with {topic_phrase}, so here goes.",
    ],
    "web": [
        "This article collects practical advice on {topic_phrase}, based on [several years|a decade] of trial and error.",
        "Here is what we learned about {topic_phrase} over the past {num_small} months.",
        "If you are new to {topic_phrase}, the notes below should save you a few [mistakes|headaches].",
        "A reader [asked us|wrote in] about {topic_phrase} last week, so we decided to write down everything we know.",
        "Our guide to {topic_phrase} has been updated for this season with fresh examples.",
        "{name} has been writing about {topic_phrase} for this site since {year}, and this is the latest instalment.",
    ],
    "books": [
        "{name} had never given much thought to {topic_phrase} until the [winter|summer|spring] of {year}.",
        "It was {name} who first taught me that, in {topic_phrase}, patience matters more than talent.",
        "The letter from {name} arrived on a grey {weekday}, and it was mostly about {topic_phrase}.",
        "For most of {year}, the only thing anyone in our house talked about was {topic_phrase}.",
        "My [aunt|uncle|grandfather] {name} kept a shelf of notebooks on {topic_phrase}, and I inherited them in {year}.",
    ],
    "wiki": [
        "This article gives an overview of {topic_phrase} and its most important ideas.",
        "{topic_title} is a subject with a long practical tradition and a [growing|large] body of written advice.",
        "The following summary describes common practice in {topic_phrase} as it is understood today.",
        "{topic_title} covers a wide range of activities, and this entry concentrates on {topic_phrase}.",
    ],
}

CLOSERS: dict[str, list[str]] = {
    "forum": [
        "Thanks in advance for any pointers, and sorry for the [long post|wall of text].",
        "Happy to answer questions if anyone is curious about the [details|specifics].",
        "Would love to hear how others in this group [deal with it|handle this].",
        "Edit: fixed a couple of typos, the rest of the post is unchanged.",
        "Curious whether my experience matches yours, so please reply [below|in the thread].",
        "I will post an update after {weekday} if anything changes.",
    ],
    "web": [
        "We will come back to this topic in a [later|future] post with more detailed examples.",
        "As always, start small, keep notes and adjust as you go.",
        "Let us know which of these tips worked for you and which did not.",
        "Next {month} we will look at {topic_phrase} again with a few reader stories.",
    ],
    "books": [
        "Years later, {name} would say that this was the [season|year] that changed everything.",
        "I closed the notebook, turned off the lamp and listened to the [rain|wind] for a long time.",
        "None of us knew it then, but that small [habit|decision] would shape the rest of our lives.",
        "{name} smiled at that, and for once said nothing at all.",
        "It was well past midnight in {city} when we finally put the subject to rest.",
    ],
    "wiki": [
        "See also the related articles on {topic_phrase} for further detail.",
        "Practices vary between [regions|communities], and the descriptions above should be read as typical rather than universal.",
        "The section on {topic_phrase} was last revised in {month} to reflect current practice.",
    ],
}

# ---------------------------------------------------------------------------
# Code documents: (language, function names, intro sentence, snippet).  Slots are bound once per
# document; ``{func}`` is drawn from the snippet's own list of function names.
# ---------------------------------------------------------------------------

CODE_SNIPPETS: list[tuple[str, tuple[str, ...], str, str]] = [
    ("sql", (), "To see which {col} values drive the most {numcol}, a plain aggregate over {table} is [enough|all you need].",
     "SELECT {col}, SUM({numcol}) AS {sum_alias}, COUNT(*) AS {cnt_alias}\n"
     "FROM {table}\nGROUP BY {col}\nORDER BY {sum_alias} DESC\nLIMIT {limit};"),
    ("sql", (), "A window function can pick the newest row inside each {col} without collapsing [the table|{table}].",
     "SELECT *\nFROM (\n    SELECT *, ROW_NUMBER() OVER (PARTITION BY {col} ORDER BY {tscol} DESC) AS {rank_alias}\n"
     "    FROM {table}\n) AS {sub_alias}\nWHERE {rank_alias} = 1;"),
    ("sql", (), "Keeping only the latest version of each {keycol} is a [common|routine] cleaning step for {table}.",
     "CREATE TABLE {table}_{suffix} AS\nSELECT *\nFROM {table}\n"
     "QUALIFY ROW_NUMBER() OVER (PARTITION BY {keycol} ORDER BY {tscol} DESC) = 1;"),
    ("sql", (), "Daily counts are the first thing I check when {table} starts to look [suspicious|odd].",
     "SELECT CAST({tscol} AS DATE) AS {day_alias}, COUNT(*) AS {cnt_alias}\nFROM {table}\n"
     "WHERE {tscol} >= DATE '{date}'\nGROUP BY {day_alias}\nORDER BY {day_alias};"),
    ("sql", (), "The null ratio of {numcol} tells you [quickly|at a glance] whether an upstream export broke.",
     "SELECT\n    COUNT(*) AS {total_alias},\n    COUNT(*) FILTER (WHERE {numcol} IS NULL) AS {missing_alias},\n"
     "    ROUND(100.0 * {missing_alias} / {total_alias}, 2) AS {pct_alias}\nFROM {table};"),
    ("sql", (), "Joining {table} to {table2} lets you compare the average {numcol} across each {col}.",
     "SELECT {a2}.{col}, AVG({a1}.{numcol}) AS {avg_alias}\nFROM {table} AS {a1}\n"
     "JOIN {table2} AS {a2} ON {a2}.{keycol} = {a1}.{keycol}\nGROUP BY {a2}.{col}\nHAVING COUNT(*) > {limit};"),
    ("sql", (), "A view over the exported files in {path} means nobody has to copy {table} around by hand.",
     "CREATE OR REPLACE VIEW {table} AS\nSELECT *\nFROM read_parquet('{path}/*.parquet')\n"
     "WHERE {numcol} IS NOT NULL;"),
    ("python", ("dedupe_keys", "drop_repeats", "first_per_key", "unique_rows"),
     "The helper below drops repeated {keycol} values while keeping the first occurrence.",
     "def {func}({var}):\n    {seen} = set()\n    {acc} = []\n    for {row} in {var}:\n"
     "        {keyvar} = {row}[\"{keycol}\"]\n        if {keyvar} in {seen}:\n            continue\n"
     "        {seen}.add({keyvar})\n        {acc}.append({row})\n    return {acc}"),
    ("python", ("top_words", "count_words", "word_frequencies"),
     "Counting words is a small job, and the standard library already does [most of it|the heavy lifting].",
     "from collections import Counter\n\ndef {func}(texts, k={limit}):\n    {counter} = Counter()\n"
     "    for {txt} in texts:\n        {counter}.update({txt}.lower().split())\n    return {counter}.most_common(k)"),
    ("python", ("split_chunks", "chunked", "in_batches"),
     "Splitting {var} into fixed-size chunks keeps memory flat even when the input is [huge|enormous].",
     "def {func}({var}, size={size}):\n    for {start} in range(0, len({var}), size):\n"
     "        yield {var}[{start}:{start} + size]"),
    ("python", ("load_rows", "read_jsonl", "load_export"),
     "Reading a JSON lines export of {table} takes only a few lines of code.",
     "import json\n\ndef {func}(path):\n    with open(path, encoding=\"utf-8\") as {fh}:\n"
     "        return [json.loads({ln}) for {ln} in {fh} if {ln}.strip()]"),
    ("python", ("filter_short", "drop_tiny", "keep_long_enough"),
     "Very short records in {table} are rarely useful, so this filter removes them [early|up front].",
     "def {func}({var}, min_words={minw}):\n    return [\n        {row} for {row} in {var}\n"
     "        if len({row}[\"text\"].split()) >= min_words\n    ]"),
    ("python", ("normalise_text", "canonical_form", "clean_text"),
     "Normalising text before comparing it catches duplicates that differ only in case or punctuation.",
     "import re\n\ndef {func}({txt}):\n    {txt} = {txt}.lower()\n    {txt} = re.sub(r\"[^a-z0-9 ]+\", \" \", {txt})\n"
     "    return \" \".join({txt}.split())"),
    ("python", ("shingle_jaccard", "overlap_score", "similarity"),
     "Shingle overlap is a simple way to measure how similar two records in {table} are.",
     "def {func}(a, b, n={ngram}):\n    def {inner}({txt}):\n        w = {txt}.split()\n"
     "        return set(tuple(w[i:i + n]) for i in range(len(w) - n + 1))\n"
     "    x, y = {inner}(a), {inner}(b)\n    return len(x & y) / max(1, len(x | y))"),
    ("python", ("mean_by_group", "average_per_key", "group_means"),
     "Grouping {var} by {col} with a dictionary avoids pulling in a dataframe library for one [task|small job].",
     "from collections import defaultdict\n\ndef {func}({var}):\n    {groups} = defaultdict(list)\n"
     "    for {row} in {var}:\n        {groups}[{row}[\"{col}\"]].append({row}[\"{numcol}\"])\n"
     "    return {k: sum(v) / len(v) for k, v in {groups}.items()}"),
    ("python", ("parse_timestamps", "to_utc", "normalise_times"),
     "Timestamps in {table} arrive in several formats, so they are parsed [once|in one place] and stored in UTC.",
     "from datetime import datetime, timezone\n\ndef {func}({var}, field=\"{tscol}\"):\n"
     "    for {row} in {var}:\n        ts = datetime.fromisoformat({row}[field])\n"
     "        {row}[field] = ts.astimezone(timezone.utc).isoformat()\n    return {var}"),
]

CODE_OPENERS: list[str] = [
    "Here is a small pattern that keeps coming up when working with {table}.",
    "A colleague asked how I handle this, so here is the [short|condensed] version.",
    "This note shows a compact way to solve a common problem with {table}.",
    "Posting this mostly as a reminder to my future self.",
    "Every project that touches {table} seems to need this sooner or later.",
    "{name} asked about this in the team chat on {weekday}, so I wrote it down properly.",
]

CODE_SENTENCES: list[str] = [
    "Running it against a small sample of {table} first is a cheap way to confirm that the logic is right.",
    "On a laptop this finishes in well under a second for a few million rows, so there is no need for a [cluster|bigger machine].",
    "If {col} can be null, decide up front whether those rows deserve their own [group|bucket] or should be dropped.",
    "Keep the function free of hidden global state so that it stays [trivial|easy] to test.",
    "A unit test with [three or four|a handful of] hand-written rows catches most mistakes before they reach production.",
    "Naming intermediate results clearly makes the next reader's job easier, and that reader is [usually|often] you.",
    "The same idea translates directly into SQL if the data already lives in a database.",
    "For larger inputs, stream the rows instead of loading everything into memory at once.",
    "Type hints are optional here, but they document the expected shape of each record.",
    "Be careful with time zones in {tscol}, and store everything in UTC while converting only for display.",
    "Adding an index on {col} did not help much, because the query reads most of {table} anyway.",
    "Profiling showed that most of the time went into [parsing|reading the files], not into the logic itself.",
    "I usually wrap this in a [tiny|small] command-line script so that colleagues can run it without opening an editor.",
    "Edge cases worth testing include empty input, a single row, and rows where {numcol} is negative.",
    "This version favours readability over raw speed, which is the right trade-off for a [nightly|scheduled] job.",
    "Logging how many rows go in and out of each step makes silent data loss much easier to [spot|notice].",
    "Sorting by {tscol} before deduplicating ensures that the most recent version of each record wins.",
    "Once this worked, the next step was to schedule it and alert on failures.",
    "The column {numcol} is stored as a decimal upstream, so cast it explicitly instead of trusting the loader.",
    "Reviewers found this version easier to follow than the clever one-liner it replaced.",
    "{name} suggested keeping this snippet in version control next to the job that uses it.",
    "The {table} table grows by roughly {num_big} rows a year, which is still small for a single machine.",
]

# ---------------------------------------------------------------------------
# German and French sentences (short, simple).
# ---------------------------------------------------------------------------

GERMAN_SENTENCES: list[str] = [
    "Am {wochentag} fahren wir mit dem [Zug|Bus] nach {stadt}, um den Wochenmarkt zu besuchen.",
    "Im {monat_de} braucht der Garten viel Wasser, besonders die {pflanze}.",
    "Meine [Großmutter|Tante|Nachbarin] kocht jeden Sonntag {gericht} für die ganze Familie.",
    "In {stadt} gibt es ein kleines Museum über die Geschichte der Computer.",
    "Wir spielen seit {zahl} Jahren zusammen in einer kleinen [Band|Gruppe].",
    "Es war kalt in der Nacht, aber der Himmel über {stadt} war klar und voller Sterne.",
    "{name} lernt {instrument_de} und übt jeden Abend eine halbe Stunde.",
    "Die Datenbank speichert alle [Bestellungen|Rechnungen], und jeden Morgen um {uhr} Uhr läuft ein kleiner Bericht.",
    "Im Sommer essen wir oft draußen, mit frischem Brot und {pflanze} aus dem Garten.",
    "Der Sportverein in {stadt} sucht neue Spieler für die [Jugendmannschaft|zweite Mannschaft].",
    "Nach dem Regen am {wochentag} roch der Wald nach Erde und Pilzen.",
    "Für {gericht} braucht man vor allem Zeit und gute Zutaten vom Markt.",
    "Die Stadtbibliothek hat am {wochentag} bis [acht|neun] Uhr abends geöffnet.",
    "{name} fährt jeden Tag mit dem Fahrrad zur [Arbeit|Schule], auch bei Regen und Wind.",
    "Wir haben im {monat_de} {pflanze} gepflanzt und hoffen auf eine gute Ernte.",
    "Die Altstadt von {stadt} ist klein, aber am frühen Morgen sehr schön und ruhig.",
    "Am Abend hören wir gern {musik_de} und trinken eine Tasse [Tee|Kakao].",
    "Das kleine Programm liest die Datei, zählt die Wörter und schreibt das Ergebnis in eine [Tabelle|neue Datei].",
    "Mit einem Fernglas kann man im {monat_de} die Monde des Jupiter sehen.",
    "{name} hat uns ein Rezept für {gericht} aus {stadt} mitgebracht.",
    "Die Mannschaft hat am {wochentag} knapp gewonnen, und alle haben lange gefeiert.",
    "Im Herbst sammeln wir Äpfel und machen Saft für den ganzen Winter.",
    "Der Zug nach {stadt} hatte {zahl} Minuten Verspätung, aber die Landschaft war wunderbar.",
    "Jeden {wochentag} trifft sich eine kleine Gruppe im Park, um gemeinsam zu laufen.",
    "Eine gute Tabelle hat klare Spaltennamen und keine doppelten Zeilen.",
    "Auf dem Balkon wachsen Kräuter wie {kraut}, die wir fast täglich in der Küche brauchen.",
    "{name} wohnt seit {zahl} Jahren in {stadt} und kennt jede Bäckerei in der Nähe.",
    "Am {wochentag} regnet es oft, deshalb bleiben wir zu Hause und lesen ein Buch.",
]

FRENCH_SENTENCES: list[str] = [
    "Le {jour}, nous prenons le [train|bus] pour {ville} afin de visiter le marché.",
    "En {mois}, le jardin a besoin de beaucoup d'eau, surtout les {plante}.",
    "Ma [grand-mère|tante|voisine] prépare {plat} chaque dimanche pour toute la famille.",
    "À {ville}, il y a un petit musée consacré à l'histoire de l'informatique.",
    "Nous jouons ensemble dans un petit groupe depuis {nombre} ans.",
    "Il faisait froid cette nuit-là, mais le ciel au-dessus de {ville} était clair et plein d'étoiles.",
    "{name} apprend {instrument_fr} et s'exerce chaque soir pendant une demi-heure.",
    "La base de données garde toutes les [commandes|factures], et un petit rapport tourne chaque matin à {heure} heures.",
    "En été, nous mangeons souvent dehors, avec du pain frais et des {plante} du jardin.",
    "Le club de sport de {ville} cherche de nouveaux joueurs pour l'équipe des [jeunes|vétérans].",
    "Après la pluie du {jour}, la forêt sentait la terre et les champignons.",
    "Pour réussir {plat}, il faut surtout du temps et de bons produits du marché.",
    "La bibliothèque municipale est ouverte le {jour} jusqu'à [huit|neuf] heures du soir.",
    "{name} va au [travail|lycée] à vélo tous les jours, même sous la pluie et le vent.",
    "Nous avons planté des {plante} en {mois} et nous espérons une belle récolte.",
    "La vieille ville de {ville} est petite, mais très belle et calme tôt le matin.",
    "Le soir, nous aimons écouter {musique_fr} en buvant une tasse de [thé|tisane].",
    "Le petit programme lit le fichier, compte les mots et écrit le résultat dans une [table|nouvelle table].",
    "Avec des jumelles, on peut voir les lunes de Jupiter en {mois}.",
    "{name} nous a rapporté de {ville} une recette pour {plat}.",
    "L'équipe a gagné de justesse le {jour}, et tout le monde a fêté la victoire.",
    "En automne, nous ramassons des pommes et nous faisons du jus pour tout l'hiver.",
    "Le train pour {ville} avait {nombre} minutes de retard, mais le paysage était magnifique.",
    "Chaque {jour}, un petit groupe se retrouve au parc pour courir ensemble.",
    "Un bon tableau a des noms de colonnes clairs et aucune ligne en double.",
    "Sur le balcon poussent des herbes comme {herbe}, que nous utilisons presque tous les jours.",
    "{name} habite à {ville} depuis {nombre} ans et connaît toutes les boulangeries du quartier.",
    "Le {jour}, il pleut souvent, alors nous restons à la maison pour lire un livre.",
]

# ---------------------------------------------------------------------------
# Junk material
# ---------------------------------------------------------------------------

BOILERPLATE_LINES: list[str] = [
    "We use cookies to improve your experience on {site}. By continuing to browse you agree to our use of cookies.",
    "Accept all cookies | Manage preferences | Reject non-essential",
    "Click here to subscribe to our newsletter and never miss an update!",
    "Home | About | Blog | Contact | Privacy Policy | Terms of Use",
    "© {year} {site}. All rights reserved.",
    "Copyright {year} {site} Ltd. All rights reserved. Reproduction without permission is prohibited.",
    "Sign in | Register | Forgot password?",
    "Share this page: Email | Print | Copy link",
    "This website uses cookies to ensure you get the best experience.",
    "Subscribe now and get {pct} percent off your first order!",
    "Skip to main content",
    "Powered by {site} CMS",
    "Back to top",
    "Follow {site} for more updates.",
    "Terms and conditions apply.",
    "Your privacy matters to us. Read our privacy policy to learn more.",
    "Menu Search Account Basket (0)",
    "Related posts: Previous | Next",
    "Advertisement",
    "You can unsubscribe at any time using the link in our emails.",
    "Contact us: info@example.com",
    "Products | Solutions | Pricing | Support | Careers",
    "Please enable JavaScript to view this page correctly.",
    "Click here to download the free guide.",
    "Join {num_big} readers who get our weekly digest.",
    "Cookie settings",
    "Sitemap | Accessibility | Press | Jobs",
    "Don't miss out! Click here to subscribe.",
]

BULLET_HEADINGS: list[str] = [
    "Quick links", "Features", "In this section", "Shopping list", "Checklist", "Tags",
    "Categories", "What you need", "Highlights", "Topics",
]

# Slots used to build bullet-only pages for each topic.
BULLET_SLOTS: dict[str, list[str]] = {
    "data-engineering": ["de_step", "de_format", "de_problem"],
    "databases": ["db_feature", "db_concept", "workload"],
    "cooking": ["ingredient", "herb", "utensil"],
    "gardening": ["plant", "gtask", "pest"],
    "travel": ["place", "tfood", "transport"],
    "computing-history": ["hinv", "machine"],
    "astronomy": ["deep", "aphen", "scope"],
    "music": ["instr", "genre", "mskill"],
    "sports": ["sport", "training", "team_name"],
}

ELLIPSIS_TEASERS: list[str] = ["Read more", "Continue reading", "See the full story", "More"]

SHORT_TEXTS: list[str] = [
    "Page not found.",
    "Thanks, {name}!",
    "Coming soon.",
    "Error: session expired. Please log in again.",
    "Great post, thanks for sharing!",
    "Out of stock until {month}.",
    "See you on {weekday}.",
    "Welcome back, {name}.",
    "No results for your search.",
    "This page intentionally left blank.",
    "Reply to this thread",
    "First!",
    "Photo: {name}",
    "Bump. Any update?",
]

PROMO_LINES: list[str] = [
    "Buy now while stocks last!",
    "Limited offer, today only at {site}!",
    "Download the app for the best experience.",
    "Join our mailing list today.",
    "Free shipping on all orders this {weekday}!",
    "Best prices guaranteed at {site}.",
    "Win a free trip to {city} - enter now!",
]

HASHTAG_WORDS: list[str] = [
    "data", "bigdata", "sql", "etl", "foodie", "recipe", "garden", "plants", "travel", "wanderlust",
    "retro", "stars", "astro", "music", "jazz", "fitness", "running", "weekend", "mood", "nofilter",
    "follow", "like", "tbt", "sale", "deal", "win", "giveaway", "trending", "viral", "news",
]

SYMBOL_RUNS: list[str] = [
    "###", ">>>", "<<<", "===", "***", "$$$", "%%%", "@@@", "!!!", "~~~", "^^^", "|||", "+++",
    "---", "[[[", "]]]", "{{{", "}}}", "&&&", "???", "::::", "////", "\\\\\\", "##", "**", "==>", "<==",
]
