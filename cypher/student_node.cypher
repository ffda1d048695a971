// The student node's own properties, all of them (the export)
MATCH (s:Student {id: $student_id})
RETURN properties(s) AS props
