// Remove a prerequisite edge; n is 1 when there was one
MATCH (:KnowledgePoint {id: $before})-[p:PREREQUISITE_OF]->(:KnowledgePoint {id: $after})
DELETE p
RETURN count(*) AS n
