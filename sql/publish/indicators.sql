-- Publication: the indicators of each methodology version in each period
-- listed in $1 (comma-separated; indicator_values), with their threshold
-- and maximum points, for the report's methodology note.
SELECT period, methodology, methodology_version, group_code, indicator_code,
       max(threshold) AS threshold, max(max_points) AS max_points
FROM indicator_values
WHERE period IN (SELECT unnest(string_split($1, ',')))
GROUP BY period, methodology, methodology_version, group_code, indicator_code
ORDER BY period, methodology, methodology_version, group_code, indicator_code
