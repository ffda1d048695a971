MATCH (s:Student {id: $student_id})
RETURN s.id AS id, s.dataset AS dataset
