-- Publication: the indicator groups (index_groups) of every methodology
-- version that has scores in period $1, in display order. They give the
-- ranking columns ("<name_vi> (<max>)") and the report's methodology note.
SELECT g.methodology, g.methodology_version, g.group_code, g.name_vi, g.name_en, g.max_points
FROM index_groups g
WHERE EXISTS (
    SELECT 1 FROM index_scores s
    WHERE s.period = $1
      AND s.methodology = g.methodology
      AND s.methodology_version = g.methodology_version
)
ORDER BY g.methodology, g.methodology_version, g.position, g.group_code
