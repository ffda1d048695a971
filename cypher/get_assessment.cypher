// One test with the ids of the classes it is assigned to
MATCH (t:Assessment {id: $id})
OPTIONAL MATCH (t)-[:ASSIGNED_TO]->(c:Class)
WITH t, c
ORDER BY c.id
RETURN properties(t) AS props, collect(c.id) AS class_ids
