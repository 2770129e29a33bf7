-- Text statistics used by the quality filters (Gopher: Rae et al. 2021, "Scaling Language Models",
-- appendix A; C4: Raffel et al. 2020; FineWeb: Penedo et al. 2024). Words are whitespace-separated
-- tokens; lines are separated by '\n'. Every macro returns NULL for a NULL text.

-- Number of whitespace-separated words in the text.
CREATE OR REPLACE TEMP MACRO word_count(text) AS
    len(list_filter(string_split_regex(text, '\s+'), w -> w <> ''));

-- Mean length in characters of the words of the text (NULL when it has no words).
CREATE OR REPLACE TEMP MACRO mean_word_length(text) AS
    list_avg(list_transform(list_filter(string_split_regex(text, '\s+'), w -> w <> ''), w -> length(w)));

-- Gopher symbol-to-word ratio: ('#' characters + ellipses '...' or '…') per word.
CREATE OR REPLACE TEMP MACRO symbol_word_ratio(text) AS
    CASE WHEN word_count(text) = 0 THEN 0.0 ELSE
        (length(text) - length(replace(text, '#', ''))
         + (length(text) - length(replace(text, '...', ''))) // 3
         + (length(text) - length(replace(text, '…', ''))))::DOUBLE / word_count(text)
    END;

-- The non-empty lines of the text, whitespace-trimmed.
CREATE OR REPLACE TEMP MACRO text_lines(text) AS
    list_filter(list_transform(string_split(text, chr(10)), l -> trim(l)), l -> l <> '');

-- Fraction of non-empty lines that end with an ellipsis ('...' or '…').
CREATE OR REPLACE TEMP MACRO frac_lines_end_ellipsis(text) AS
    CASE WHEN len(text_lines(text)) = 0 THEN 0.0 ELSE
        len(list_filter(text_lines(text), l -> suffix(l, '...') OR suffix(l, '…')))::DOUBLE / len(text_lines(text))
    END;

-- Fraction of non-empty lines that start with a bullet point ('•', '‣', '●', '-', '*', '–').
CREATE OR REPLACE TEMP MACRO frac_bullet_lines(text) AS
    CASE WHEN len(text_lines(text)) = 0 THEN 0.0 ELSE
        len(list_filter(text_lines(text), l -> regexp_matches(l, '^[•‣●◦▪\-\*–]')))::DOUBLE / len(text_lines(text))
    END;

-- Gopher duplicate-line fraction: share of non-empty lines that repeat an earlier line.
CREATE OR REPLACE TEMP MACRO dup_line_frac(text) AS
    CASE WHEN len(text_lines(text)) = 0 THEN 0.0 ELSE
        1.0 - len(list_distinct(text_lines(text)))::DOUBLE / len(text_lines(text))
    END;

-- Gopher duplicate-line character fraction: share of characters in lines that repeat an earlier line.
CREATE OR REPLACE TEMP MACRO dup_line_char_frac(text) AS
    CASE WHEN coalesce(list_sum(list_transform(text_lines(text), l -> length(l))), 0) = 0 THEN 0.0 ELSE
        1.0 - list_sum(list_transform(list_distinct(text_lines(text)), l -> length(l)))::DOUBLE
              / list_sum(list_transform(text_lines(text), l -> length(l)))
    END;

-- Fraction of words that contain at least one alphabetic character (Gopher keeps documents with >= 0.8).
CREATE OR REPLACE TEMP MACRO alpha_word_frac(text) AS
    CASE WHEN word_count(text) = 0 THEN 0.0 ELSE
        len(list_filter(string_split_regex(text, '\s+'), w -> regexp_matches(w, '[[:alpha:]]')))::DOUBLE / word_count(text)
    END;
