// Text of a dataset's resources with the names and ids of the KPs they teach (similarity index)
MATCH (r:Resource {dataset: $dataset})
OPTIONAL MATCH (r)-[:TEACHES]->(k:KnowledgePoint)
RETURN r.id AS id, r.title AS text, r.body AS extra, collect(k.name) AS kp_names,
       collect(k.id) AS kp_ids
ORDER BY id
