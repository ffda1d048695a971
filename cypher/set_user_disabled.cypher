// Disable (or enable) an account; disabling also kills every token issued before $tokens_after
// (epoch ms), enabling leaves that mark as it was
MATCH (u:User {id: $username})
SET u.disabled = $disabled,
    u.tokens_after = CASE WHEN $disabled THEN $tokens_after ELSE u.tokens_after END
RETURN count(u) AS n
