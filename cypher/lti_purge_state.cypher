MATCH (d:LtiState)
WHERE d.expires <= $now
WITH d
DELETE d
RETURN count(*) AS n
