-- Publication: the indicator groups (index_groups) of every methodology
-- version, in display order. They give the ranking columns
-- ("<name_vi> (<max>)") and the report's methodology note; a period's
-- rankings take those of the versions they were scored with.
SELECT g.methodology, g.methodology_version, g.group_code, g.name_vi, g.name_en, g.max_points
FROM index_groups g
ORDER BY g.methodology, g.methodology_version, g.position, g.group_code
