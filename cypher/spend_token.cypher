// A refresh token is good for one refresh: `spent` is true only for the call whose $claim
// created the revocation (a second or concurrent use finds it made by another)
MERGE (t:RevokedToken {id: $jti})
ON CREATE SET t.exp = $exp, t.claim = $claim
RETURN t.claim = $claim AS spent
