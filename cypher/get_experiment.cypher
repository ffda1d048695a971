// One experiment with the ids of its classes
MATCH (x:Experiment {id: $id})
OPTIONAL MATCH (x)-[:ON]->(c:Class)
WITH x, c
ORDER BY c.id
RETURN properties(x) AS props, collect(c.id) AS class_ids
