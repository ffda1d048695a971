// A student's sittings, of one test ($test_id) or of every test (''), oldest first
MATCH (x:Sitting {student_id: $student_id})
WHERE $test_id = '' OR x.test_id = $test_id
RETURN properties(x) AS props
ORDER BY x.test_id, x.number
