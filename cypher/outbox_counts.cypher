MATCH (n:Notification)
RETURN n.status AS status, count(n) AS n
ORDER BY status
