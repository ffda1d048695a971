// Argon2 parameters move on: a log-in re-hashes an outdated hash
MATCH (u:User {id: $username})
SET u.password_hash = $password_hash
RETURN count(u) AS n
