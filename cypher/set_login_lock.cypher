// The account refuses log-ins until $until (epoch ms); 0 with $failures 0 resets it on success
MATCH (u:User {id: $username})
SET u.locked_until = $until, u.failed_logins = coalesce($failures, u.failed_logins)
RETURN count(u) AS n
