// Derived traces of affect outside the student node: notifications and adjustment reasons that
// quote it are redacted (the record that something was sent or decided stays)
MATCH (n)
WHERE n.student_id = $student_id AND (n:Notification OR n:Adjustment)
SET n.body = CASE WHEN n.body CONTAINS 'affect' THEN $redacted ELSE n.body END,
    n.reasons = CASE WHEN n.reasons IS NULL THEN NULL
                     ELSE [r IN n.reasons WHERE NOT r CONTAINS 'affect'] END
RETURN count(n) AS n
