// One more failed log-in for an existing account (atomic increment); returns the new count so
// the caller can set the back-off (set_login_lock)
MATCH (u:User {id: $username})
SET u.failed_logins = coalesce(u.failed_logins, 0) + 1
RETURN u.failed_logins AS n
