// Is a token dead? Its id was revoked (log-out, refresh), or its subject's account is disabled
// or had every token revoked after this one was issued (kgtutor users disable)
OPTIONAL MATCH (t:RevokedToken {id: $jti})
WITH count(t) AS n
OPTIONAL MATCH (u:User {id: $subject})
RETURN n, coalesce(u.disabled, false) AS disabled, coalesce(u.tokens_after, 0) AS tokens_after
