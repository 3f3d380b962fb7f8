-- Publication: the indicators of each methodology version in period $1
-- (indicator_values), with their threshold and maximum points, for the
-- report's methodology note.
SELECT methodology, methodology_version, group_code, indicator_code,
       max(threshold) AS threshold, max(max_points) AS max_points
FROM indicator_values
WHERE period = $1
GROUP BY methodology, methodology_version, group_code, indicator_code
ORDER BY methodology, methodology_version, group_code, indicator_code
