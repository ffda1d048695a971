// By property, not by the ABOUT edge: a message queued before its student existed is listed too
MATCH (n:Notification)
WHERE n.student_id = $student_id
RETURN n.id AS id, n.to AS to, n.subject AS subject, n.body AS body,
       n.student_id AS student_id, n.kind AS kind, n.status AS status, n.attempts AS attempts,
       n.next_try AS next_try, n.created AS created, n.sent AS sent, n.last_error AS last_error
ORDER BY n.created DESC, n.id DESC
