-- Text statistics used by the quality filters (Gopher: Rae et al. 2021, "Scaling Language Models",
-- appendix A; C4: Raffel et al. 2020; FineWeb: Penedo et al. 2024). word_count and mean_word_length count
-- whitespace-separated words; the Gopher statistics below are the fields of gopher_quality() and
-- gopher_repetition() (aidb/functions/quality_filters.py), so they match datatrove's: words are the tokens of
-- spaCy's English rules (punctuation tokens included), letters of every script are letters, lines are split
-- as datatrove splits them. The arguments after `text` are those functions' defaults (the thresholds do not
-- change a statistic). Every macro returns NULL for a NULL text.

-- Number of whitespace-separated words in the text.
CREATE OR REPLACE TEMP MACRO word_count(text) AS
    len(list_filter(string_split_regex(text, '\s+'), w -> w <> ''));

-- Mean length in characters of the words of the text (NULL when it has no words).
CREATE OR REPLACE TEMP MACRO mean_word_length(text) AS
    list_avg(list_transform(list_filter(string_split_regex(text, '\s+'), w -> w <> ''), w -> length(w)));

-- Gopher's statistics of a text (all of gopher_quality's fields), with datatrove's default thresholds.
CREATE OR REPLACE TEMP MACRO gopher_stats(text) AS
    gopher_quality(text, 50, 100000, 3, 10, 0.1, 0.9, 0.3, 0.8, 2, 'the be to of and that have with');

-- Gopher symbol-to-word ratio: '#' characters, or ellipses ('...' or '…'), per word, whichever is higher
-- (Gopher drops a document when either exceeds 0.1).
CREATE OR REPLACE TEMP MACRO symbol_word_ratio(text) AS
    greatest(gopher_stats(text).hash_ratio, gopher_stats(text).ellipsis_ratio);

-- The non-empty lines of the text, whitespace-trimmed.
CREATE OR REPLACE TEMP MACRO text_lines(text) AS
    list_filter(list_transform(string_split(text, chr(10)), l -> trim(l)), l -> l <> '');

-- Fraction of lines that end with an ellipsis ('...' or '…', trailing whitespace ignored).
CREATE OR REPLACE TEMP MACRO frac_lines_end_ellipsis(text) AS gopher_stats(text).end_ellipsis_lines_ratio;

-- Fraction of lines that start with a bullet point ('•' or '-', leading whitespace ignored), as Gopher counts them.
CREATE OR REPLACE TEMP MACRO frac_bullet_lines(text) AS gopher_stats(text).bullet_lines_ratio;

-- Gopher repetition statistics of a text (all of gopher_repetition's fields), with datatrove's default thresholds.
CREATE OR REPLACE TEMP MACRO gopher_repetition_stats(text) AS
    gopher_repetition(text, 0.3, 0.3, 0.2, 0.2, 0.2, 0.18, 0.16, 0.15, 0.14, 0.13, 0.12, 0.11, 0.10);

-- Gopher duplicate-line fraction: share of lines (split at runs of newlines) equal to an earlier line.
CREATE OR REPLACE TEMP MACRO dup_line_frac(text) AS gopher_repetition_stats(text).dup_line_frac;

-- Gopher duplicate-line character fraction: characters in lines equal to an earlier line, per character of the text.
CREATE OR REPLACE TEMP MACRO dup_line_char_frac(text) AS gopher_repetition_stats(text).dup_line_char_frac;

-- Fraction of words (tokens) with at least one letter of any script (Gopher keeps documents with >= 0.8).
CREATE OR REPLACE TEMP MACRO alpha_word_frac(text) AS gopher_stats(text).alpha_words_ratio;
