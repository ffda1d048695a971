// The published and closed tests assigned to a class of the student
MATCH (:Student {id: $student_id})-[:MEMBER_OF]->(c:Class)<-[:ASSIGNED_TO]-(t:Assessment)
WHERE t.status IN ['published', 'closed']
WITH DISTINCT t
OPTIONAL MATCH (t)-[:ASSIGNED_TO]->(c:Class)
WITH t, c
ORDER BY c.id
WITH t, collect(c.id) AS class_ids
RETURN properties(t) AS props, class_ids, t.created_at AS created, t.id AS id
ORDER BY created DESC, id
