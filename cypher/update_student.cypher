// Only the fields given (non-null) change
MATCH (s:Student {id: $student_id})
SET s.name = coalesce($name, s.name), s.email = coalesce($email, s.email)
RETURN s.id AS id
