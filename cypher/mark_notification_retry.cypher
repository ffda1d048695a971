// attempts, status (pending or failed) and next_try come from tutor.outbox.after_failure
MATCH (n:Notification {id: $id})
WHERE n.status = 'pending'
SET n.attempts = $attempts, n.status = $status, n.next_try = $next_try,
    n.last_error = $error, n.claimed_until = null
RETURN count(n) AS n
