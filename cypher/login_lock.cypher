// An account's log-in back-off: until when it refuses, and its failures in a row
MATCH (u:User {id: $username})
RETURN coalesce(u.locked_until, 0) AS until, coalesce(u.failed_logins, 0) AS failures
