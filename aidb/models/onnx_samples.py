"""Fixed sentences the ONNX int8 embedding backend is calibrated on and verified against (two disjoint sets).

Varied on purpose: short and long, prose, code, numbers, lists, questions, non-English, so that an export
or quantisation error that only shows on some kind of input is caught before the backend is used. The
verification set also holds long texts (~4,300 characters, past the 256-token truncation), where int8
error accumulates over the most tokens, and degenerate ones (a word or a symbol repeated, as spam and
boilerplate are), where every token carries the same quantisation error and mean pooling keeps it.
"""

from __future__ import annotations

# Per-channel activation ranges for the smoothing step are measured on these.
CALIBRATION_SENTENCES = (
    "The quick brown fox jumps over the lazy dog.",
    "Returns a new array of the given shape and type, filled with zeros.",
    "She moved to Berlin in 2019 to study architecture at the technical university.",
    "What is the difference between a list and a tuple in Python?",
    "Error: connection refused while contacting the database server on port 5432.",
    "Add two cups of flour, a pinch of salt and stir until smooth.",
    "The committee postponed the vote until further evidence could be reviewed.",
    "def parse(line): return [int(x) for x in line.split(',') if x]",
    "Ce matin, il pleuvait sur la ville et les rues étaient vides.",
    "Parameters ---------- axis : int, optional. Axis along which the sum is computed.",
    "Photosynthesis converts light energy into chemical energy stored in glucose.",
    "ok",
    "Our quarterly revenue grew 12% year over year, driven by subscriptions.",
    "The patient reported mild headaches and dizziness after the second dose.",
    "Click the settings icon, then choose Privacy and clear your browsing history.",
    "In 1969, Apollo 11 landed on the Moon and Neil Armstrong took the first step.",
    "This function is deprecated and will be removed in a future release; use load() instead.",
    "Der Vertrag wurde gestern von beiden Parteien unterschrieben.",
    "Thanks so much!! Best purchase I've made all year :)",
    "The algorithm runs in O(n log n) time and uses linear extra memory.",
    "Rain is expected across the northern regions by late afternoon.",
    "SELECT name, count(*) FROM users GROUP BY name HAVING count(*) > 1;",
    "He plays the violin in a small orchestra every Sunday evening.",
    "Warning: the configuration file was not found, falling back to defaults.",
)

# Every one of these must embed with cosine >= the threshold to the torch output, or the backend is refused.
VERIFICATION_SENTENCES = (
    "A man is playing a guitar on the street corner.",
    "How do I reset my password if I no longer have access to my email?",
    "The central bank raised interest rates by a quarter of a percentage point.",
    "hello",
    "Mitochondria produce most of the chemical energy that powers a cell's reactions.",
    "Raises ValueError if the input array is empty or contains NaN values.",
    "I absolutely loved this movie, the acting was superb and the ending surprised me.",
    "The train to Edinburgh departs from platform 4 at 10:35.",
    "for i in range(10): print(i * i)",
    "Los niños jugaban en el parque mientras sus padres charlaban.",
    "Shares of the company fell sharply after the earnings report missed expectations.",
    "Please find attached the invoice for March; payment is due within 30 days.",
    "Quantum computers use qubits, which can represent superpositions of states.",
    "The recipe calls for three eggs, butter, sugar and a teaspoon of vanilla.",
    "Notes ----- This method is not thread-safe; callers must hold the lock.",
    "Terrible service, the food was cold and we waited an hour.",
    "The Amazon rainforest spans nine countries and holds a tenth of known species.",
    "Install the package with pip and restart the kernel before importing it.",
    "Two dogs are running through a field of tall grass.",
    "Le musée est fermé le lundi et les jours fériés.",
    "The judge dismissed the case for lack of evidence.",
    "Version 2.0 drops support for Python 3.7 and adds type hints throughout.",
    "Is it safe to take ibuprofen and paracetamol together?",
    "The satellite transmits data back to Earth every ninety minutes.",
    "yes",
    "Our team will be offline for maintenance on Saturday between 2 and 4 a.m.",
    "Machine learning models can inherit biases present in their training data.",
    "She painted the old fence white and planted roses along it.",
    "Returns ------- out : ndarray. A copy of the input with the given axes swapped.",
    "The stadium erupted as the striker scored in the final minute of extra time.",
    "Heat the oil in a large pan and fry the onions until golden.",
    "The treaty was signed in 1648, ending thirty years of war in central Europe.",
)

# Long verification texts: the first LONG_TEXT_CHARS characters of these CPython documentation topics
# (pydoc_data.topics, shipped with Python, PSF licence), whitespace collapsed.
LONG_TEXT_TOPICS = ("assignment", "function", "try", "import")
LONG_TEXT_CHARS = 4300


def long_verification_texts() -> list[str]:
    from pydoc_data.topics import topics

    return [" ".join(topics[name].split())[:LONG_TEXT_CHARS] for name in LONG_TEXT_TOPICS if name in topics]


# The texts an earlier recipe failed on most (cosine 0.98 to torch), kinds a web crawl is full of.
DEGENERATE_TEXTS = (
    "free " * 200,
    "buy " * 1000,
    "= " * 300,
    "." * 300,
    "! " * 250,
    "word " * 1000,
    "ha" * 400,
    " ".join(str(number) for number in range(600)),
    "buy cheap watches online " * 60,
    "Home | About | Contact | Login\n" * 40,
)


def verification_texts() -> list[str]:
    """Everything the int8 copy must agree with torch on: the sentences, the degenerate texts, the long texts."""
    return [*VERIFICATION_SENTENCES, *DEGENERATE_TEXTS, *long_verification_texts()]
