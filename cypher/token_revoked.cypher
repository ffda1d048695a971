MATCH (t:RevokedToken {id: $jti})
RETURN count(t) AS n
