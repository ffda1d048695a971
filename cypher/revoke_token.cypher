// A logged-out token's id, kept until the token would have expired anyway
MERGE (t:RevokedToken {id: $jti})
SET t.exp = $exp
RETURN count(t) AS n
