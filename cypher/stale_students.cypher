// Students whose derived state (mastery, theta) was not computed from all their attempts: the
// watermark derived_attempts (set by refresh_theta) differs from their attempt count, e.g. after
// an import killed between writing attempts and refreshing what they imply
MATCH (s:Student)-[a:ATTEMPTED]->(:Question)
WITH s, count(a) AS n
WHERE s.derived_attempts IS NULL OR s.derived_attempts <> n
RETURN s.id AS id
ORDER BY id
