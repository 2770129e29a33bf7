-- quality_report(table, text_col) (text_stats.sql's gopher_stats and gopher_repetition_stats, fineweb_quality with
-- datatrove's defaults) as one plain table a BI tool can chart.

-- Per-filter pass rates and score histograms of a table's text column: section 'pass_rate' has one row per filter and reason (name 'kept' for kept documents), section 'histogram' ten equal-width bins per statistic.
CREATE OR REPLACE TEMP MACRO quality_report(tbl, text_col) AS TABLE
    WITH scored AS (
        SELECT gopher_stats(COLUMNS(text_col)) AS g, gopher_repetition_stats(COLUMNS(text_col)) AS r,
               fineweb_quality(COLUMNS(text_col), 0.12, false, 0.67, 30, 0.01, 0.3, NULL) AS f
        FROM query_table(tbl)
    ),
    reasons AS (
        SELECT 'gopher_quality' AS filter, coalesce(g.reason, 'kept') AS name FROM scored
        UNION ALL SELECT 'gopher_repetition', coalesce(r.reason, 'kept') FROM scored
        UNION ALL SELECT 'fineweb_quality', coalesce(f.reason, 'kept') FROM scored
    ),
    stats AS (
        UNPIVOT (
            SELECT g.avg_word_length AS "gopher_quality.avg_word_length", g.alpha_words_ratio AS "gopher_quality.alpha_words_ratio",
                   g.n_words::DOUBLE AS "gopher_quality.n_words", g.stop_words::DOUBLE AS "gopher_quality.stop_words",
                   r.dup_line_frac AS "gopher_repetition.dup_line_frac", r.top_2_gram_frac AS "gopher_repetition.top_2_gram_frac",
                   r.dup_5_gram_frac AS "gopher_repetition.dup_5_gram_frac", f.line_punct_ratio AS "fineweb_quality.line_punct_ratio",
                   f.short_line_ratio AS "fineweb_quality.short_line_ratio", f.char_dup_ratio AS "fineweb_quality.char_dup_ratio"
            FROM scored
        ) ON COLUMNS(*) INTO NAME statistic VALUE value
    ),
    ranged AS (
        SELECT statistic, value, min(value) OVER (PARTITION BY statistic) AS lo, max(value) OVER (PARTITION BY statistic) AS hi
        FROM stats WHERE value IS NOT NULL AND isfinite(value)
    ),
    binned AS (
        SELECT statistic, least(9, CASE WHEN hi > lo THEN floor((value - lo) / (hi - lo) * 10) ELSE 0 END)::INTEGER AS bin, lo, hi
        FROM ranged
    )
    SELECT 'pass_rate' AS section, filter, name, NULL::DOUBLE AS bin_lower, NULL::DOUBLE AS bin_upper, count(*) AS docs,
           count(*) / sum(count(*)) OVER (PARTITION BY filter) AS fraction
    FROM reasons GROUP BY filter, name
    UNION ALL
    SELECT 'histogram', split_part(statistic, '.', 1), split_part(statistic, '.', 2),
           lo + bin * (hi - lo) / 10, lo + (bin + 1) * (hi - lo) / 10, count(*),
           count(*) / sum(count(*)) OVER (PARTITION BY statistic)
    FROM binned GROUP BY statistic, bin, lo, hi
    ORDER BY section DESC, filter, name, bin_lower;
