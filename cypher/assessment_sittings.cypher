// Every sitting of a test with its student's name, by student then attempt
MATCH (x:Sitting {test_id: $test_id})
OPTIONAL MATCH (s:Student {id: x.student_id})
RETURN properties(x) AS props, coalesce(s.name, '') AS name
ORDER BY x.student_id, x.number
