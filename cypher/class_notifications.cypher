// Notifications about a class's students, newest first; by property, as student_notifications
MATCH (s:Student)-[:MEMBER_OF]->(:Class {id: $class_id})
WITH collect(s.id) AS ids
MATCH (n:Notification)
WHERE n.student_id IN ids
RETURN n.id AS id, n.to AS to, n.subject AS subject, n.body AS body,
       n.student_id AS student_id, n.kind AS kind, n.status AS status, n.attempts AS attempts,
       n.next_try AS next_try, n.created AS created, n.sent AS sent, n.last_error AS last_error
ORDER BY n.created DESC, n.id DESC
LIMIT $limit
