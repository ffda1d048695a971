MATCH (t:RevokedToken)
WHERE t.exp < $now
DELETE t
RETURN count(*) AS n
