// A student's xAPI activity: when last active by a statement (epoch ms), and how many sent
MATCH (s:Student {id: $student_id})
OPTIONAL MATCH (s)-[:SENT]->(x:XapiStatement)
RETURN s.last_activity AS last_activity, count(x) AS statements
