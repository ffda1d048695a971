// last_error is kept: it records why earlier attempts failed
MATCH (n:Notification {id: $id})
WHERE n.status = 'pending'
SET n.status = 'sent', n.sent = $now, n.attempts = n.attempts + 1, n.claimed_until = null
RETURN count(n) AS n
