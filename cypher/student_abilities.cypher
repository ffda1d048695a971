// IRT ability of these students (null until `kgtutor train irt --write-graph`)
UNWIND $student_ids AS sid
MATCH (s:Student {id: sid})
RETURN s.id AS id, s.theta AS theta, s.theta_var AS var, s.theta_responses AS responses
ORDER BY id
