MATCH (c:Class {id: $class_id})
OPTIONAL MATCH (c)<-[:TEACHES]-(t:Tutor {id: $tutor_id})
RETURN c.id AS class_id, coalesce(c.tenant, '') AS tenant, count(t) > 0 AS taught
