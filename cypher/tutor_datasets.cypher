// The courses (datasets) of the classes a tutor teaches: the curriculum they may edit
MATCH (:Tutor {id: $tutor_id})-[:TEACHES]->(c:Class)
RETURN DISTINCT c.dataset AS dataset
ORDER BY dataset
